// The direct path of /graphql on node:http: the plain requests an API client sends all day
// (POST, a JSON body, no Origin, JSON accepted) are parsed, validated and executed here with
// graphql-js against the same schema, rules and context as graphql-yoga's, and answered with the
// same status, headers and bytes (test/graphql/direct-path.test.ts compares the two request by request).
// Everything else, and anything that would fail before execution (bad JSON, a document that
// does not parse or validate, variables that do not coerce), goes to graphql-yoga, which owns
// those answers. What this skips is yoga's per-request machinery around the same work: web
// Request/Headers/Response objects, envelop's plugin pipeline, and their promise chains: more than
// half of the server's cost of a `{ hello }` (docs/decisions/004-direct-graphql-path.md).
import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type OperationDefinitionNode,
} from "graphql";
import { actorContext, type HeaderSource } from "./context";
import { bracketDepth, limitErrors, MAX_DOCUMENT_BYTES, MAX_NESTING } from "./limits";
import { classify, schema } from "./server";
import { badVariables, textLiteralsRule } from "./string-inputs";

// The limits (depth, cost) are checked first, on their own, as graphql-yoga does (lib/graphql/server.ts).
const RULES = [...specifiedRules, textLiteralsRule];

/**
 * Documents by their text (a client sends the same few over and over): parsed and validated, or
 * null when they do not parse or validate (yoga answers those, from its own cache).
 */
const DOCUMENTS_MAX = 1_000;
const documents = new Map<string, DocumentNode | null>();

function validDocument(query: string): DocumentNode | null {
  const cached = documents.get(query);
  if (cached !== undefined) return cached;
  let document: DocumentNode | null;
  try {
    if (bracketDepth(query) > MAX_NESTING) throw new Error("nested too deeply to parse");
    document = parse(query);
    if (limitErrors(schema, document).length > 0 || validate(schema, document, RULES).length > 0) document = null;
  } catch {
    document = null;
  }
  if (documents.size >= DOCUMENTS_MAX) documents.clear();
  documents.set(query, document);
  return document;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A JSON body as yoga's request parser takes it: `application/json` exactly, with any parameters (its isContentTypeMatch). */
function isJsonContentType(header: string | undefined): boolean {
  const contentType = header?.split(",")[0];
  return contentType === "application/json" || contentType?.startsWith("application/json;") === true;
}

type MediaType = "application/json" | "application/graphql-response+json";
const REGULAR_MEDIA_TYPES: MediaType[] = ["application/graphql-response+json", "application/json"];

const matches = (processorType: string, requestType: string) => {
  const [pre, suf] = processorType.split("/");
  const [askedPre, askedSuf] = requestType.split("/");
  return (askedPre === "*" || askedPre === pre) && (askedSuf === "*" || askedSuf === suf);
};

/**
 * The media type of yoga's answer to a (non-streamed) result, as its result processors negotiate
 * it (graphql-yoga's use-result-processor.ts): the regular JSON processor comes last and the last
 * match wins, which makes it the first Accept entry (utf-8 only) that names one of its two types,
 * and `application/json` when that entry matches both. Null when it matches neither: yoga answers.
 */
export function negotiatedMediaType(accept: string | undefined): MediaType | null {
  const requested: string[] = [];
  for (const entry of (accept || "*/*").replace(/\s/g, "").toLowerCase().split(",")) {
    const [mediaType, ...params] = entry.split(";");
    const charset = params.find((param) => param.includes("charset=")) ?? "charset=utf-8";
    if (charset === "charset=utf-8") requested.push(mediaType);
  }
  let chosen: MediaType | null = null;
  for (const requestType of requested.reverse()) {
    for (const type of REGULAR_MEDIA_TYPES) if (matches(type, requestType)) chosen = type;
  }
  return chosen;
}

export type DirectRequest = {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  mediaType: MediaType;
};

/**
 * The request, when the direct path can answer it exactly as yoga would; null sends it to yoga.
 * Pure: nothing has run yet, so yoga can take the same request from the start.
 */
export function directRequest(req: IncomingMessage, body: Buffer): DirectRequest | null {
  if (req.method !== "POST" || req.url !== "/graphql") return null;
  const headers = req.headers;
  // A browser's cross-origin request: yoga's CORS headers.
  if (headers.origin !== undefined) return null;
  const mediaType = negotiatedMediaType(headers.accept);
  if (!mediaType) return null;
  if (!isJsonContentType(headers["content-type"])) return null;
  let params: unknown;
  try {
    params = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  if (!isPlainObject(params)) return null;
  const { query, variables, operationName, extensions, ...rest } = params;
  if (Object.keys(rest).length > 0 || (extensions !== undefined && extensions !== null)) return null;
  if (typeof query !== "string" || Buffer.byteLength(query) > MAX_DOCUMENT_BYTES) return null;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return null;
  // Strings that are not text: yoga refuses them (lib/graphql/string-inputs.ts) and words the answer.
  if (badVariables(variables)) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return null;
  const document = validDocument(query);
  if (!document) return null;
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation || operation.operation === "subscription") return null;
  return { query, variables: variables ?? undefined, operationName: operationName ?? undefined, document, operation, mediaType };
}

/** Node's request headers as the few `get` calls of the context need them. */
function headerSource(req: IncomingMessage): HeaderSource {
  return {
    get(name: string) {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

type HttpExtension = { status?: number; headers?: Record<string, string>; spec?: boolean };

/** An error as yoga serialises it: without the `http` and `unexpected` internals. */
function withoutInternals(error: GraphQLError): GraphQLError {
  const extensions: Record<string, unknown> = { ...error.extensions };
  delete extensions.http;
  delete extensions.unexpected;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  });
}

/**
 * The status and headers yoga gives an answer with data (its getResponseInitByRespectingErrors):
 * 200, unless an error sets `extensions.http` (the highest status wins, except for the
 * spec-mandated ones in `application/json`; its headers are added either way).
 */
function responseInit(errors: readonly GraphQLError[], mediaType: MediaType, body: string): { status: number; headers: Record<string, string | number> } {
  const headers: Record<string, string | number> = { "content-type": `${mediaType}; charset=utf-8` };
  let status = 0;
  for (const error of errors) {
    const http = error.extensions?.http as HttpExtension | undefined;
    if (!http) continue;
    if (http.headers) Object.assign(headers, http.headers);
    if (mediaType === "application/json" && http.spec) continue;
    if (http.status && http.status > status) status = http.status;
  }
  headers["content-length"] = Buffer.byteLength(body);
  return { status: status || 200, headers };
}

/**
 * Executes a request accepted by `directRequest` and writes the answer. Returns false, having
 * written nothing, when graphql-js stopped before executing anything (its variables did not
 * coerce): yoga then answers the request from the start.
 */
export async function answerDirectly(req: IncomingMessage, res: ServerResponse, request: DirectRequest): Promise<boolean> {
  const result = await execute({
    schema,
    document: request.document,
    variableValues: request.variables,
    operationName: request.operationName,
    contextValue: actorContext(headerSource(req)),
  });
  // No `data`: a request error found before any field ran, which yoga words and answers itself.
  if (!("data" in result)) return false;
  // Errors get their client-facing code as yoga's maskedErrors and errorCodes plugins give it.
  const errors = result.errors?.length ? result.errors.map(classify) : [];
  const body = JSON.stringify(errors.length > 0 ? { ...result, errors: errors.map(withoutInternals) } : result);
  const { status, headers } = responseInit(errors, request.mediaType, body);
  res.writeHead(status, headers);
  res.end(body);
  return true;
}
