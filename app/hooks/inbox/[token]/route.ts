import { receiveInboxRequest } from "@/lib/webhooks/test-inbox";

export const dynamic = "force-dynamic";

const MAX_BODY = 256 * 1024;

/** The sandbox test inbox: accepts a webhook delivery and shows it on the inbox page. */
export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const body = await request.text();
  if (body.length > MAX_BODY) return Response.json({ error: "body too large" }, { status: 413 });
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const result = await receiveInboxRequest(token, { method: request.method, headers, body });
  return result === "stored" ? Response.json({ received: true }) : Response.json({ error: "unknown or expired inbox" }, { status: 404 });
}
