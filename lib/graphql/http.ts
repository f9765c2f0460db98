// The HTTP edge of /graphql: the 1 MB body cap and the security headers, for both transports
// (the Next.js route handler under `npm run dev`, node:http in the production server).
import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SECURITY_HEADERS } from "../http/security-headers";
import { MAX_BODY_BYTES } from "./limits";
import { answerDirectly, directRequest } from "./direct";
import { nodeYoga } from "./server";

/** The whole body, or how big it was when it went over MAX_BODY_BYTES. */
export type CappedBody = { ok: true; body: Buffer<ArrayBuffer> } | { ok: false; size: string };

/**
 * Collects body chunks up to MAX_BODY_BYTES. The Content-Length header is checked first, but it
 * can be absent (chunked uploads) or wrong, so the bytes themselves are counted too.
 */
export class BodyCollector {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  /** Over the cap before a byte is read, by the declared Content-Length. */
  static declaredTooLarge(contentLength: string | null | undefined): CappedBody | null {
    const declared = Number(contentLength ?? 0);
    return declared > MAX_BODY_BYTES ? { ok: false, size: String(declared) } : null;
  }

  /** Adds a chunk; false once the body is over the cap (stop reading then). */
  add(chunk: Uint8Array): boolean {
    this.size += chunk.byteLength;
    if (this.size > MAX_BODY_BYTES) return false;
    this.parts.push(chunk);
    return true;
  }

  result(): CappedBody {
    if (this.size > MAX_BODY_BYTES) return { ok: false, size: `more than ${MAX_BODY_BYTES}` };
    return { ok: true, body: Buffer.concat(this.parts, this.size) };
  }
}

/** The 413 answer, in the same shape as every other GraphQL error. */
export function tooLargeBody(size: string): string {
  return JSON.stringify({
    errors: [{ message: `Request body is ${size} bytes; the limit is ${MAX_BODY_BYTES}`, extensions: { code: "PAYLOAD_TOO_LARGE" } }],
  });
}

/** Reads a node:http request body with the cap; stops reading (and leaves the rest unread) once over it. */
function readNodeBody(req: IncomingMessage): Promise<CappedBody> {
  const early = BodyCollector.declaredTooLarge(req.headers["content-length"]);
  if (early) return Promise.resolve(early);
  const collector = new BodyCollector();
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (collector.add(chunk)) return;
      req.off("data", onData);
      req.pause();
      resolve(collector.result());
    };
    req.on("data", onData);
    req.once("end", () => resolve(collector.result()));
    req.once("error", reject);
  });
}

/**
 * /graphql on node:http (the production server). The body is read with the cap; a plain API
 * request is answered on the direct path, anything else by graphql-yoga, which gets the body as a
 * Buffer (its node adapter uses a pre-read `req.body` as is).
 */
export async function handleGraphQLNodeRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
  if (req.method === "POST") {
    let read: CappedBody;
    try {
      read = await readNodeBody(req);
    } catch {
      // The client went away mid-body: nobody to answer.
      res.destroy();
      return;
    }
    if (!read.ok) {
      // The rest of the body is never read: answer, then close the connection.
      res.writeHead(413, { "content-type": "application/json; charset=utf-8", connection: "close" });
      res.end(tooLargeBody(read.size), () => req.destroy());
      return;
    }
    if (read.body.byteLength > 0) {
      // The plain API request: answered directly with the same answer, or else by yoga (lib/graphql/direct.ts).
      const direct = directRequest(req, read.body);
      if (direct && (await answerDirectly(req, res, direct))) return;
      (req as IncomingMessage & { body?: Buffer }).body = read.body;
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
