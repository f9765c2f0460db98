import { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/next-auth";
import { PayloadTooLargeError, readBodyCapped } from "@/lib/http/read-body";

export const { GET } = handlers;

/** Auth.js reads sign-in and sign-out forms: a few hundred bytes. Anything near this is not one. */
const MAX_AUTH_BODY_BYTES = 16 * 1024;

/**
 * Auth.js's POST endpoints (credentials callback, sign-out, CSRF) read the body whole; it is read
 * here first with a cap, so an oversized POST is answered 413 without being held in memory.
 */
export async function POST(request: Request): Promise<Response> {
  let body: Buffer<ArrayBuffer>;
  try {
    body = await readBodyCapped(request, MAX_AUTH_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof PayloadTooLargeError)) throw err;
    return Response.json({ error: "body too large", limit: MAX_AUTH_BODY_BYTES }, { status: 413, headers: { connection: "close" } });
  }
  return handlers.POST(new NextRequest(request.url, { method: "POST", headers: request.headers, body: body.length > 0 ? body : null }));
}
