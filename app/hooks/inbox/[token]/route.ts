import { PayloadTooLargeError, readBodyCapped } from "@/lib/http/read-body";
import { API_CONTENT_SECURITY_POLICY } from "@/lib/http/security-headers";
import { receiveInboxRequest } from "@/lib/webhooks/test-inbox";

export const dynamic = "force-dynamic";

const MAX_INBOX_BODY_BYTES = 256 * 1024;

const HEADERS = { "content-security-policy": API_CONTENT_SECURITY_POLICY };

/**
 * The sandbox test inbox: accepts a webhook delivery and shows it on the inbox page. Anyone can
 * POST here without credentials, so the body is read with its 256 KB cap (a bigger one is never
 * held in memory) before the token is even looked up.
 */
export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }) {
  let bytes: Buffer;
  try {
    bytes = await readBodyCapped(request, MAX_INBOX_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof PayloadTooLargeError)) throw err;
    return Response.json({ error: "body too large", limit: MAX_INBOX_BODY_BYTES }, { status: 413, headers: { ...HEADERS, connection: "close" } });
  }
  const { token } = await params;
  const body = new TextDecoder().decode(bytes);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const result = await receiveInboxRequest(token, { method: request.method, headers, body });
  return result === "stored"
    ? Response.json({ received: true }, { headers: HEADERS })
    : Response.json({ error: "unknown or expired inbox" }, { status: 404, headers: HEADERS });
}
