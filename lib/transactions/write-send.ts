import "server-only";
import { sqlTransaction } from "@/lib/db";
import { createBatcher, type Outcome } from "../db-batch";

/**
 * What create_send writes, as one statement inside one explicit transaction: kept (COMMIT) only
 * when every part of it happened, else rolled back whole. Two shapes:
 *
 * - internal (an invoice of this instance): the receive PENDING → COMPLETED (only while pending
 *   and unexpired), the payer's `sent` += amount (only when available covers it), the payee's
 *   `received` += the receive's settle amount, the send inserted already COMPLETED with the
 *   receive's preimage, both timelines, and the webhook events (send pending and completed,
 *   receive completed) with a delivery per matching endpoint;
 * - external: the payer's `reserved` += amount + fee reserve (only when available covers it), the
 *   send inserted PENDING, its first event, the payment.pending webhook event, the job that pays
 *   it (the sandbox's simulated network, or `live.send` through the environment's node).
 *
 * The insert is ON CONFLICT DO NOTHING: an idempotency key or an invoice already taken by a live
 * send of the wallet (the partial unique index) writes nothing. One statement keeps the wallet
 * row locked for one round trip, not for a dozen ORM queries.
 */
export type SendRow = {
  id: string;
  walletId: string;
  environmentId: string;
  assetId: string;
  amount: string;
  amountSats: string | null;
  exchangeRate: string | null;
  description: string | null;
  metadata: string | null;
  idempotencyKey: string;
  paymentRequest: string;
  paymentHash: string;
  expiresAt: string;
  createdAt: string;
  /** createdAt + 1 ms: the completed events sort after the pending ones. */
  completedAt: string;
  total: string;
  feeReserve: string;
  sendRequest: string;
  lightningAddress: string | null;
  successAction: string | null;
  payeePubkey: string;
  pendingEventId: string;
  pendingMessage: string;
  pendingDetails: string;
  sendPendingKey: string;
  sendPendingPayload: string;
  // internal only
  receiveId?: string;
  paymentPreimage?: string | null;
  completedEventId?: string;
  completedDetails?: string;
  receiveEventId?: string;
  receiveDetails?: string;
  sendCompletedKey?: string;
  sendCompletedPayload?: string;
  receiveCompletedKey?: string;
  receiveCompletedPayload?: string;
  /** Both sides' USD value at completion (cents) and rate (USD per whole unit), issue 15 §4. */
  usdCents?: string | null;
  usdRate?: string | null;
  receiveUsdCents?: string;
  receiveUsdRate?: string;
  // external only
  jobId?: string;
  /** The durable job that pays it: `sandbox.send` (default) or `live.send` (lib/nodes/send-payment.ts). */
  jobType?: string;
  /** A live send: the node that pays it (the expiry sweeper leaves it to the node's outcome). */
  nodeId?: string | null;
  /** A live send the client pays on the node (Rails' custody, issue 14); its job only follows the payment (`live.track`). */
  clientPays?: boolean;
  jobPayload?: string;
  runAt?: string;
};

const TEXT = [
  "id", "walletId", "environmentId", "assetId", "exchangeRate", "description", "metadata", "idempotencyKey", "paymentRequest", "paymentHash",
  "sendRequest", "lightningAddress", "successAction", "payeePubkey", "pendingEventId", "pendingMessage", "pendingDetails", "sendPendingKey",
  "sendPendingPayload", "receiveId", "paymentPreimage", "completedEventId", "completedDetails", "receiveEventId", "receiveDetails",
  "sendCompletedKey", "sendCompletedPayload", "receiveCompletedKey", "receiveCompletedPayload", "jobId", "jobPayload", "jobType", "nodeId", "usdRate", "receiveUsdRate",
];
const BIGINT = ["amount", "amountSats", "total", "feeReserve", "usdCents", "receiveUsdCents"];
const TIMESTAMP = ["expiresAt", "createdAt", "completedAt", "runAt"];
const RECORD = [...TEXT.map((c) => `"${c}" text`), ...BIGINT.map((c) => `"${c}" bigint`), ...TIMESTAMP.map((c) => `"${c}" timestamp`), `"clientPays" boolean`].join(", ");

