import "server-only";
import { db, sql } from "@/lib/db";
import { decryptSecret } from "../crypto";
import { lndStream, LndError, type LndConnection } from "../lightning/lnd-rest";
import { transition } from "../transactions/lifecycle";
import { callOptions, connectionOf } from "./node-connection";

/**
 * Live sends through the node's router (DESIGN.md §6, issue 13 §3), run as the durable job
 * `live.send` that create_send enqueues in the statement that reserves the amount and inserts the
 * send. The attempt is recorded before the node is called, and the node decides what happened:
 *
 * 1. `GET /v2/router/track/{hash}`: if the node knows the payment (a run that died mid-payment,
 *    or a concurrent run), follow it to its outcome; never send again;
 * 2. only when the node answers "payment isn't initiated": `POST /v2/router/send`
 *    (`fee_limit_sat` = the reserve, `timeout_seconds`, `no_inflight_updates`), followed to its
 *    outcome; "payment is in transition" / "invoice is already paid" (HTTP 409, ALREADY_EXISTS: another
 *    run sent it meanwhile) → follow it by track.
 *
 * LND's control tower refuses a second payment of a hash in flight or succeeded, so even two runs
 * at once pay at most once. A payment still in flight after FOLLOW_MS (an HTLC held by a hop) ends
 * this run with a follow-up job: the lease never runs out under a run that waits.
 */

export const LIVE_SEND_JOB = "live.send";
/** LND's SendPaymentV2 timeout_seconds: how long the router keeps trying new routes. */
export const PAYMENT_TIMEOUT_SECONDS = 60;
/** How long one run follows a payment before handing over to a follow-up job (under the job lease, 30 s). */
const FOLLOW_MS = 20_000;
const FOLLOW_UP_DELAY_MS = 2_000;
/**
 * A send the client pays (issue 14): how soon its payment is first looked for on the node, and
 * how often again while the node has not seen it (it answers "payment isn't initiated") — every
 * second for its first minute, then every CLIENT_PAY_SLOW_POLL_MS until the invoice expires.
 */
export const CLIENT_PAY_POLL_MS = 1_000;
const CLIENT_PAY_SLOW_POLL_MS = 5_000;

/** LND's routerrpc Payment, the fields Boltrail reads (payment_hash and payment_preimage are hex). */
export type LndPayment = {
  payment_hash: string;
  payment_preimage: string;
  status: "UNKNOWN" | "IN_FLIGHT" | "SUCCEEDED" | "FAILED" | "INITIATED";
  fee_msat: string;
  failure_reason: string;
};

const FAILURE_MESSAGES: Record<string, string> = {
  FAILURE_REASON_NO_ROUTE: "no route to the payee: open or rebalance a channel",
  FAILURE_REASON_TIMEOUT: "the node found no working route before the payment timed out; try again later",
  FAILURE_REASON_INSUFFICIENT_BALANCE: "the node's channels do not have enough outbound balance for this payment and its fees",
  FAILURE_REASON_INCORRECT_PAYMENT_DETAILS: "the payee rejected the payment (unknown invoice, wrong amount, or already paid or canceled)",
  FAILURE_REASON_ERROR: "the node reported an error while paying",
  FAILURE_REASON_CANCELED: "the payment was canceled on the node",
};

/** A human error for LND's failure_reason. */
export function failureMessage(reason: string | null | undefined): string {
  return (reason && FAILURE_MESSAGES[reason]) ?? `the payment failed on the node (${reason || "no reason given"})`;
}

/** Whole sats of a fee in msat, rounded up (the wallet is never charged less than was paid). */
export const feeSats = (feeMsat: string | null | undefined) => (BigInt(feeMsat || "0") + BigInt(999)) / BigInt(1000);

/** A payment hash as LND's REST gateway takes bytes in a path: URL-safe base64, padded. */
export const hashPath = (hex: string) => Buffer.from(hex, "hex").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");

/** The node's send connection: its REST URL and certificate with the send macaroon. */
export function sendConnectionOf(node: { restUrl: string; tlsCertEncrypted: string | null; sendMacaroonEncrypted: string }): LndConnection {
  return {
    restUrl: node.restUrl,
    tlsCertPem: node.tlsCertEncrypted ? decryptSecret(node.tlsCertEncrypted).toString("utf8") : null,
    macaroonHex: decryptSecret(node.sendMacaroonEncrypted).toString("utf8"),
  };
}

