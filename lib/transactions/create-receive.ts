import "server-only";
import { createUlidFactory } from "@/lib/ids";
import { randomUUID } from "node:crypto";
import { db, isUniqueViolation } from "@/lib/db";
import { pgErrorCode, writeReceive, type ReceiveWrite } from "./write-receives";
import { AppError, badInput, forbidden, notFound } from "../errors";
import { sha256Hex } from "../crypto";
import { lndCall, LndError } from "../lightning/lnd-rest";
import { callOptions, connectionOf, hashHex } from "../nodes/node-connection";
import { nodeOfEnvironment } from "../nodes/query-nodes";
import { buildEnvelope, EVENT_TRANSACTION_SELECT, recordPaymentEvent } from "../webhooks/events";
import type { Actor } from "../auth/actor";
import { assertWalletInKeyScope, authorize, keyReachesEnvironment } from "../auth/permissions";
import { env } from "../env";
import { quoteInSats } from "../assets/prices";
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

  const asset = assetOf(wallet);
  const unit = asset.type === "BASE_ASSET" ? "satoshis" : `minor units of ${asset.symbol} (precision ${asset.precision})`;
  const amount = checkMinorAmount(input.amount, asset.precision, unit);
  if (!amount.ok) throw badInput("input.amount", amount.reason);
  const metadata = parseMetadata(input.metadata);
  return issueReceive(wallet, {
    amount: amount.value,
    description: input.description ?? null,
    expirySeconds: input.expires_in_seconds ?? DEFAULT_EXPIRY_SECONDS,
    idempotencyKey: input.idempotency_key ?? null,
    metadata,
  });
}

