import { yoga } from "@/lib/graphql/server";
import { MAX_BODY_BYTES } from "@/lib/graphql/limits";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const tooLarge = (size: string) =>
  Response.json(
    { errors: [{ message: `Request body is ${size} bytes; the limit is ${MAX_BODY_BYTES}`, extensions: { code: "PAYLOAD_TOO_LARGE" } }] },
    { status: 413 },
  );

/**
 * Reads the body with a hard cap (a Content-Length header can be absent or wrong with chunked
 * uploads), then hands the request to graphql-yoga.
 */
async function handle(request: Request) {
  if (request.method !== "POST" || !request.body) return yoga.handleRequest(request, {});
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return tooLarge(String(declared));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return tooLarge(`more than ${MAX_BODY_BYTES}`);
    }
    chunks.push(value);
  }
  const body = Buffer.concat(chunks);
  return yoga.handleRequest(new Request(request.url, { method: "POST", headers: request.headers, body }), {});
}

export { handle as GET, handle as POST, handle as OPTIONS };
