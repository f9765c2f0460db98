import "server-only";
import type { z } from "zod";
import { createUlidFactory } from "@/lib/ids";
import { randomUUID } from "node:crypto";
import { db, sql } from "@/lib/db";
import { pgErrorCode, writeReceive, type ReceiveWrite } from "./write-receives";
import { AppError, badInput, forbidden, notFound } from "../errors";
import { sha256Hex } from "../crypto";
import { lndCall, LndError } from "../lightning/lnd-rest";
import { callOptions, connectionOf, hashHex } from "../nodes/node-connection";
import { nodeOfEnvironment } from "../nodes/query-nodes";
import { buildEnvelope } from "../webhooks/events";
import type { Actor } from "../auth/actor";
import { assertWalletInKeyScope, authorize, keyReachesEnvironment } from "../auth/permissions";
import { env } from "../env";
import { priceInUsd, quoteInSats } from "../assets/prices";
import { signInvoice } from "../lightning/bolt11";
import { checkMinorAmount } from "../money";
import { parseInput } from "../validation";
import { parseMetadata } from "./metadata";
import { assetOf, forgetWalletContext, nodeKeyOf, walletContext, type WalletRow } from "./wallet-context";
import { CreateReceiveInput, DEFAULT_EXPIRY_SECONDS } from "./schemas";
import { TRANSACTION_SELECT, toTransactionView, type TransactionView } from "./transaction-view";

const ulid = createUlidFactory();

export const newTransactionId = () => `tx_${ulid()}`;

/**
 * create_receive (DESIGN.md §6): validates everything, signs a real BOLT11 invoice with the
 * environment's node key, and writes the transaction, its first event, the payment.pending webhook
 * event and (sandbox) the settlement job in one database transaction. A replayed idempotency key
 * in the same wallet returns the original transaction, also under concurrent replays: the unique
 * index decides, not a check-then-insert (a replay signs an invoice that is never stored).
 */
export async function createReceive(actor: Actor, raw: unknown): Promise<TransactionView> {
  authorize(actor, "PAYMENTS", "WRITE");
  const input = parseInput(CreateReceiveInput, raw, "input");
  assertWalletInKeyScope(actor, input.wallet_id);

  const wallet = await walletContext(input.wallet_id);
  if (!wallet || wallet.teamId !== actor.teamId || !keyReachesEnvironment(actor, wallet.environmentId)) throw notFound("Wallet");

  const { amount, usdPrice } = receiveAmount(input, assetOf(wallet));
  const metadata = parseMetadata(input.metadata);
  return issueReceive(wallet, {
    amount,
    usdPrice,
    description: input.description ?? null,
    expirySeconds: input.expires_in_seconds ?? DEFAULT_EXPIRY_SECONDS,
    idempotencyKey: input.idempotency_key ?? null,
    metadata,
  });
}

/**
 * The invoice's amount: `amount` in the asset's minor units, or (Boltrail extension, issue 15 §4)
 * `amount_usd_cents` converted at today's price, rounded up so the merchant never receives less
 * than the price asked. Exactly one of them; the GraphQL API's `amount` is required by the
 * reference schema, so there an empty `amount: ""` stands for "not given".
 */
function receiveAmount(input: z.output<typeof CreateReceiveInput>, asset: { type: string; symbol: string; precision: number }): Pick<ReceiveRequest, "amount" | "usdPrice"> {
  const cents = input.amount_usd_cents ?? null;
  const amountGiven = input.amount !== undefined && input.amount !== null && input.amount !== "";
  if (cents !== null) {
    if (amountGiven) throw badInput("input.amount_usd_cents", 'cannot be given together with amount: price the invoice either in the asset (amount) or in USD (amount_usd_cents); where amount is required, pass amount: ""');
    const priced = priceInUsd(BigInt(cents), asset);
    if (!priced.ok) throw badInput("input.amount_usd_cents", priced.reason);
    return { amount: priced.amount, usdPrice: { cents: BigInt(cents), rate: priced.rate } };
  }
  const unit = asset.type === "BASE_ASSET" ? "satoshis" : `minor units of ${asset.symbol} (precision ${asset.precision})`;
  const amount = checkMinorAmount(input.amount, asset.precision, unit);
  if (!amount.ok) throw badInput("input.amount", amountGiven ? amount.reason : `${amount.reason}, or price the invoice in USD with amount_usd_cents`);
  return { amount: amount.value, usdPrice: null };
}

