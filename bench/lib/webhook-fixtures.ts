// Webhook fixtures for bench/webhooks.ts, written straight into PostgreSQL with `pg` (not through
// the app): endpoints with sealed secrets, and batches of webhook events with one pending delivery
// each, inserted in ONE statement (so the statement-level NOTIFY trigger on webhook_deliveries wakes
// the worker once, at commit). Table and column names follow prisma/migrations/*/migration.sql.
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { monotonicFactory } from "ulid";
import { boltrailSignature, generateWebhookSecret } from "../../lib/webhooks/signing.ts";
import { sealSecret } from "./fixtures.ts";
import { signInvoice } from "./invoice.ts";

const ulid = monotonicFactory();

export type SeededEndpoint = { id: string; url: string; secret: string };

/**
 * Endpoints of an environment, as lib/webhooks/endpoints.ts createEndpoint writes them: id
 * `wep_` + ULID, the secret (`whsec_` + standard base64 of 32 bytes) sealed with the server's
 * APP_ENCRYPTION_KEY like lib/crypto.ts encryptSecret. `eventFilters` empty = every event.
 */
export async function seedEndpoints(
  databaseUrl: string,
  options: { environmentId: string; url: string; count: number; encryptionKey: Buffer; eventFilters?: string[] },
): Promise<SeededEndpoint[]> {
  const endpoints = Array.from({ length: options.count }, () => ({ id: `wep_${ulid()}`, url: options.url, secret: generateWebhookSecret() }));
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "boltrail-bench-fixtures" });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO webhook_endpoints ("id", "environmentId", "url", "eventFilters", "active", "secretEncrypted", "createdAt", "updatedAt")
       SELECT e.id, $2, $3, $4::text[], true, e.sealed, now(), now() FROM unnest($1::text[], $5::text[]) AS e(id, sealed)`,
      [
        endpoints.map((e) => e.id),
        options.environmentId,
        options.url,
        options.eventFilters ?? [],
        endpoints.map((e) => sealSecret(Buffer.from(e.secret, "utf8"), options.encryptionKey)),
      ],
    );
  } finally {
    await client.end();
  }
  return endpoints;
}

/** The `payment.completed` envelope of a settled sandbox receive, as lib/webhooks/events.ts buildEnvelope (seed 001). */
export type BenchEnvelope = { id: string; event_type: string; data: { id: string; settled_at: string | null } & Record<string, unknown> } & Record<string, unknown>;

/**
 * `count` realistic `payment.completed` envelopes (JSON strings) of a sandbox BTC wallet: each with
 * its own transaction id and a real regtest BOLT11 invoice signed by `nodePrivateKey`, so the body
 * has the size and shape of a real delivery (about 1.2 KB). Keep in step with buildEnvelope.
 */
export function completedEnvelopes(input: {
  count: number;
  environmentId: string;
  walletId: string;
  assetId: string;
  nodePrivateKey: Buffer;
  nodePubkey: string;
}): { idempotencyKey: string; transactionId: string; payload: string }[] {
  const amount = 21_000n;
  const fee = 0n;
  const money = (value: bigint) => ({ amount: value.toString(), asset_id: input.assetId, asset_symbol: "BTC", precision: 8 });
  const out: { idempotencyKey: string; transactionId: string; payload: string }[] = [];
  for (let i = 0; i < input.count; i++) {
    const now = Date.now();
    const transactionId = `tx_${ulid()}`;
    const invoice = signInvoice({
      nodePrivateKey: input.nodePrivateKey,
      amountMsat: amount * 1000n,
      description: "Bench invoice",
      expirySeconds: 3600,
      timestamp: Math.floor(now / 1000),
    });
    const envelope = {
      id: `payment.completed:${transactionId}`,
      event_type: "payment.completed",
      environment: "sandbox",
      environment_id: input.environmentId,
      wallet_id: input.walletId,
      node_id: input.nodePubkey,
      data: {
        id: transactionId,
        direction: "receive",
        status: "completed",
        payment_details: { payment_type: "bolt11", payment_request: invoice.paymentRequest, payment_hash: invoice.paymentHash },
        amount: money(amount),
        fee: money(fee),
        settle_amount: money(amount - fee),
        exchange_rate: null,
        description: "Bench invoice",
        settled_at: new Date(now).toISOString(),
        expires_at: new Date(Math.floor(now / 1000) * 1000 + 3600_000).toISOString(),
        metadata: { order_id: randomBytes(6).toString("hex") },
      },
    };
    out.push({ idempotencyKey: envelope.id, transactionId, payload: JSON.stringify(envelope) });
  }
  return out;
}

/**
 * One statement: the webhook events and one PENDING delivery per event (due now), delivery i to
 * `endpointIds[i % endpointIds.length]` (events interleaved over the endpoints, as live traffic
 * would be). Autocommit: returns once committed, i.e. once the NOTIFY has been sent.
 */
export async function insertEventsWithDeliveries(
  client: pg.Client | pg.Pool,
  input: {
    environmentId: string;
    walletId: string;
    events: { idempotencyKey: string; transactionId: string; payload: string }[];
    endpointIds: string[];
  },
): Promise<{ eventIds: string[]; deliveryIds: string[] }> {
  const eventIds = input.events.map(() => randomUUID());
  const deliveryIds = input.events.map(() => randomUUID());
  const endpointOf = input.events.map((_, i) => input.endpointIds[i % input.endpointIds.length]);
  await client.query(
    `WITH ev AS (
       INSERT INTO webhook_events ("id", "environmentId", "walletId", "transactionId", "eventType", "idempotencyKey", "payload", "createdAt")
       SELECT e.id, $1, $2, e.tx, 'payment.completed', e.key, e.payload, now()
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS e(id, tx, key, payload)
       RETURNING id
     )
     INSERT INTO webhook_deliveries ("id", "eventId", "endpointId", "status", "nextAttemptAt", "createdAt", "updatedAt")
     SELECT d.id, d.event, d.endpoint, 'PENDING', now(), now(), now()
     FROM unnest($7::text[], $3::text[], $8::text[]) AS d(id, event, endpoint)`,
    [
      input.environmentId,
      input.walletId,
      eventIds,
      input.events.map((e) => e.transactionId),
      input.events.map((e) => e.idempotencyKey),
      input.events.map((e) => e.payload),
      deliveryIds,
      endpointOf,
    ],
  );
  return { eventIds, deliveryIds };
}

/** seed 001 `x-webhook-signature` of a received request, checked against the endpoint's secret. */
export function seedSignatureValid(secret: string, timestamp: string | undefined, rawBody: string, signature: string | undefined): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  return boltrailSignature(secret, Number(timestamp), rawBody) === signature;
}
