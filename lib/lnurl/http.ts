import "server-only";
import { env } from "../env";
import { clientIp } from "../http/client-ip";
import { serveCallback, servePayRequest, type LnurlReply } from "./serve";

const PAY_REQUEST = /^\/(?:\.well-known\/lnurlp|api\/lnurlp)\/([^/]+)\/?$/;
const CALLBACK = /^\/api\/lnurlp\/([^/]+)\/callback\/?$/;

/**
 * The Lightning Address endpoints over HTTP (web Request/Response, so the Next.js route handlers
 * and the tests' servers share it): `/.well-known/lnurlp/<name>` (rewritten to
 * `/api/lnurlp/<name>` by next.config.ts) and `/api/lnurlp/<name>/callback`. GET only; the
 * answers are JSON, readable from any origin (LUD-01: web wallets call them from the browser).
 */
export async function handleLnurl(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const origin = env().APP_URL ? new URL(env().APP_URL!).origin : url.origin;
  let reply: LnurlReply;
  const callback = CALLBACK.exec(url.pathname);
  const payRequest = callback ? null : PAY_REQUEST.exec(url.pathname);
  if (request.method !== "GET" && request.method !== "HEAD") reply = { status: 405, body: { status: "ERROR", reason: "Use GET" } };
  else if (callback) reply = await serveCallback(decode(callback[1]), origin, url.searchParams, clientIp(request));
  else if (payRequest) reply = await servePayRequest(decode(payRequest[1]), origin);
  else reply = { status: 404, body: { status: "ERROR", reason: "Not an LNURL endpoint" } };
  return new Response(JSON.stringify(reply.body), {
    status: reply.status,
    headers: { "content-type": "application/json; charset=utf-8", "access-control-allow-origin": "*", "cache-control": "no-store" },
  });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
