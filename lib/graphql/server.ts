import "server-only";
import { createSchema, createYoga, type Plugin } from "graphql-yoga";
import { GraphQLError, printSchema, type ExecutionResult } from "graphql";
import { AppError, toPublicError } from "../errors";
import { buildContext, type ActorContext, type GraphQLContext } from "./context";
import { EXTENSIONS_SDL } from "./extensions";
import { renderBoltrailGraphiQL } from "./graphiql";
import { bracketDepth, limitErrors, MAX_DOCUMENT_BYTES, MAX_NESTING, tooDeeplyNested } from "./limits";
import { RAILS_SUBSET_SDL } from "./rails-subset";
import { badVariables, textLiteralsRule } from "./string-inputs";
import { resolvers } from "./resolvers";

export const schema = createSchema<GraphQLContext>({ typeDefs: [RAILS_SUBSET_SDL, EXTENSIONS_SDL], resolvers });

/** Document size, bracket nesting (before parsing), depth and cost limits (before the other validation rules). */
const limitsPlugin: Plugin = {
  onParams({ params }) {
    if (typeof params.query === "string" && Buffer.byteLength(params.query) > MAX_DOCUMENT_BYTES) {
      throw new GraphQLError(`The GraphQL document is ${Buffer.byteLength(params.query)} bytes; the limit is ${MAX_DOCUMENT_BYTES}`, {
        extensions: { code: "DOCUMENT_TOO_LARGE", http: { status: 413 } },
      });
    }
    if (typeof params.query === "string") {
      const depth = bracketDepth(params.query);
      if (depth > MAX_NESTING) throw tooDeeplyNested(depth);
    }
    const badText = badVariables(params.variables);
    if (badText) throw badText;
  },
  onValidate({ params, addValidationRule, setResult }) {
    // Depth and cost first, alone: an over-limit document is refused without graphql-js's own rules.
    const refused = limitErrors(params.schema, params.documentAST);
    if (refused.length > 0) return setResult(refused);
    addValidationRule(textLiteralsRule);
  },
};

/**
 * Every error leaves with an `extensions.code`: AppErrors keep theirs (and the field at fault),
 * GraphQL's own errors get Apollo's codes (an invalid variable is BAD_USER_INPUT), and anything
 * else is INTERNAL_SERVER_ERROR with no internals.
 */
export function classify(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  if (original instanceof AppError || (original && !(original instanceof GraphQLError))) {
    const pub = toPublicError(original);
    const extensions: Record<string, unknown> = { code: pub.code };
    if (pub.field) extensions.field = pub.field;
    // The database is unreachable or too slow: 503 with Retry-After, so clients and balancers back off.
    if (pub.code === "SERVICE_UNAVAILABLE") extensions.http = { status: 503, headers: { "retry-after": "5" } };
    return new GraphQLError(pub.message, { nodes: error.nodes, path: error.path, extensions });
  }
  if (error.extensions?.code) return error;
  const message = error.message;
  const code = /^Variable "\$/.test(message) ? "BAD_USER_INPUT" : /^Syntax Error/.test(message) ? "GRAPHQL_PARSE_FAILED" : "GRAPHQL_VALIDATION_FAILED";
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}

const errorCodesPlugin: Plugin = {
  onExecutionResult({ result, setResult }) {
    const single = result as ExecutionResult;
    if (single.errors?.length) setResult({ ...single, errors: single.errors.map(classify) });
  },
};

/** The schema as SDL (GET /graphql/schema.graphql), printed once per process. */
let schemaText: string | undefined;
export function graphqlSchemaText(): string {
  return (schemaText ??= printSchema(schema));
}

/**
 * One server definition, two transports. `fetchAPI` is the only difference:
 * - `yoga` answers web `Request`s with the platform's `Response` (the Next.js route handler,
 *   app/graphql/route.ts, under `npm run dev`; and the in-process tests);
 * - `nodeYoga` is a node:http listener with graphql-yoga's own fetch implementation, used by the
 *   production server (scripts/server.ts via lib/graphql/http.ts), which writes string bodies
 *   straight to the socket.
 */
function createServer(fetchAPI?: { Response: typeof Response }) {
  return createYoga<object, ActorContext>({
    schema,
    graphqlEndpoint: "/graphql",
    ...(fetchAPI ? { fetchAPI } : {}),
    context: buildContext,
    batching: false,
    // Any origin may call the API (keys travel in headers), but never with the browser's cookies.
    cors: { credentials: false },
    // Both transports read the body with the 1 MB cap before yoga sees it (lib/graphql/http.ts);
    // yoga's own limit would pipe every body through a second stream for nothing.
    maxRequestBodySize: false,
    // Unexpected errors are logged once by toPublicError; expected ones (bad keys, bad input) are not noise.
    logging: false,
    landingPage: false,
    // A small page loading GraphiQL's files from Boltrail itself (lib/graphql/graphiql.ts): no CDN, cached for good.
    graphiql: { title: "Boltrail GraphQL", defaultQuery: "query Hello {\n  hello\n}\n" },
    renderGraphiQL: renderBoltrailGraphiQL,
    maskedErrors: {
      maskError(error) {
        if (error instanceof GraphQLError) return classify(error);
        return classify(new GraphQLError("internal", { originalError: error as Error }));
      },
    },
    plugins: [limitsPlugin, errorCodesPlugin],
  });
}

export const yoga = createServer({ Response });
export const nodeYoga = createServer();