export type ReceiveRequest = {
  /** In the wallet asset's minor units, already checked. */
  amount: bigint;
  /** A USD-priced invoice: the price in US cents and the rate (USD per whole unit) `amount` was converted at. */
  usdPrice?: { cents: bigint; rate: string } | null;
  /** Stored on the transaction; also the invoice's description unless `committedDescription` is given. */
  description: string | null;
  /** LNURL-pay: the invoice commits to this text by its SHA-256 (`h`) instead of carrying `description`. */
  committedDescription?: string;
  expirySeconds: number;
  idempotencyKey: string | null;
  metadata: { text: string | null; behavior: "complete" | "fail" | "expire" | null };
};

/**
 * Issues an invoice for a wallet whose caller was already authorised (create_receive), or that is
 * open to anyone by design (a Lightning Address callback, lib/lnurl).
 */
export async function issueReceive(wallet: WalletRow, request: ReceiveRequest): Promise<TransactionView> {
  const asset = assetOf(wallet);
  const { metadata } = request;
  if (wallet.environmentType === "LIVE") return issueLiveReceive(wallet, request);
  if (!wallet.nodeKeyEncrypted) throw forbidden("This environment has no node key, so it cannot issue invoices");

  const quote = asset.type === "BASE_ASSET" ? null : quoteInSats(request.amount, asset.precision, asset.symbol);
  const amount = { value: request.amount };
  const sats = quote ? quote.amountSats : amount.value;
  const expirySeconds = request.expirySeconds;
  const now = new Date();
  const invoice = signInvoice({
    nodePrivateKey: nodeKeyOf(wallet.nodeKeyEncrypted),
    amountMsat: sats * BigInt(1000),
    description: request.committedDescription ?? request.description ?? "",
    hashDescription: request.committedDescription !== undefined,
    expirySeconds,
    timestamp: Math.floor(now.getTime() / 1000),
  });
  const id = newTransactionId();
  const fee = (amount.value * BigInt(env().FEE_BASIS_POINTS)) / BigInt(10_000);
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + expirySeconds * 1000);

  const behavior = metadata.behavior ?? "complete";
  const runAt = new Date(Math.min(now.getTime() + env().SANDBOX_SETTLE_DELAY_MS, expiresAt.getTime()));
  const view = pendingReceiveView(wallet, request, {
    id,
    now,
    expiresAt,
    fee,
    quote,
    paymentRequest: invoice.paymentRequest,
    paymentHash: invoice.paymentHash,
    nodeId: null,
    details: { expires_in_seconds: expirySeconds },
  });
  return storeReceive(wallet, view, request, {
    paymentPreimage: invoice.preimage,
    job: { id: randomUUID(), payload: JSON.stringify({ transactionId: id, behavior }), runAt },
  });
}

const ts = (d: Date) => d.toISOString().slice(0, -1); // timestamp(3) columns hold UTC without a zone

/** A new receive as create_receive answers it (PENDING, its first event), sandbox or live. */
function pendingReceiveView(
  wallet: WalletRow,
  request: ReceiveRequest,
  o: {
    id: string;
    now: Date;
    expiresAt: Date;
    fee: bigint;
    quote: { amountSats: bigint; exchangeRate: string } | null;
    paymentRequest: string;
    paymentHash: string;
    nodeId: string | null;
    details: Record<string, unknown>;
  },
): TransactionView {
  return {
    id: o.id,
    walletId: wallet.id,
    environmentId: wallet.environmentId,
    environmentType: wallet.environmentType,
    direction: "RECEIVE",
    status: "PENDING",
    amount: request.amount,
    amountSats: o.quote ? o.quote.amountSats : null,
    exchangeRate: o.quote ? o.quote.exchangeRate : null,
    fee: o.fee,
    settleAmount: null,
    description: request.description,
    metadata: request.metadata.text,
    idempotencyKey: request.idempotencyKey ?? o.id,
    paymentRequest: o.paymentRequest,
    paymentHash: o.paymentHash,
    error: null,
    nodeId: o.nodeId,
    feeReserve: null,
    reserved: BigInt(0),
    paymentPreimage: null,
    payeePubkey: null,
    lightningAddress: null,
    successAction: null,
    counterpartId: null,
    pricedUsdCents: request.usdPrice?.cents ?? null,
    pricedUsdRate: request.usdPrice?.rate ?? null,
    settledUsdCents: null,
    settledUsdRate: null,
    expiresAt: o.expiresAt,
    settledAt: null,
    createdAt: o.now,
    updatedAt: o.now,
    asset: assetOf(wallet),
    events: [{ id: randomUUID(), eventType: "payment.pending", message: "Invoice created", details: JSON.stringify(o.details), createdAt: o.now }],
  };
}