// LND answers these with its control tower's messages (channeldb: ErrPaymentNotInitiated,
// ErrPaymentInFlight, ErrAlreadyPaid, ErrPaymentExists…), with gRPC code NOT_FOUND / ALREADY_EXISTS
// or UNKNOWN depending on the version: the message decides, the code is a fallback.
export const isNotInitiated = (err: unknown) => err instanceof LndError && err.kind === "node" && (/isn.t initiated|not initiated/i.test(err.message) || err.grpcCode === 5);
const isAlreadyThere = (err: unknown) =>
  err instanceof LndError && err.kind === "node" && (/in transition|in flight|already (paid|exists|succeeded)/i.test(err.message) || err.grpcCode === 6);

/**
 * Reads a router stream (send or track) until the payment is final: the final Payment, or null
 * when the stream ended, or `window` ran out, before it was.
 */
async function follow(conn: LndConnection, method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal): Promise<LndPayment | null> {
  let final: LndPayment | null = null;
  let handle: Awaited<ReturnType<typeof lndStream<LndPayment>>> | null = null;
  const onAbort = () => handle?.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    handle = await lndStream<LndPayment>(
      conn,
      method,
      path,
      body,
      (payment) => {
        if (payment.status === "SUCCEEDED" || payment.status === "FAILED") {
          final = payment;
          handle?.close();
        }
      },
      { ...callOptions({ signal }), connectTimeoutMs: 10_000 },
    );
    if (signal.aborted) handle.close();
    await handle.done.catch((err) => {
      if (!final && !signal.aborted) throw err;
    });
  } catch (err) {
    // The window (or the caller) cut the wait short: no outcome yet, which is not an error.
    if (signal.aborted && err instanceof LndError && err.kind === "unreachable") return final;
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return final;
}

type Outcome = { kind: "final"; payment: LndPayment } | { kind: "in-flight" } | { kind: "not-initiated" };

async function track(conn: LndConnection, paymentHash: string, signal: AbortSignal): Promise<Outcome> {
  try {
    const payment = await follow(conn, "GET", `/v2/router/track/${hashPath(paymentHash)}?no_inflight_updates=true`, undefined, signal);
    return payment ? { kind: "final", payment } : { kind: "in-flight" };
  } catch (err) {
    if (isNotInitiated(err)) return { kind: "not-initiated" };
    throw err;
  }
}

export type LiveSendOptions = {
  /** Aborting it stops the run as a crash would (tests): the outcome is left to the next run. */
  signal?: AbortSignal;
  /** How long this run follows a payment in flight before handing over to a follow-up job. */
  followMs?: number;
};

/** The `live.send` job: pays (or finds the outcome of) one pending live send. */
export async function runLiveSend(payload: unknown, options: LiveSendOptions = {}): Promise<void> {
  const { transactionId } = payload as { transactionId: string };
  const tx = await db.transaction.findUnique({
    where: { id: transactionId },
    select: { status: true, direction: true, nodeId: true, paymentHash: true, paymentRequest: true, feeReserve: true, expiresAt: true, clientPays: true, createdAt: true },
  });
  if (!tx || tx.status !== "PENDING" || tx.direction !== "SEND" || !tx.nodeId || !tx.paymentHash || !tx.paymentRequest) return;
  const node = await db.lightningNode.findUnique({
    where: { id: tx.nodeId },
    select: { id: true, restUrl: true, tlsCertEncrypted: true, sendMacaroonEncrypted: true, macaroonEncrypted: true },
  });
  // Without the node or its send macaroon the outcome cannot be learned (nor the payment made):
  // the job fails and is retried; the send stays pending with its reserve, never guessed.
  if (!node) throw new Error(`the node ${tx.nodeId} of send ${transactionId} is no longer attached`);
  if (tx.clientPays) return followClientPayment(transactionId, { ...tx, paymentHash: tx.paymentHash }, connectionOf(node), node.id, options);
  if (!node.sendMacaroonEncrypted) throw new Error(`the node ${node.id} has no send macaroon any more; store one to resolve send ${transactionId}`);
  const conn = sendConnectionOf({ ...node, sendMacaroonEncrypted: node.sendMacaroonEncrypted });

  const window = AbortSignal.timeout(options.followMs ?? FOLLOW_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, window]) : window;
  let outcome = await track(conn, tx.paymentHash, signal);
  if (outcome.kind === "not-initiated") {
    if (options.signal?.aborted) return;
    if (tx.expiresAt && tx.expiresAt.getTime() <= Date.now()) {
      // The node never tried it, and now it cannot: nothing was paid.
      await transition(transactionId, "FAILED", { error: "the invoice expired before the node could pay it", details: { node_id: node.id, source: "node" } });
      return;
    }
    const body = {
      payment_request: tx.paymentRequest,
      fee_limit_sat: (tx.feeReserve ?? BigInt(0)).toString(),
      timeout_seconds: PAYMENT_TIMEOUT_SECONDS,
      no_inflight_updates: true,
    };
    try {
      const payment = await follow(conn, "POST", "/v2/router/send", body, signal);
      outcome = payment ? { kind: "final", payment } : { kind: "in-flight" };
    } catch (err) {
      if (!isAlreadyThere(err)) throw err;
      // Another run sent it meanwhile (or the node finished it): its outcome is the node's.
      outcome = await track(conn, tx.paymentHash, signal);
    }
  }
  if (options.signal?.aborted) return;
  if (outcome.kind !== "final") {
    // Still in flight (or not visible yet): a follow-up run looks again; this run ends, its lease with it.
    await enqueueLiveSend(transactionId, new Date(Date.now() + FOLLOW_UP_DELAY_MS));
    return;
  }
  await applyOutcome(transactionId, node.id, outcome.payment);
}