const INSERT_COLUMNS = `id, "walletId", "environmentId", "assetId", direction, status, amount, "amountSats", "exchangeRate", fee, "settleAmount",
  description, metadata, "idempotencyKey", "paymentRequest", "paymentHash", "paymentPreimage", "expiresAt", "settledAt", "createdAt", "updatedAt",
  reserved, "feeReserve", "sendRequest", "lightningAddress", "successAction", "payeePubkey", "counterpartId", "nodeId", "clientPays",
  "settledUsdCents", "settledUsdRate"`;

/**
 * The receive is still payable. Written so that no index can serve it (a cast, an added interval):
 * the receive is found by its id (primary key), and the planner must not prefer the
 * (status, expiresAt) index, which holds every pending invoice of the instance (EXPLAIN showed it
 * scanning all of them, per send).
 */
const STILL_PENDING = (t: string, i: string) => `${t}.status::text = 'PENDING' AND ${t}."expiresAt" + interval '0' > ${i}."createdAt"`;

const deliveries = `wd AS (
    INSERT INTO webhook_deliveries (id, "eventId", "endpointId", "updatedAt")
    SELECT gen_random_uuid()::text, we.id, ep.id, we."createdAt" FROM we JOIN webhook_endpoints ep ON ep."environmentId" = we."environmentId"
    WHERE ep.active AND (ep."walletId" IS NULL OR ep."walletId" = we."walletId") AND (cardinality(ep."eventFilters") = 0 OR we."eventType" = ANY(ep."eventFilters")))`;

const INTERNAL = `WITH i AS (SELECT * FROM json_to_record($1::json) AS i(${RECORD})),
  r AS (
    UPDATE transactions SET status = 'COMPLETED', "settledAt" = i."completedAt", "settleAmount" = transactions.amount - transactions.fee,
      "counterpartId" = i.id, "updatedAt" = i."completedAt", "settledUsdCents" = i."receiveUsdCents", "settledUsdRate" = i."receiveUsdRate"
    FROM i WHERE transactions.id = i."receiveId" AND transactions.direction = 'RECEIVE' AND ${STILL_PENDING("transactions", "i")}
    RETURNING transactions.id, transactions."walletId", transactions."environmentId", transactions."settleAmount"),
  wp AS (
    UPDATE wallets SET sent = sent + i.amount, "updatedAt" = i."createdAt"
    FROM i WHERE wallets.id = i."walletId" AND wallets.received - wallets.sent - wallets.reserved >= i.amount
    RETURNING wallets.id),
  wr AS (
    UPDATE wallets SET received = received + r."settleAmount", "updatedAt" = i."createdAt"
    FROM r, i WHERE wallets.id = r."walletId"
    RETURNING wallets.id),
  t AS (
    INSERT INTO transactions (${INSERT_COLUMNS})
    SELECT id, "walletId", "environmentId", "assetId", 'SEND', 'COMPLETED', amount, "amountSats", "exchangeRate", 0, amount,
      description, metadata, "idempotencyKey", "paymentRequest", "paymentHash", "paymentPreimage", "expiresAt", "completedAt", "createdAt", "completedAt",
      0, 0, "sendRequest", "lightningAddress", "successAction", "payeePubkey", "receiveId", NULL, false,
      "usdCents", "usdRate"
    FROM i
    ON CONFLICT DO NOTHING
    RETURNING id),
  ev AS (
    INSERT INTO transaction_events (id, "transactionId", "eventType", message, details, "createdAt")
    SELECT i."pendingEventId", i.id, 'payment.pending', i."pendingMessage", i."pendingDetails", i."createdAt" FROM i JOIN t ON t.id = i.id
    UNION ALL
    SELECT i."completedEventId", i.id, 'payment.completed', 'Payment sent (internal, no routing fee)', i."completedDetails", i."completedAt" FROM i JOIN t ON t.id = i.id
    UNION ALL
    SELECT i."receiveEventId", r.id, 'payment.completed', 'Paid by a wallet of this Boltrail instance (sandbox)', i."receiveDetails", i."completedAt" FROM i JOIN t ON t.id = i.id JOIN r ON true),
  we AS (
    INSERT INTO webhook_events (id, "environmentId", "walletId", "transactionId", "eventType", "idempotencyKey", payload, "createdAt")
    SELECT gen_random_uuid()::text, i."environmentId", i."walletId", i.id, 'payment.pending', i."sendPendingKey", i."sendPendingPayload", i."createdAt" FROM i JOIN t ON t.id = i.id
    UNION ALL
    SELECT gen_random_uuid()::text, i."environmentId", i."walletId", i.id, 'payment.completed', i."sendCompletedKey", i."sendCompletedPayload", i."completedAt" FROM i JOIN t ON t.id = i.id
    UNION ALL
    SELECT gen_random_uuid()::text, r."environmentId", r."walletId", r.id, 'payment.completed', i."receiveCompletedKey", i."receiveCompletedPayload", i."completedAt" FROM i JOIN t ON t.id = i.id JOIN r ON true
    RETURNING id, "environmentId", "walletId", "eventType", "createdAt"),
  ${deliveries}
  SELECT (SELECT count(*)::int FROM t) AS inserted, (SELECT count(*)::int FROM wp) AS debited, (SELECT count(*)::int FROM r) AS settled, (SELECT count(*)::int FROM wr) AS credited`;