/**
 * Writes a new receive in one statement (lib/transactions/write-receives.ts, batched with those
 * created at the same moment): the transaction, its first event, the payment.pending webhook
 * event and its deliveries, and (sandbox) the settlement job. A replayed idempotency key: the
 * unique index (walletId, idempotencyKey) decided, also between concurrent replays, and the
 * original transaction is the answer (this invoice is never stored), unless the replay asks for
 * something else.
 */
async function storeReceive(
  wallet: WalletRow,
  view: TransactionView,
  request: ReceiveRequest,
  o: { paymentPreimage: string | null; job: { id: string; payload: string; runAt: Date } | null },
): Promise<TransactionView> {
  const envelope = buildEnvelope({ ...view, environment: { type: wallet.environmentType } }, "payment.pending");
  let written: ReceiveWrite;
  try {
    written = await writeReceive({
      id: view.id,
      walletId: wallet.id,
      environmentId: wallet.environmentId,
      assetId: view.asset.id,
      amount: view.amount.toString(),
      amountSats: view.amountSats?.toString() ?? null,
      exchangeRate: view.exchangeRate,
      pricedUsdCents: view.pricedUsdCents?.toString() ?? null,
      pricedUsdRate: view.pricedUsdRate,
      fee: view.fee.toString(),
      description: view.description,
      metadata: view.metadata,
      idempotencyKey: view.idempotencyKey,
      paymentRequest: view.paymentRequest!,
      paymentHash: view.paymentHash!,
      paymentPreimage: o.paymentPreimage,
      nodeId: view.nodeId,
      expiresAt: ts(view.expiresAt!),
      createdAt: ts(view.createdAt),
      eventId: view.events[0].id,
      eventDetails: view.events[0].details!,
      webhookEventId: randomUUID(),
      envelopeId: envelope.id,
      payload: JSON.stringify(envelope),
      jobId: o.job?.id ?? null,
      jobPayload: o.job?.payload ?? null,
      runAt: o.job ? ts(o.job.runAt) : null,
    });
  } catch (err) {
    // The wallet was deleted since its context was cached (foreign key violation).
    if (pgErrorCode(err) === "23503") {
      forgetWalletContext(wallet.id);
      throw notFound("Wallet");
    }
    throw err;
  }
  if (written === "created") return view;
  const existing = await findByIdempotencyKey(wallet.id, view.idempotencyKey);
  // Gone between the two statements: its wallet was deleted.
  if (!existing) throw notFound("Wallet");
  return refuseDifferentReplay(existing, request);
}

/** The original of a replayed idempotency key, or BAD_USER_INPUT when the replay asks for something else. */
function refuseDifferentReplay(existing: TransactionView, request: ReceiveRequest): TransactionView {
  const differs = replayDifference(
    existing,
    { ...existing, amount: request.amount, pricedUsdCents: request.usdPrice?.cents ?? null, description: request.description, metadata: request.metadata.text },
    request.expirySeconds,
  );
  if (differs) {
    throw badInput(
      "input.idempotency_key",
      `was already used in this wallet for ${existing.direction === "SEND" ? "a payment" : "an invoice"} (${existing.id}) with a different ${differs}; use a new key for a new invoice, or repeat the original request exactly`,
    );
  }
  return existing;
}

/**
 * A LIVE BTC wallet (DESIGN.md §6): the invoice is minted by the node serving the environment
 * (`POST /v1/invoices`); the transaction keeps its payment request, payment hash, the node's id and
 * (in its first event's details) the node's add_index. A replay already stored returns the
 * original without asking the node; concurrent replays are decided by the unique index
 * (wallet, idempotency key), and an invoice minted for a replay that loses is left to expire on
 * the node. Settlement comes from the node's invoice subscription (lib/nodes/subscriptions.ts).
 */
