import "server-only";
import { sql } from "@/lib/db";
import { createBatcher, type Outcome } from "../db-batch";

/** Everything create_receive writes for one invoice, as stored (timestamps: UTC, without a zone). */
export type ReceiveRow = {
  id: string;
  walletId: string;
  environmentId: string;
  assetId: string;
  amount: string;
  amountSats: string | null;
  exchangeRate: string | null;
  /** A USD-priced invoice: its price in US cents and the rate it was converted at (issue 15 §4). */
  pricedUsdCents: string | null;
  pricedUsdRate: string | null;
  fee: string;
  description: string | null;
  metadata: string | null;
  idempotencyKey: string;
  paymentRequest: string;
  paymentHash: string;
  /** Sandbox: the preimage Boltrail made. Live: null (the node holds it). */
  paymentPreimage: string | null;
  /** Live: the node that minted the invoice. */
  nodeId: string | null;
  expiresAt: string;
  createdAt: string;
  eventId: string;
  eventDetails: string;
  webhookEventId: string;
  envelopeId: string;
  payload: string;
  /** Sandbox: the settlement job. Live: null (settlement comes from the node). */
  jobId: string | null;
  jobPayload: string | null;
  runAt: string | null;
};

/** `created`: the rows were written. `exists`: the wallet already has a transaction with this idempotency key; nothing was written. */
export type ReceiveWrite = "created" | "exists";

const COLUMNS: { key: keyof ReceiveRow; type: string }[] = [
  { key: "id", type: "text" },
  { key: "walletId", type: "text" },
  { key: "environmentId", type: "text" },
  { key: "assetId", type: "text" },
  { key: "amount", type: "bigint" },
  { key: "amountSats", type: "bigint" },
  { key: "exchangeRate", type: "text" },
  { key: "pricedUsdCents", type: "bigint" },
  { key: "pricedUsdRate", type: "text" },
  { key: "fee", type: "bigint" },
  { key: "description", type: "text" },
  { key: "metadata", type: "text" },
  { key: "idempotencyKey", type: "text" },
  { key: "paymentRequest", type: "text" },
  { key: "paymentHash", type: "text" },
  { key: "paymentPreimage", type: "text" },
  { key: "nodeId", type: "text" },
  { key: "expiresAt", type: "timestamp" },
  { key: "createdAt", type: "timestamp" },
  { key: "eventId", type: "text" },
  { key: "eventDetails", type: "text" },
  { key: "webhookEventId", type: "text" },
  { key: "envelopeId", type: "text" },
  { key: "payload", type: "text" },
  { key: "jobId", type: "text" },
  { key: "jobPayload", type: "text" },
  { key: "runAt", type: "timestamp" },
];

/**
 * One statement, so one atomic write per invoice: the transaction, its first event, the
 * payment.pending webhook event with a delivery per matching endpoint (outbox), and (sandbox) the
 * settlement job. It takes any number of invoices (a JSON array of rows); an invoice whose
 * (wallet, idempotency key) already exists writes nothing at all, and its id is not returned.
 */