const EXTERNAL = `WITH i AS (SELECT * FROM json_to_record($1::json) AS i(${RECORD})),
  wp AS (
    UPDATE wallets SET reserved = reserved + i.total, "updatedAt" = i."createdAt"
    FROM i WHERE wallets.id = i."walletId" AND wallets.received - wallets.sent - wallets.reserved >= i.total
    RETURNING wallets.id),
  t AS (
    INSERT INTO transactions (${INSERT_COLUMNS})
    SELECT id, "walletId", "environmentId", "assetId", 'SEND', 'PENDING', amount, "amountSats", "exchangeRate", 0, NULL,
      description, metadata, "idempotencyKey", "paymentRequest", "paymentHash", NULL, "expiresAt", NULL, "createdAt", "createdAt",
      total, "feeReserve", "sendRequest", "lightningAddress", "successAction", "payeePubkey", NULL, "nodeId", coalesce("clientPays", false),
      NULL, NULL
    FROM i
    ON CONFLICT DO NOTHING
    RETURNING id),
  ev AS (
    INSERT INTO transaction_events (id, "transactionId", "eventType", message, details, "createdAt")
    SELECT i."pendingEventId", i.id, 'payment.pending', i."pendingMessage", i."pendingDetails", i."createdAt" FROM i JOIN t ON t.id = i.id),
  we AS (
    INSERT INTO webhook_events (id, "environmentId", "walletId", "transactionId", "eventType", "idempotencyKey", payload, "createdAt")
    SELECT gen_random_uuid()::text, i."environmentId", i."walletId", i.id, 'payment.pending', i."sendPendingKey", i."sendPendingPayload", i."createdAt" FROM i JOIN t ON t.id = i.id
    RETURNING id, "environmentId", "walletId", "eventType", "createdAt"),
  ${deliveries},
  j AS (
    INSERT INTO jobs (id, type, payload, "runAt", "createdAt")
    SELECT i."jobId", coalesce(i."jobType", 'sandbox.send'), i."jobPayload"::jsonb, i."runAt", i."createdAt" FROM i JOIN t ON t.id = i.id)
  SELECT (SELECT count(*)::int FROM t) AS inserted, (SELECT count(*)::int FROM wp) AS debited, 1 AS settled, 1 AS credited`;

