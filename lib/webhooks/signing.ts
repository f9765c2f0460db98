import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** `whsec_` + STANDARD base64 (with + / =) of 32 random bytes, as the Standard Webhooks libraries expect. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** Seed 001: hex HMAC-SHA256, keyed by the whole secret string, over `${timestamp}.${rawBody}`. */
export function boltrailSignature(secret: string, timestamp: number, rawBody: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex");
}

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 keyed by the decoded secret over `${id}.${timestamp}.${body}`. */
export function standardSignature(secret: string, msgId: string, timestamp: number, rawBody: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${msgId}.${timestamp}.${rawBody}`).digest("base64")}`;
}

/**
 * The signature headers of one delivery attempt. During a rotation overlap, the Standard Webhooks
 * header carries one signature per valid secret (newest first); `x-webhook-signature` uses the
 * current secret.
 */
export function signatureHeaders(input: { secrets: string[]; msgId: string; eventType: string; timestamp: number; body: string }): Record<string, string> {
  const [current] = input.secrets;
  return {
    "content-type": "application/json",
    "user-agent": "Boltrail-Webhooks/1.0",
    "x-webhook-signature": boltrailSignature(current, input.timestamp, input.body),
    "x-webhook-timestamp": String(input.timestamp),
    "x-webhook-event": input.eventType,
    "webhook-id": input.msgId,
    "webhook-timestamp": String(input.timestamp),
    "webhook-signature": input.secrets.map((s) => standardSignature(s, input.msgId, input.timestamp, input.body)).join(" "),
  };
}

/** Verifies `x-webhook-signature` (used by the sandbox test inbox, and a model for receivers). */
export function verifyBoltrailSignature(secret: string, timestamp: string | null, rawBody: string, signature: string | null): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp) || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(boltrailSignature(secret, Number(timestamp), rawBody), "hex");
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}