const WRITE_RECEIVES = `WITH i AS (
    SELECT * FROM json_to_recordset($1::json) AS i(${COLUMNS.map((c) => `"${c.key}" ${c.type}`).join(", ")})),
  t AS (
    INSERT INTO transactions (id, "walletId", "environmentId", "assetId", direction, status, amount, "amountSats", "exchangeRate", fee,
                              description, metadata, "idempotencyKey", "paymentRequest", "paymentHash", "paymentPreimage", "nodeId", "expiresAt", "createdAt", "updatedAt",
                              "pricedUsdCents", "pricedUsdRate")
    SELECT id, "walletId", "environmentId", "assetId", 'RECEIVE'::"TransactionDirection", 'PENDING'::"TransactionStatus", amount, "amountSats", "exchangeRate", fee,
           description, metadata, "idempotencyKey", "paymentRequest", "paymentHash", "paymentPreimage", "nodeId", "expiresAt", "createdAt", "createdAt",
           "pricedUsdCents", "pricedUsdRate"
    FROM i
    ON CONFLICT ("walletId", "idempotencyKey") DO NOTHING
    RETURNING id),
  ev AS (
    INSERT INTO transaction_events (id, "transactionId", "eventType", message, details, "createdAt")
    SELECT i."eventId", i.id, 'payment.pending', 'Invoice created', i."eventDetails", i."createdAt" FROM i JOIN t ON t.id = i.id),
  we AS (
    INSERT INTO webhook_events (id, "environmentId", "walletId", "transactionId", "eventType", "idempotencyKey", payload, "createdAt")
    SELECT i."webhookEventId", i."environmentId", i."walletId", i.id, 'payment.pending', i."envelopeId", i.payload, i."createdAt" FROM i JOIN t ON t.id = i.id
    RETURNING id, "environmentId", "walletId", "createdAt"),
  wd AS (
    INSERT INTO webhook_deliveries (id, "eventId", "endpointId", "updatedAt")
    SELECT gen_random_uuid()::text, we.id, ep.id, we."createdAt" FROM we JOIN webhook_endpoints ep ON ep."environmentId" = we."environmentId"
    WHERE ep.active AND (ep."walletId" IS NULL OR ep."walletId" = we."walletId") AND (cardinality(ep."eventFilters") = 0 OR 'payment.pending' = ANY(ep."eventFilters"))),
  j AS (
    INSERT INTO jobs (id, type, payload, "runAt", "createdAt")
    SELECT i."jobId", 'sandbox.settle', i."jobPayload"::jsonb, i."runAt", i."createdAt" FROM i JOIN t ON t.id = i.id WHERE i."jobId" IS NOT NULL)
  SELECT id FROM t`;

/** The SQLSTATE of an error from the pg driver (23503 foreign_key_violation, 40P01 deadlock_detected…). */
export const pgErrorCode = (err: unknown) => (err as { code?: unknown } | null)?.code;

async function writeTogether(rows: ReceiveRow[]): Promise<ReceiveWrite[]> {
  // The rows as one JSON array (the driver's per-element escaping of array parameters costs more).
  const written = await sql<{ id: string }>(WRITE_RECEIVES, [JSON.stringify(rows)], { prepared: true });
  const created = new Set(written.map((r) => r.id));
  return rows.map((row) => (created.has(row.id) ? "created" : "exists"));
}

/**
 * A batch of invoices (those created at the same moment, lib/db-batch.ts) in one statement.
 * Invoices that reuse an idempotency key of the same batch go in a statement after it, so the
 * first one wins as it would one after the other. When the statement fails (a wallet deleted
 * meanwhile: foreign key), every invoice is written on its own, so each gets its own answer.
 */
async function runBatch(rows: ReceiveRow[]): Promise<Outcome<ReceiveWrite>[]> {
  const seen = new Set<string>();
  const first: number[] = [];
  const later: number[] = [];
  rows.forEach((row, n) => {
    const key = `${row.walletId}\u0000${row.idempotencyKey}`;
    (seen.has(key) ? later : first).push(n);
    seen.add(key);
  });
  const outcomes: Outcome<ReceiveWrite>[] = new Array(rows.length);
  const write = async (indexes: number[]) => {
    // One order for every batch (wallet, key), so two batches replaying each other's keys wait on one another instead of deadlocking.
    const ordered = [...indexes].sort((a, b) => compare(rows[a], rows[b]));
    try {
      const results = await writeTogether(ordered.map((n) => rows[n]));
      ordered.forEach((n, k) => (outcomes[n] = { ok: true, value: results[k] }));
    } catch (error) {
      if (ordered.length === 1) {
        outcomes[ordered[0]] = { ok: false, error };
        return;
      }
      await Promise.all(ordered.map((n) => write([n])));
    }
  };
  await write(first);
  // Each replay within the batch after the first writer of its key: sequentially, as they arrived.
  for (const n of later) await write([n]);
  return outcomes;
}

const compare = (a: ReceiveRow, b: ReceiveRow) =>
  a.walletId < b.walletId ? -1 : a.walletId > b.walletId ? 1 : a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0;

const receiveWrites = createBatcher<ReceiveRow, ReceiveWrite>({ run: runBatch, maxInFlight: 3, maxBatch: 64 });

/** Writes one invoice (batched with those created at the same moment). Rejects with the driver's error (e.g. 23503 when the wallet is gone). */
export function writeReceive(row: ReceiveRow): Promise<ReceiveWrite> {
  return receiveWrites.submit(row);
}