/**
 * `written`: kept. `duplicate`: the key or the invoice is taken (nothing kept). `insufficient`: the
 * available balance does not cover it. `unpayable`: the receive is no longer pending (internal).
 */
export type SendWrite = "written" | "duplicate" | "insufficient" | "unpayable";

/** One send on its own: the exact answer for it (the batch's fallback). */
export function writeSendAlone(row: SendRow): Promise<SendWrite> {
  const internal = row.receiveId !== undefined;
  return sqlTransaction(async (query) => {
    const [r] = await query<{ inserted: number; debited: number; settled: number; credited: number }>(internal ? INTERNAL : EXTERNAL, [JSON.stringify(row)], { prepared: true });
    const outcome: SendWrite = r.inserted !== 1 ? "duplicate" : r.debited !== 1 ? "insufficient" : r.settled !== 1 || r.credited !== 1 ? "unpayable" : "written";
    return { commit: outcome === "written", value: outcome };
  });
}

// ---------------------------------------------------------------------------------------------
// Many sends in one statement and one commit (sends created at the same moment, lib/db-batch.ts):
// a wallet's row is then locked once per batch, not once per send, which is what bounds the send
// rate of one wallet. Each payer wallet is locked first (FOR NO KEY UPDATE, in id order) and read
// as it is now; the batch's sends of a wallet are accepted in order while their running total fits
// its available balance; every wallet's change (sent, reserved, and the payees' received) is one
// UPDATE per wallet. The batch is kept only when every accepted send was inserted and every
// accepted internal payment settled its receive; else it is rolled back whole. Every send not kept
// (refused by the balance, already paid, a duplicate, or the batch rolled back) is then written on
// its own (writeSendAlone), which gives its exact answer, as it would have had alone.

