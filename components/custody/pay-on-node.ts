/**
 * Pays an invoice on the team's own LND from the browser (Rails' custody, issue 14): `POST
 * /v2/router/send` on the node's REST endpoint with the admin macaroon decrypted in this browser,
 * reading LND's newline-delimited JSON until the payment is SUCCEEDED or FAILED. LND must allow
 * the dashboard's origin (`restcors`), and the browser must trust the node's TLS certificate.
 */
export type NodePaymentResult = { status: "SUCCEEDED" | "FAILED"; failureReason?: string; feeSat?: string };

export class NodeUnreachableError extends Error {}

export async function payOnNode(restUrl: string, macaroonHex: string, paymentRequest: string, onStatus?: (status: string) => void): Promise<NodePaymentResult> {
  let response: Response;
  try {
    response = await fetch(new URL("/v2/router/send", restUrl), {
      method: "POST",
      headers: { "Grpc-Metadata-macaroon": macaroonHex, "Content-Type": "application/json" },
      body: JSON.stringify({ payment_request: paymentRequest, fee_limit_sat: "4294967296", timeout_seconds: 60 }),
    });
  } catch {
    throw new NodeUnreachableError(
      `This browser could not reach your node at ${restUrl}. LND must allow this dashboard's origin: add restcors=${window.location.origin} to lnd.conf (or start lnd with --restcors=${window.location.origin}) and restart it; and this browser must trust the node's TLS certificate.`,
    );
  }
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => "");
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { error?: { message?: string }; message?: string }).error?.message ?? message;
    } catch {
      // not JSON: the raw text
    }
    throw new Error(`The node refused the payment (HTTP ${response.status}): ${message || "no details"}`);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      let update: { result?: { status: string; failure_reason?: string; fee_sat?: string }; error?: { message: string } };
      try {
        update = JSON.parse(line);
      } catch {
        continue;
      }
      if (update.error) throw new Error(`The node refused the payment: ${update.error.message}`);
      const result = update.result;
      if (!result) continue;
      onStatus?.(result.status);
      if (result.status === "SUCCEEDED" || result.status === "FAILED") {
        await reader.cancel().catch(() => {});
        return { status: result.status, failureReason: result.failure_reason, feeSat: result.fee_sat };
      }
    }
  }
  throw new Error("The node's payment stream ended before the payment did: the transaction page shows its outcome once the node knows it.");
}
