// The HTTP edge of /graphql, for both transports (the Next.js route handler under `npm run dev`,
// node:http in the production server): the 1 MB body cap (lib/http/read-body.ts), the security
// headers, HSTS over https, GraphiQL's Content-Security-Policy, and CORS without credentials.
import "server-only";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { PayloadTooLargeError, readBodyCapped } from "../http/read-body";
import { graphiqlContentSecurityPolicy, HSTS_HEADER, isHttpsRequest, SECURITY_HEADERS } from "../http/security-headers";
import { MAX_BODY_BYTES } from "./limits";
import { answerDirectly, directRequest } from "./direct";
import { nodeYoga } from "./server";

/** The 413 answer, in the same shape as every other GraphQL error. */
export function tooLargeBody(error: PayloadTooLargeError): string {
  return JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] });
}

/** graphql-yoga renders GraphiQL for exactly these requests (its `shouldRenderGraphiQL`); everything else is JSON. */
export function isGraphiQLRequest(method: string | undefined, accept: string | null | undefined): boolean {
  return method === "GET" && (accept ?? "").includes("text/html");
}

/** GraphiQL's Content-Security-Policy (its page loads Boltrail's own files only: lib/graphql/graphiql.ts). */
export function graphiqlPolicy(https: boolean): string {
  return graphiqlContentSecurityPolicy({ https });
}

/**
 * /graphql never allows credentialed cross-origin requests: authentication is a header
 * (`x-api-key`, `Authorization`), never a cookie, so no browser should send its cookies along and
 * read the answer. yoga's CORS answers reflect the Origin and, by default, allow credentials;
 * the allow-credentials header is dropped here, on both transports, whatever yoga's cors option is.
 */
const CREDENTIALS_HEADER = "access-control-allow-credentials";

function dropCredentialsHeader(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    this.removeHeader(CREDENTIALS_HEADER);
    const at = args.findIndex((a) => typeof a === "object" && a !== null);
    if (at !== -1) {
      const headers = args[at];
      if (Array.isArray(headers)) {
        // The flat [name, value, name, value] form.
        const kept: unknown[] = [];
        for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() !== CREDENTIALS_HEADER) kept.push(headers[i], headers[i + 1]);
        args[at] = kept;
      } else {
        args[at] = Object.fromEntries(Object.entries(headers as OutgoingHttpHeaders).filter(([name]) => name.toLowerCase() !== CREDENTIALS_HEADER));
      }
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
}

/** The same rule on a web Response (the Next.js route handler). */
export function withoutCredentials(response: Response): Response {
  if (!response.headers.has(CREDENTIALS_HEADER)) return response;
  try {
    response.headers.delete(CREDENTIALS_HEADER);
    return response;
  } catch {
    // Immutable headers: copy the response.
    const copy = new Response(response.body, response);
    copy.headers.delete(CREDENTIALS_HEADER);
    return copy;
  }
}

/**
 * /graphql on node:http (the production server). The body is read with the cap; a plain API
 * request is answered on the direct path, anything else by graphql-yoga, which gets the body as a
 * Buffer (its node adapter uses a pre-read `req.body` as is).
 */
export async function handleGraphQLNodeRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
  const https = isHttpsRequest(req.headers["x-forwarded-proto"], (req.socket as TLSSocket).encrypted === true);
  if (https) res.setHeader(HSTS_HEADER.key, HSTS_HEADER.value);
  if (req.headers.origin !== undefined) dropCredentialsHeader(res);
  if (isGraphiQLRequest(req.method, req.headers.accept)) res.setHeader("Content-Security-Policy", graphiqlPolicy(https));
  if (req.method === "POST") {
    let body: Buffer<ArrayBuffer>;
    try {
      body = await readBodyCapped(req, MAX_BODY_BYTES);
    } catch (err) {
      if (!(err instanceof PayloadTooLargeError)) {
        // The client went away mid-body: nobody to answer.
        res.destroy();
        return;
      }
      // The rest of the body is never read: answer, then close the connection.
      res.writeHead(413, { "content-type": "application/json; charset=utf-8", connection: "close" });
      res.end(tooLargeBody(err), () => req.destroy());
      return;
    }
    if (body.byteLength > 0) {
      // The plain API request: answered directly with the same answer, or else by yoga (lib/graphql/direct.ts).
      const direct = directRequest(req, body);
      if (direct && (await answerDirectly(req, res, direct))) return;
      (req as IncomingMessage & { body?: Buffer }).body = body;
    }
  }
  await nodeYoga(req, res);
}

/**
 * The node:http listener of /graphql (scripts/server.ts): handleGraphQLNodeRequest, and for a
 * failure it did not expect, a log line and a 500 without internals (or a closed connection when
 * the answer had already begun).
 */
export function serveGraphQL(req: IncomingMessage, res: ServerResponse): void {
  handleGraphQLNodeRequest(req, res).catch((err: unknown) => {
    console.error("[boltrail] /graphql request failed:", err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ errors: [{ message: "Unexpected error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
  });
}