export type ReceiveRequest = {
  /** In the wallet asset's minor units, already checked. */
  amount: bigint;
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
  const eventDetails = JSON.stringify({ expires_in_seconds: expirySeconds });
  const view: TransactionView = {
    id,
    walletId: wallet.id,
    environmentId: wallet.environmentId,
    environmentType: "SANDBOX",
    direction: "RECEIVE",
    status: "PENDING",
    amount: amount.value,
    amountSats: quote ? quote.amountSats : null,
    exchangeRate: quote ? quote.exchangeRate : null,
    fee,
    settleAmount: null,
    description: request.description,
    metadata: metadata.text,
    idempotencyKey: request.idempotencyKey ?? id,
    paymentRequest: invoice.paymentRequest,
    paymentHash: invoice.paymentHash,
    error: null,
    nodeId: null,
    feeReserve: null,
    reserved: BigInt(0),
    paymentPreimage: null,
    payeePubkey: null,
    lightningAddress: null,
    successAction: null,
    counterpartId: null,
    expiresAt,
    settledAt: null,
    createdAt: now,
    updatedAt: now,
    asset,
    events: [{ id: randomUUID(), eventType: "payment.pending", message: "Invoice created", details: eventDetails, createdAt: now }],
  };
  const envelope = buildEnvelope({ ...view, asset, environment: { type: "SANDBOX" } }, "payment.pending");
  const ts = (d: Date) => d.toISOString().slice(0, -1); // timestamp(3) columns hold UTC without a zone

  let written: ReceiveWrite;
  try {
    written = await writeReceive({
      id,
      walletId: wallet.id,
      environmentId: wallet.environmentId,
      assetId: asset.id,
      amount: view.amount.toString(),
      amountSats: view.amountSats?.toString() ?? null,
      exchangeRate: view.exchangeRate,
      fee: fee.toString(),
      description: view.description,
      metadata: view.metadata,
      idempotencyKey: view.idempotencyKey,
      paymentRequest: invoice.paymentRequest,
      paymentHash: invoice.paymentHash,
      paymentPreimage: invoice.preimage,
      expiresAt: ts(expiresAt),
      createdAt: ts(now),
      eventId: view.events[0].id,
      eventDetails,
      webhookEventId: randomUUID(),
      envelopeId: envelope.id,
      payload: JSON.stringify(envelope),
      jobId: randomUUID(),
      jobPayload: JSON.stringify({ transactionId: id, behavior }),
      runAt: ts(runAt),
    });
  } catch (err) {
    // The wallet was deleted since its context was cached (foreign key violation).
    if (pgErrorCode(err) === "23503") {
      forgetWalletContext(wallet.id);
      throw notFound("Wallet");
    }
    throw err;
  }
  if (written === "exists") {
    // A replayed idempotency key: the unique index (walletId, idempotencyKey) decided, also between
    // concurrent replays, and the original transaction is the answer. (This invoice is never stored.)
    const existing = await findByIdempotencyKey(wallet.id, view.idempotencyKey);
    // Gone between the two statements: its wallet was deleted.
    if (!existing) throw notFound("Wallet");
    const differs = replayDifference(existing, view, expirySeconds);
    if (differs) {
      throw badInput(
        "input.idempotency_key",
        `was already used in this wallet for ${existing.direction === "SEND" ? "a payment" : "an invoice"} (${existing.id}) with a different ${differs}; use a new key for a new invoice, or repeat the original request exactly`,
      );
    }
    return existing;
  }
  return view;
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
  const replayCheck = (existing: TransactionView): TransactionView => {
    const differs = replayDifference(existing, { ...existing, amount: request.amount, description: request.description, metadata: request.metadata.text }, expirySeconds);
    if (differs) {
      throw badInput(
        "input.idempotency_key",
        `was already used in this wallet for ${existing.direction === "SEND" ? "a payment" : "an invoice"} (${existing.id}) with a different ${differs}; use a new key for a new invoice, or repeat the original request exactly`,
      );
    }
    return existing;
  };
  if (request.idempotencyKey) {
    const existing = await findByIdempotencyKey(wallet.id, request.idempotencyKey);
    if (existing) return replayCheck(existing);
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
  const id = newTransactionId();
  const idempotencyKey = request.idempotencyKey ?? id;
  const expiresAt = new Date(now.getTime() + expirySeconds * 1000);
  const paymentHash = hashHex(added.r_hash);
  const select = { ...TRANSACTION_SELECT, events: { orderBy: [{ createdAt: "asc" as const }, { id: "asc" as const }] } };
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.transaction.create({
        data: {
          id,
          walletId: wallet.id,
          environmentId: wallet.environmentId,
          assetId: asset.id,
          direction: "RECEIVE",
          status: "PENDING",
          amount: request.amount,
          fee,
          description: request.description,
          metadata: request.metadata.text,
          idempotencyKey,
          paymentRequest: added.payment_request,
          paymentHash,
          nodeId: node.id,
          expiresAt,
          createdAt: now,
          events: {
            create: {
              eventType: "payment.pending",
              message: "Invoice created",
              details: JSON.stringify({ expires_in_seconds: expirySeconds, add_index: added.add_index }),
              createdAt: now,
            },
          },
        },
        select,
      });
      await tx.$executeRaw`UPDATE nodes SET "addIndex" = GREATEST("addIndex", ${BigInt(added.add_index || "0")}) WHERE id = ${node.id}`;
      await recordPaymentEvent(tx, await tx.transaction.findUniqueOrThrow({ where: { id }, select: EVENT_TRANSACTION_SELECT }), "payment.pending");
      return created;
    });
    return toTransactionView(row);
  } catch (err) {
    if (isUniqueViolation(err)) {
      // A concurrent replay won; this invoice is left to expire on the node.
      const existing = await findByIdempotencyKey(wallet.id, idempotencyKey);
      if (existing) return replayCheck(existing);
    }
    if (pgErrorCode(err) === "23503" || (err as { code?: unknown }).code === "P2003") {
      forgetWalletContext(wallet.id);
      throw notFound("Wallet");
    }
    throw err;
  }
}

/**
 * What a replay under an existing idempotency key asks differently from the original (as Stripe
 * does, a key stands for one request: the same parameters return the original, others are refused).
 */
function replayDifference(existing: TransactionView, replay: TransactionView, expirySeconds: number): string | null {
  if (existing.direction !== "RECEIVE") return "operation";
  if (existing.amount !== replay.amount) return "amount";
  if ((existing.description ?? null) !== (replay.description ?? null)) return "description";
  if ((existing.metadata ?? null) !== (replay.metadata ?? null)) return "metadata";
  const created = existing.events.find((e) => e.eventType === "payment.pending");
  const originalExpiry = created?.details ? (JSON.parse(created.details) as { expires_in_seconds?: number }).expires_in_seconds : undefined;
  if (originalExpiry !== undefined && originalExpiry !== expirySeconds) return "expires_in_seconds";
  return null;
}


export async function findByIdempotencyKey(walletId: string, idempotencyKey: string): Promise<TransactionView | null> {
  const row = await db.transaction.findUnique({
    where: { walletId_idempotencyKey: { walletId, idempotencyKey } },
    select: { ...TRANSACTION_SELECT, events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return row ? toTransactionView(row) : null;
}