/**
 * A send the client pays on the node (Rails' custody, issue 14): Boltrail never pays it, it only
 * follows it by its hash with the management macaroon (`GET /v2/router/track/{hash}`). Until the
 * node has seen the payment ("payment isn't initiated") it looks again shortly; once the invoice
 * has expired unpaid (LND refuses to start paying an expired invoice) the send is EXPIRED and its
 * reserve released. A payment in flight is followed to its outcome, past the invoice's expiry.
 */
async function followClientPayment(
  transactionId: string,
  tx: { paymentHash: string; expiresAt: Date | null; createdAt: Date },
  conn: LndConnection,
  nodeId: string,
  options: LiveSendOptions,
): Promise<void> {
  const window = AbortSignal.timeout(options.followMs ?? FOLLOW_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, window]) : window;
  const outcome = await track(conn, tx.paymentHash, signal);
  if (options.signal?.aborted) return;
  if (outcome.kind === "final") return applyOutcome(transactionId, nodeId, outcome.payment);
  const now = Date.now();
  if (outcome.kind === "not-initiated" && tx.expiresAt && tx.expiresAt.getTime() <= now) {
    await transition(transactionId, "EXPIRED", { error: "the invoice expired before it was paid on the node", details: { node_id: nodeId, source: "node" } });
    return;
  }
  const delay = outcome.kind === "in-flight" ? FOLLOW_UP_DELAY_MS : now - tx.createdAt.getTime() < 60_000 ? CLIENT_PAY_POLL_MS : CLIENT_PAY_SLOW_POLL_MS;
  await enqueueLiveSend(transactionId, new Date(now + delay));
}

/** Books the node's final answer: COMPLETED with preimage and fee, or FAILED with a human error; the reserve is released either way. */
async function applyOutcome(transactionId: string, nodeId: string, payment: LndPayment): Promise<void> {
  if (payment.status === "SUCCEEDED") {
    await transition(transactionId, "COMPLETED", {
      fee: feeSats(payment.fee_msat),
      preimage: payment.payment_preimage && !/^0+$/.test(payment.payment_preimage) ? payment.payment_preimage : null,
      message: "Payment sent through the node",
      details: { node_id: nodeId, fee_msat: payment.fee_msat, source: "node" },
    });
  } else {
    const error = failureMessage(payment.failure_reason);
    await transition(transactionId, "FAILED", { error, details: { node_id: nodeId, failure_reason: payment.failure_reason, source: "node" } });
  }
}

export async function enqueueLiveSend(transactionId: string, runAt: Date): Promise<void> {
  await db.job.create({ data: { type: LIVE_SEND_JOB, payload: { transactionId }, runAt } });
}

/**
 * Worker start: every pending live send without a live.send job still to run (its job gave up
 * after repeated failures, e.g. while the node was away) gets one, so it is resolved by track.
 */
export async function recoverLiveSends(): Promise<number> {
  const rows = await sql<{ n: number }>(
    `WITH q AS (
       INSERT INTO jobs (id, type, payload, "runAt", "createdAt")
       SELECT gen_random_uuid()::text, '${LIVE_SEND_JOB}', jsonb_build_object('transactionId', t.id), now(), now()
       FROM transactions t
       WHERE t.direction = 'SEND' AND t.status = 'PENDING' AND t."nodeId" IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.type = '${LIVE_SEND_JOB}' AND j."doneAt" IS NULL AND j.payload->>'transactionId' = t.id)
       RETURNING 1)
     SELECT count(*)::int AS n FROM q`,
    [],
  );
  return rows[0]?.n ?? 0;
}
