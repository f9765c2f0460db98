// Every request body Boltrail reads goes through readBodyCapped: the size cap is enforced while
// reading, so an oversized body is never held in memory (a 400 MB POST used to be buffered whole
// before its size was even looked at). Used by /graphql on both transports and the test inbox.
import type { IncomingMessage } from "node:http";

/**
 * A body over its cap: answer 413. `size` is what is known of it, for messages: the declared
 * Content-Length, or `more than <maxBytes>` when the bytes themselves went over.
 */
export class PayloadTooLargeError extends Error {
  readonly status = 413;
  readonly code = "PAYLOAD_TOO_LARGE";
  readonly maxBytes: number;
  readonly size: string;

  constructor(maxBytes: number, size: string) {
    super(`Request body is ${size} bytes; the limit is ${maxBytes}`);
    this.name = "PayloadTooLargeError";
    this.maxBytes = maxBytes;
    this.size = size;
  }
}

/** A declared Content-Length over the cap, before a byte is read (the header may also be absent, or lie). */
function declaredTooLarge(contentLength: string | null | undefined, maxBytes: number): PayloadTooLargeError | null {
  if (contentLength === null || contentLength === undefined) return null;
  const declared = Number(contentLength);
  return Number.isFinite(declared) && declared > maxBytes ? new PayloadTooLargeError(maxBytes, String(declared)) : null;
}

function isNodeRequest(source: Request | IncomingMessage): source is IncomingMessage {
  return typeof (source as IncomingMessage).pipe === "function";
}

/**
 * The whole body of a request, at most `maxBytes` of it; throws PayloadTooLargeError (413) as soon
 * as the declared Content-Length or the bytes received go over, without reading further:
 *  - a web `Request` (route handlers): its body stream is read chunk by chunk and cancelled at the cap;
 *  - a node:http `IncomingMessage` (the production server): reading stops and the request is
 *    paused at the cap. The caller answers 413 with `Connection: close` and then destroys the
 *    request, so the rest is never read.
 * Rejects with the stream's error when the client goes away mid-body.
 */
export async function readBodyCapped(source: Request | IncomingMessage, maxBytes: number): Promise<Buffer<ArrayBuffer>> {
  return isNodeRequest(source) ? readNodeBody(source, maxBytes) : readWebBody(source, maxBytes);
}

async function readWebBody(request: Request, maxBytes: number): Promise<Buffer<ArrayBuffer>> {
  const early = declaredTooLarge(request.headers.get("content-length"), maxBytes);
  if (early) {
    await request.body?.cancel().catch(() => {});
    throw early;
  }
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(maxBytes, `more than ${maxBytes}`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts, size);
}

function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<Buffer<ArrayBuffer>> {
  const early = declaredTooLarge(req.headers["content-length"], maxBytes);
  if (early) return Promise.reject(early);
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBytes) {
        parts.push(chunk);
        return;
      }
      cleanup();
      req.pause();
      parts.length = 0;
      reject(new PayloadTooLargeError(maxBytes, `more than ${maxBytes}`));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(parts, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    // The connection closed before the end of the body (a client that went away).
    const onClose = () => onError(Object.assign(new Error("request aborted"), { code: "ECONNRESET" }));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
    req.once("close", onClose);
  });
}