async function issueLiveReceive(wallet: WalletRow, request: ReceiveRequest): Promise<TransactionView> {
  const asset = assetOf(wallet);
  if (asset.type !== "BASE_ASSET") {
    throw forbidden(`${asset.symbol} cannot be received on a live environment yet: live stablecoins need Taproot Asset channels (litd), which Boltrail does not support yet; use a BTC wallet`);
  }
  const node = await nodeOfEnvironment(wallet.environmentId);
  if (!node) throw forbidden("This live environment has no Lightning node attached, so it cannot issue invoices yet: the team's master can attach one (node.connect)");
  const expirySeconds = request.expirySeconds;
  const fee = (request.amount * BigInt(env().FEE_BASIS_POINTS)) / BigInt(10_000);
  // A replay already stored: answered without asking the node (a plain lookup first: most keys are new).
  if (request.idempotencyKey && (await idempotencyKeyUsed(wallet.id, request.idempotencyKey))) {
    const existing = await findByIdempotencyKey(wallet.id, request.idempotencyKey);
    if (existing) return refuseDifferentReplay(existing, request);
  }

  let added: { r_hash: string; payment_request: string; add_index: string };
  try {
    added = await lndCall(
      connectionOf(node),
      "POST",
      "/v1/invoices",
      {
        value_msat: (request.amount * BigInt(1000)).toString(),
        expiry: String(expirySeconds),
        ...(request.committedDescription !== undefined
          ? { description_hash: Buffer.from(sha256Hex(request.committedDescription), "hex").toString("base64") }
          : { memo: request.description ?? "" }),
      },
      callOptions(),
    );
  } catch (err) {
    if (!(err instanceof LndError)) throw err;
    throw new AppError("SERVICE_UNAVAILABLE", `The Lightning node did not create the invoice (${err.message}); try again shortly, or check the node's connection`);
  }
  const now = new Date();
  const view = pendingReceiveView(wallet, request, {
    id: newTransactionId(),
    now,
    expiresAt: new Date(now.getTime() + expirySeconds * 1000),
    fee,
    quote: null,
    paymentRequest: added.payment_request,
    paymentHash: hashHex(added.r_hash),
    nodeId: node.id,
    // The node's add_index is kept here, not on the node's row: a write there would make every
    // live receive of a node wait on that one row lock (bench live: 0.05 of the floor).
    details: { expires_in_seconds: expirySeconds, add_index: added.add_index },
  });
  // A concurrent replay that wins leaves this invoice to expire on the node.
  return storeReceive(wallet, view, request, { paymentPreimage: null, job: null });
}

/**
 * What a replay under an existing idempotency key asks differently from the original (as Stripe
 * does, a key stands for one request: the same parameters return the original, others are refused).
 */
function replayDifference(existing: TransactionView, replay: TransactionView, expirySeconds: number): string | null {
  if (existing.direction !== "RECEIVE") return "operation";
  // A USD-priced invoice replays by its price (today's conversion may give another amount).
  if ((existing.pricedUsdCents === null) !== (replay.pricedUsdCents === null)) return "amount";
  if (existing.pricedUsdCents !== null && existing.pricedUsdCents !== replay.pricedUsdCents) return "amount_usd_cents";
  if (existing.pricedUsdCents === null && existing.amount !== replay.amount) return "amount";
  if ((existing.description ?? null) !== (replay.description ?? null)) return "description";
  if ((existing.metadata ?? null) !== (replay.metadata ?? null)) return "metadata";
  const created = existing.events.find((e) => e.eventType === "payment.pending");
  const originalExpiry = created?.details ? (JSON.parse(created.details) as { expires_in_seconds?: number }).expires_in_seconds : undefined;
  if (originalExpiry !== undefined && originalExpiry !== expirySeconds) return "expires_in_seconds";
  return null;
}


async function idempotencyKeyUsed(walletId: string, idempotencyKey: string): Promise<boolean> {
  const rows = await sql(`SELECT 1 FROM transactions WHERE "walletId" = $1 AND "idempotencyKey" = $2`, [walletId, idempotencyKey], { prepared: true });
  return rows.length > 0;
}

export async function findByIdempotencyKey(walletId: string, idempotencyKey: string): Promise<TransactionView | null> {
  const row = await db.transaction.findUnique({
    where: { walletId_idempotencyKey: { walletId, idempotencyKey } },
    select: { ...TRANSACTION_SELECT, events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return row ? toTransactionView(row) : null;
}