const BATCH = `WITH i AS (SELECT * FROM json_to_recordset($1::json) AS i(${RECORD}, ord int, internal boolean)),
  w AS (
    SELECT wallets.id, wallets.received - wallets.sent - wallets.reserved AS available FROM wallets
    WHERE wallets.id IN (SELECT "walletId" FROM i) ORDER BY wallets.id FOR NO KEY UPDATE),
  -- Correlated LIMIT 1 subqueries and id = ANY($2): index probes per send, never a hash join
  -- over the whole transactions table (the planner guesses 100 rows for a JSON recordset).
  ok AS (
    SELECT i.* FROM i
    WHERE (SELECT 1 FROM transactions x WHERE x."walletId" = i."walletId" AND x."idempotencyKey" = i."idempotencyKey" LIMIT 1) IS NULL
      AND (SELECT 1 FROM transactions x WHERE x."walletId" = i."walletId" AND x."paymentHash" = i."paymentHash" AND x.direction = 'SEND' AND x.status IN ('PENDING', 'COMPLETED') LIMIT 1) IS NULL
      AND (NOT i.internal OR (SELECT 1 FROM transactions x WHERE x.id = i."receiveId" AND ${STILL_PENDING("x", "i")} LIMIT 1) IS NOT NULL)),
  running AS (
    SELECT ok.*, sum(CASE WHEN ok.internal THEN ok.amount ELSE ok.total END) OVER (PARTITION BY ok."walletId" ORDER BY ok.ord) AS cumulative FROM ok),
  a AS (SELECT running.* FROM running JOIN w ON w.id = running."walletId" WHERE running.cumulative <= w.available),
  r AS (
    UPDATE transactions SET status = 'COMPLETED', "settledAt" = a."completedAt", "settleAmount" = transactions.amount - transactions.fee,
      "counterpartId" = a.id, "updatedAt" = a."completedAt", "settledUsdCents" = a."receiveUsdCents", "settledUsdRate" = a."receiveUsdRate"
    FROM a WHERE transactions.id = ANY($2::text[]) AND a.internal AND transactions.id = a."receiveId" AND transactions.direction = 'RECEIVE'
      AND ${STILL_PENDING("transactions", "a")}
    RETURNING transactions.id, transactions."walletId", transactions."environmentId", transactions."settleAmount", a.id AS "sendId"),
  d AS (
    SELECT "walletId" AS id, sum(sent) AS sent, sum(reserved) AS reserved, sum(received) AS received FROM (
      SELECT "walletId", CASE WHEN internal THEN amount ELSE 0 END AS sent, CASE WHEN internal THEN 0 ELSE total END AS reserved, 0::bigint AS received FROM a
      UNION ALL
      SELECT "walletId", 0, 0, "settleAmount" FROM r) x
    GROUP BY "walletId"),
  wu AS (
    UPDATE wallets SET sent = wallets.sent + d.sent, reserved = wallets.reserved + d.reserved, received = wallets.received + d.received, "updatedAt" = now()
    FROM d WHERE wallets.id = d.id
    RETURNING wallets.id),
  t AS (
    INSERT INTO transactions (${INSERT_COLUMNS})
    SELECT id, "walletId", "environmentId", "assetId", 'SEND',
      CASE WHEN internal THEN 'COMPLETED' ELSE 'PENDING' END::"TransactionStatus", amount, "amountSats", "exchangeRate", 0,
      CASE WHEN internal THEN amount END, description, metadata, "idempotencyKey", "paymentRequest", "paymentHash",
      CASE WHEN internal THEN "paymentPreimage" END, "expiresAt", CASE WHEN internal THEN "completedAt" END, "createdAt",
      CASE WHEN internal THEN "completedAt" ELSE "createdAt" END,
      CASE WHEN internal THEN 0 ELSE total END, "feeReserve", "sendRequest", "lightningAddress", "successAction", "payeePubkey",
      CASE WHEN internal THEN "receiveId" END, CASE WHEN internal THEN NULL ELSE "nodeId" END, NOT internal AND coalesce("clientPays", false),
      CASE WHEN internal THEN "usdCents" END, CASE WHEN internal THEN "usdRate" END
    FROM a
    ON CONFLICT DO NOTHING
    RETURNING id),
  ev AS (
    INSERT INTO transaction_events (id, "transactionId", "eventType", message, details, "createdAt")
    SELECT a."pendingEventId", a.id, 'payment.pending', a."pendingMessage", a."pendingDetails", a."createdAt" FROM a JOIN t ON t.id = a.id
    UNION ALL
    SELECT a."completedEventId", a.id, 'payment.completed', 'Payment sent (internal, no routing fee)', a."completedDetails", a."completedAt" FROM a JOIN t ON t.id = a.id WHERE a.internal
    UNION ALL
    SELECT a."receiveEventId", r.id, 'payment.completed', 'Paid by a wallet of this Boltrail instance (sandbox)', a."receiveDetails", a."completedAt" FROM a JOIN t ON t.id = a.id JOIN r ON r."sendId" = a.id),
  we AS (
    INSERT INTO webhook_events (id, "environmentId", "walletId", "transactionId", "eventType", "idempotencyKey", payload, "createdAt")
    SELECT gen_random_uuid()::text, a."environmentId", a."walletId", a.id, 'payment.pending', a."sendPendingKey", a."sendPendingPayload", a."createdAt" FROM a JOIN t ON t.id = a.id
    UNION ALL
    SELECT gen_random_uuid()::text, a."environmentId", a."walletId", a.id, 'payment.completed', a."sendCompletedKey", a."sendCompletedPayload", a."completedAt" FROM a JOIN t ON t.id = a.id WHERE a.internal
    UNION ALL
    SELECT gen_random_uuid()::text, r."environmentId", r."walletId", r.id, 'payment.completed', a."receiveCompletedKey", a."receiveCompletedPayload", a."completedAt" FROM a JOIN t ON t.id = a.id JOIN r ON r."sendId" = a.id
    RETURNING id, "environmentId", "walletId", "eventType", "createdAt"),
  ${deliveries},
  j AS (
    INSERT INTO jobs (id, type, payload, "runAt", "createdAt")
    SELECT a."jobId", coalesce(a."jobType", 'sandbox.send'), a."jobPayload"::jsonb, a."runAt", a."createdAt" FROM a JOIN t ON t.id = a.id WHERE NOT a.internal)
  SELECT coalesce((SELECT json_agg(ord) FROM a), '[]'::json) AS accepted, (SELECT count(*)::int FROM t) AS inserted,
    (SELECT count(*)::int FROM r) AS settled, (SELECT count(*)::int FROM a WHERE a.internal) AS internal`;

/** The ords of the sends the batch kept (none when it was rolled back). */
async function writeTogether(rows: (SendRow & { ord: number; internal: boolean })[]): Promise<Set<number>> {
  return sqlTransaction(async (query) => {
    const receiveIds = rows.flatMap((row) => (row.receiveId ? [row.receiveId] : []));
    const [r] = await query<{ accepted: number[]; inserted: number; settled: number; internal: number }>(BATCH, [JSON.stringify(rows), receiveIds], { prepared: true });
    const complete = r.inserted === r.accepted.length && r.settled === r.internal;
    return { commit: complete, value: complete ? new Set(r.accepted) : new Set<number>() };
  });
}

const isDeadlock = (err: unknown) => ["40P01", "40001"].includes(String((err as { code?: unknown } | null)?.code));

async function runBatch(rows: SendRow[]): Promise<Outcome<SendWrite>[]> {
  const outcomes: Outcome<SendWrite>[] = new Array(rows.length);
  // Sends that could collide (same key, invoice or receive) are never in one statement: the later ones go alone, after it.
  const seen = new Set<string>();
  const together: number[] = [];
  const alone: number[] = [];
  rows.forEach((row, n) => {
    const keys = [`k:${row.walletId}:${row.idempotencyKey}`, `h:${row.walletId}:${row.paymentHash}`, ...(row.receiveId ? [`r:${row.receiveId}`] : [])];
    if (keys.some((k) => seen.has(k))) alone.push(n);
    else together.push(n);
    keys.forEach((k) => seen.add(k));
  });
  let kept = new Set<number>();
  if (together.length > 1) {
    const input = together.map((n) => ({ ...rows[n], ord: n, internal: rows[n].receiveId !== undefined }));
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        kept = await writeTogether(input);
        break;
      } catch (err) {
        // Any failure (a deadlock with another batch, a wallet deleted meanwhile): each send alone decides.
        if (!isDeadlock(err)) break;
      }
    }
  }
  for (const n of together) if (kept.has(n)) outcomes[n] = { ok: true, value: "written" };
  const rest = [...together.filter((n) => !kept.has(n)), ...alone];
  await Promise.all(
    rest
      .filter((n) => !alone.includes(n))
      .map(async (n) => {
        outcomes[n] = await settle(() => writeSendAlone(rows[n]));
      }),
  );
  for (const n of alone) outcomes[n] = await settle(() => writeSendAlone(rows[n]));
  return outcomes;
}

async function settle(run: () => Promise<SendWrite>): Promise<Outcome<SendWrite>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      if (isDeadlock(error) && attempt < 5) continue;
      return { ok: false, error };
    }
  }
}

const sendWrites = createBatcher<SendRow, SendWrite>({ run: runBatch, maxInFlight: 3, maxBatch: 64 });

/** Writes one send (batched with those created at the same moment); rejects with the driver's error (e.g. 23503 when the wallet is gone). */
export function writeSend(row: SendRow): Promise<SendWrite> {
  return sendWrites.submit(row);
}
