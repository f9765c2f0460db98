import "server-only";
import { randomUUID } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { AppError, badInput, forbidden, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { assertWalletInKeyScope, authorize } from "../auth/permissions";
import { env } from "../env";
import { quoteFromSats, quoteInSats } from "../assets/prices";
import { enqueueJob } from "../jobs/queue";
import { decodeInvoice, normalizeInvoiceText, type DecodedInvoice } from "../lightning/decode";
import { describeAddress, resolveAddressInvoice } from "../lnurl/pay";
import { checkMinorAmount, displayAmount } from "../money";
import { parseInput } from "../validation";
import { EVENT_TRANSACTION_SELECT, recordPaymentEvent } from "../webhooks/events";
import { newTransactionId } from "./create-receive";
import { transitionInTx } from "./lifecycle";
import { parseMetadata } from "./metadata";
import { assetOf, walletContext, type WalletRow } from "./wallet-context";
import { CreateSendInput } from "./schemas";
import { pgErrorCode } from "./write-receives";
import { TRANSACTION_SELECT, toTransactionView, type TransactionView } from "./transaction-view";

/** Networks whose invoices a sandbox environment pays (never mainnet: sandbox money is not real). */
const SANDBOX_NETWORKS = ["regtest", "testnet", "signet"] as const;

/** What is being paid, once resolved: the invoice and, for a Lightning Address, what LNURL-pay said. */
type Target = {
  invoice: DecodedInvoice;
  /** Field an invoice problem is reported on. */
  field: string;
  lightningAddress: string | null;
  successAction: string | null;
  comment: string | null;
};

/** A receive of this instance whose invoice is being paid (an internal payment, settled at once). */
type InternalReceive = { id: string; walletId: string; paymentRequest: string | null; paymentPreimage: string | null };

class Duplicate extends Error {}

/**
 * create_send (DESIGN.md §5, §6): pays a BOLT11 invoice, or a Lightning Address (LUD-16) through
 * LNURL-pay, from a wallet. Everything a payer can get wrong is refused before anything is written.
 * One database transaction then inserts the send, reserves amount + maximum fee with a conditional
 * update that cannot take the available balance below zero, and records the pending event; an
 * invoice of this instance is settled in that same transaction (both sides COMPLETED, both
 * balances, both webhooks), any other invoice by the sandbox's durable job.
 *
 * Replays: the same idempotency key in the same wallet returns the original send (a different
 * payment under a reused key is refused), and an invoice this wallet already paid, or is paying,
 * returns that send: a partial unique index decides, also between concurrent requests.
 */
export async function createSend(actor: Actor, raw: unknown): Promise<TransactionView> {
  authorize(actor, "PAYMENTS", "WRITE");
  const input = parseInput(CreateSendInput, raw, "input");
  assertWalletInKeyScope(actor, input.wallet_id);
  const wallet = await walletContext(input.wallet_id);
  if (!wallet || wallet.teamId !== actor.teamId || (actor.kind === "key" && wallet.environmentId !== actor.environmentId)) throw notFound("Wallet");

  const hasRequest = input.request !== null && input.request !== undefined;
  const hasAddress = input.address !== null && input.address !== undefined;
  if (hasRequest && hasAddress) throw badInput("input.address", "give either request { bolt11 } or address { lightning_address amount }, not both");
  if (!hasRequest && !hasAddress) throw badInput("input.request", "is required: give request { bolt11 } to pay an invoice, or address { lightning_address amount } to pay a Lightning Address");

  const asset = assetOf(wallet);
  const metadata = parseMetadata(input.metadata);
  let addressAmount: bigint | null = null;
  if (input.address) {
    const unit = asset.type === "BASE_ASSET" ? "satoshis" : `minor units of ${asset.symbol} (precision ${asset.precision})`;
    const checked = checkMinorAmount(input.address.amount, asset.precision, unit);
    if (!checked.ok) throw badInput("input.address.amount", checked.reason);
    addressAmount = checked.value;
  }
  if (wallet.environmentType !== "SANDBOX" || !wallet.nodeKeyEncrypted) {
    throw forbidden("This live environment has no Lightning node attached, so it cannot send payments yet");
  }

  const sendRequest = input.request
    ? `bolt11:${normalizeInvoiceText(input.request.bolt11)}`
    : `address:${input.address!.lightning_address.trim().toLowerCase()}:${addressAmount}`;
  if (input.idempotency_key) {
    const replay = await replayOf(wallet.id, input.idempotency_key, sendRequest);
    if (replay) return replay;
  }

  const target = input.request ? fromInvoiceText(input.request.bolt11) : await fromAddress(wallet, input.address!, addressAmount!);
  const invoice = checkInvoice(target);

  // This wallet already paid (or is paying) this invoice: that send is the answer.
  const already = await liveSendFor(wallet.id, invoice.paymentHash);
  if (already) return already;

  const { internal, sats, amount, feeReserve, total, quote } = await planSend(wallet, target);
  const id = newTransactionId();
  const idempotencyKey = input.idempotency_key ?? id;
  const now = new Date();
  const runAt = new Date(Math.min(now.getTime() + env().SANDBOX_SETTLE_DELAY_MS, invoice.expiresAt.getTime()));

  const write = (tx: Tx) =>
    writeSend(tx, {
      id,
      wallet,
      internal,
      amount,
      feeReserve,
      total,
      target,
      invoice,
      quote: quote ? { amountSats: sats, exchangeRate: quote.exchangeRate } : null,
      idempotencyKey,
      metadata: metadata.text,
      sendRequest,
      now,
      behavior: metadata.behavior ?? "expire",
      runAt,
    });
  try {
    await withDeadlockRetry(() => db.$transaction(write));
  } catch (err) {
    if (err instanceof Duplicate) {
      // A concurrent request with the same key, or for the same invoice, won the insert.
      const replay = await replayOf(wallet.id, idempotencyKey, sendRequest);
      if (replay) return replay;
      const existing = await liveSendFor(wallet.id, invoice.paymentHash);
      if (existing) return existing;
      throw new AppError("CONFLICT", "A concurrent request changed this payment; try again");
    }
    if (pgErrorCode(err) === "23503" || (err as { code?: string }).code === "P2003") throw notFound("Wallet");
    throw err;
  }
  return viewOf(id);
}

/** What paying a checked invoice from this wallet takes: the amount in the wallet's asset, the fee reserve, and whether the payee is a wallet of this instance. */
async function planSend(wallet: WalletRow, target: Target) {
  const asset = assetOf(wallet);
  const internal = await internalReceiveFor(wallet, target);
  const sats = (target.invoice.amountMsat! + BigInt(999)) / BigInt(1000);
  const stable = asset.type !== "BASE_ASSET";
  const quote = stable ? quoteFromSats(sats, asset.precision, asset.symbol) : null;
  const amount = quote ? quote.amount : sats;
  const feeReserveSats = internal ? BigInt(0) : feeReserveFor(sats);
  const feeReserve = stable ? (feeReserveSats === BigInt(0) ? BigInt(0) : quoteFromSats(feeReserveSats, asset.precision, asset.symbol).amount) : feeReserveSats;
  return { internal, sats, amount, feeReserve, total: amount + feeReserve, quote };
}

export type SendPreview =
  | {
      kind: "invoice";
      paymentRequest: string;
      amount: bigint;
      amountSats: bigint;
      feeReserve: bigint;
      total: bigint;
      available: bigint;
      description: string | null;
      payeePubkey: string;
      expiresAt: Date;
      /** Payee is a wallet of this instance: settled at once, no routing fee. */
      internal: boolean;
      /** This wallet already paid (or is paying) this invoice. */
      existingId: string | null;
    }
  | { kind: "address"; address: string; description: string; minSendableMsat: bigint; maxSendableMsat: bigint; commentAllowed: number; available: bigint };

/**
 * What the dashboard shows before "Confirm": an invoice decoded and checked exactly as create_send
 * would (every refusal of DESIGN.md §6, the balance included), or a Lightning Address's limits
 * (its pay request). Writes nothing.
 */
export async function previewSend(actor: Actor, walletId: string, rawText: string): Promise<SendPreview> {
  authorize(actor, "PAYMENTS", "WRITE");
  assertWalletInKeyScope(actor, walletId);
  const wallet = await walletContext(walletId);
  if (!wallet || wallet.teamId !== actor.teamId || (actor.kind === "key" && wallet.environmentId !== actor.environmentId)) throw notFound("Wallet");
  if (wallet.environmentType !== "SANDBOX" || !wallet.nodeKeyEncrypted) {
    throw forbidden("This live environment has no Lightning node attached, so it cannot send payments yet");
  }
  const text = String(rawText ?? "").trim();
  const ledger = await db.wallet.findUniqueOrThrow({ where: { id: wallet.id }, select: { received: true, sent: true, reserved: true } });
  const available = ledger.received - ledger.sent - ledger.reserved;
  if (text.includes("@") && !/^(lightning:)?ln/i.test(text)) {
    const described = await describeAddress(text);
    if (!described.ok) throw badInput("input.address.lightning_address", described.reason);
    return { kind: "address", ...described.value, available };
  }
  const target = fromInvoiceText(text);
  const invoice = checkInvoice(target);
  const existing = await liveSendFor(wallet.id, invoice.paymentHash);
  const plan = existing ? null : await planSend(wallet, target);
  const amount = existing ? existing.amount : plan!.amount;
  const feeReserve = existing ? (existing.feeReserve ?? BigInt(0)) : plan!.feeReserve;
  if (plan && plan.total > available) {
    const asset = assetOf(wallet);
    const money = (v: bigint) => `${displayAmount(v, asset.precision)} ${asset.symbol}`;
    throw badInput("input.request.bolt11", `needs ${money(plan.total)} (${money(plan.amount)} + up to ${money(plan.feeReserve)} in fees) but the wallet has ${money(available)} available`);
  }
  return {
    kind: "invoice",
    paymentRequest: invoice.paymentRequest,
    amount,
    amountSats: (invoice.amountMsat! + BigInt(999)) / BigInt(1000),
    feeReserve,
    total: amount + feeReserve,
    available,
    description: invoice.description,
    payeePubkey: invoice.payeePubkey,
    expiresAt: invoice.expiresAt,
    internal: existing ? existing.counterpartId !== null : plan!.internal !== null,
    existingId: existing?.id ?? null,
  };
}

/** The maximum routing fee reserved for an invoice of another node, in sats. */
export function feeReserveFor(sats: bigint): bigint {
  const { SEND_FEE_RESERVE_BPS, SEND_FEE_RESERVE_MIN_SATS } = env();
  const proportional = (sats * BigInt(SEND_FEE_RESERVE_BPS) + BigInt(9_999)) / BigInt(10_000);
  const minimum = BigInt(SEND_FEE_RESERVE_MIN_SATS);
  return proportional > minimum ? proportional : minimum;
}

function fromInvoiceText(text: string): Target {
  const decoded = decodeInvoice(text);
  if (!decoded.ok) throw badInput("input.request.bolt11", decoded.reason);
  return { invoice: decoded.invoice, field: "input.request.bolt11", lightningAddress: null, successAction: null, comment: null };
}

async function fromAddress(wallet: WalletRow, address: { lightning_address: string; comment?: string | null }, amount: bigint): Promise<Target> {
  const asset = assetOf(wallet);
  const sats = asset.type === "BASE_ASSET" ? amount : quoteInSats(amount, asset.precision, asset.symbol).amountSats;
  if (sats === BigInt(0)) throw badInput("input.address.amount", "must be more than 0");
  const resolved = await resolveAddressInvoice({ address: address.lightning_address, amountMsat: sats * BigInt(1000), comment: address.comment ?? null });
  if (!resolved.ok) throw badInput(resolved.field === "address" ? "input.address.lightning_address" : resolved.field === "comment" ? "input.address.comment" : "input.address.amount", resolved.reason);
  return {
    invoice: resolved.invoice,
    field: "input.address.lightning_address",
    lightningAddress: resolved.address,
    successAction: resolved.successAction ? JSON.stringify(resolved.successAction) : null,
    comment: address.comment ?? null,
  };
}

/** The refusals of DESIGN.md §6 that depend only on the invoice. */
function checkInvoice(target: Target): DecodedInvoice {
  const { invoice, field } = target;
  if (!(SANDBOX_NETWORKS as readonly string[]).includes(invoice.network)) {
    throw badInput(field, `is a ${invoice.network} invoice; a sandbox environment pays only ${SANDBOX_NETWORKS.join(", ")} invoices (lnbcrt…, lntb…, lntbs…)`);
  }
  if (invoice.expiresAt.getTime() <= Date.now()) throw badInput(field, `expired at ${invoice.expiresAt.toISOString()}; ask the payee for a new invoice`);
  if (invoice.amountMsat === null) {
    throw badInput(field, "has no amount; Boltrail pays only invoices that state their amount (ask the payee for an invoice with an amount)");
  }
  if (invoice.amountMsat <= BigInt(0)) throw badInput(field, "has an amount of zero");
  return invoice;
}

async function internalReceiveFor(wallet: WalletRow, target: Target): Promise<InternalReceive | null> {
  const { invoice, field } = target;
  const receive = await db.transaction.findFirst({
    where: { paymentHash: invoice.paymentHash, direction: "RECEIVE", environment: { type: "SANDBOX" } },
    select: { id: true, walletId: true, status: true, paymentRequest: true, paymentPreimage: true },
  });
  if (!receive) return null;
  if (receive.paymentRequest !== invoice.paymentRequest) {
    throw badInput(field, "carries the payment hash of another invoice of this instance but is not that invoice; it was altered");
  }
  if (receive.walletId === wallet.id) throw badInput(field, "was issued by this wallet; a wallet cannot pay its own invoice");
  if (receive.status !== "PENDING") throw badInput(field, alreadySettled(receive.status));
  return receive;
}

const alreadySettled = (status: string) =>
  status === "COMPLETED"
    ? "was already paid"
    : status === "EXPIRED"
      ? "has expired without payment; ask the payee for a new invoice"
      : "failed and can no longer be paid; ask the payee for a new invoice";

type SendWrite = {
  id: string;
  wallet: WalletRow;
  internal: InternalReceive | null;
  amount: bigint;
  feeReserve: bigint;
  total: bigint;
  target: Target;
  invoice: DecodedInvoice;
  quote: { amountSats: bigint; exchangeRate: string } | null;
  idempotencyKey: string;
  metadata: string | null;
  sendRequest: string;
  now: Date;
  behavior: "complete" | "fail" | "expire";
  runAt: Date;
};

async function writeSend(tx: Tx, w: SendWrite): Promise<void> {
  // Both wallets of an internal payment are locked in one order, so two payments crossing each
  // other wait instead of deadlocking.
  if (w.internal) {
    await tx.$queryRawUnsafe(`SELECT id FROM wallets WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE`, [w.wallet.id, w.internal.walletId]);
  }
  const inserted = await tx.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO transactions (id, "walletId", "environmentId", "assetId", direction, status, amount, "amountSats", "exchangeRate", fee,
       description, metadata, "idempotencyKey", "paymentRequest", "paymentHash", "expiresAt", "createdAt", "updatedAt",
       reserved, "feeReserve", "sendRequest", "lightningAddress", "successAction", "payeePubkey", "counterpartId")
     VALUES ($1, $2, $3, $4, 'SEND', 'PENDING', $5::bigint, $6::bigint, $7, 0, $8, $9, $10, $11, $12, $13::timestamp, $14::timestamp, $14::timestamp,
       $15::bigint, $16::bigint, $17, $18, $19, $20, $21)
     ON CONFLICT DO NOTHING
     RETURNING id`,
    w.id,
    w.wallet.id,
    w.wallet.environmentId,
    w.wallet.assetId,
    w.amount.toString(),
    w.quote?.amountSats.toString() ?? null,
    w.quote?.exchangeRate ?? null,
    w.invoice.description,
    w.metadata,
    w.idempotencyKey,
    w.invoice.paymentRequest,
    w.invoice.paymentHash,
    w.invoice.expiresAt.toISOString().slice(0, -1),
    w.now.toISOString().slice(0, -1),
    w.total.toString(),
    w.feeReserve.toString(),
    w.sendRequest,
    w.target.lightningAddress,
    w.target.successAction,
    w.invoice.payeePubkey,
    w.internal?.id ?? null,
  );
  // The idempotency key or the invoice is taken (by a request that committed, or one that did
  // while this one waited on the index): nothing of this request is kept.
  if (inserted.length === 0) throw new Duplicate();

  const reserved = await tx.$executeRawUnsafe(
    `UPDATE wallets SET reserved = reserved + $2::bigint, "updatedAt" = now() WHERE id = $1 AND received - sent - reserved >= $2::bigint`,
    w.wallet.id,
    w.total.toString(),
  );
  if (reserved !== 1) {
    const row = await tx.wallet.findUnique({ where: { id: w.wallet.id }, select: { received: true, sent: true, reserved: true } });
    if (!row) throw notFound("Wallet");
    const asset = assetOf(w.wallet);
    const money = (v: bigint) => `${displayAmount(v, asset.precision)} ${asset.symbol}`;
    throw badInput(
      w.target.field,
      `needs ${money(w.total)} (${money(w.amount)} + up to ${money(w.feeReserve)} in fees) but the wallet has ${money(row.received - row.sent - row.reserved)} available`,
    );
  }

  const details = JSON.stringify({
    payee: w.invoice.payeePubkey,
    fee_reserve: w.feeReserve.toString(),
    ...(w.target.lightningAddress ? { lightning_address: w.target.lightningAddress } : {}),
    ...(w.target.comment ? { comment: w.target.comment } : {}),
  });
  await tx.transactionEvent.create({
    data: { id: randomUUID(), transactionId: w.id, eventType: "payment.pending", message: w.target.lightningAddress ? `Paying ${w.target.lightningAddress}` : "Paying invoice", details, createdAt: w.now },
  });
  const row = await tx.transaction.findUniqueOrThrow({ where: { id: w.id }, select: EVENT_TRANSACTION_SELECT });
  await recordPaymentEvent(tx, row, "payment.pending");

  if (w.internal) {
    const paid = await transitionInTx(tx, w.internal.id, "COMPLETED", {
      message: "Paid by a wallet of this Boltrail instance (sandbox)",
      details: { source: "internal", send_transaction_id: w.id },
    });
    // Paid, failed or expired since it was looked up: this payment rolls back whole.
    if (!paid) {
      const now = await tx.transaction.findUnique({ where: { id: w.internal.id }, select: { status: true } });
      throw badInput(w.target.field, alreadySettled(now?.status ?? "EXPIRED"));
    }
    await tx.transaction.update({ where: { id: w.internal.id }, data: { counterpartId: w.id } });
    await transitionInTx(tx, w.id, "COMPLETED", {
      fee: BigInt(0),
      preimage: w.internal.paymentPreimage,
      message: "Payment sent (internal, no routing fee)",
      details: { source: "internal", receive_transaction_id: w.internal.id },
    });
  } else {
    await enqueueJob(tx, "sandbox.send", { transactionId: w.id, behavior: w.behavior }, w.runAt);
  }
}

async function withDeadlockRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const code = pgErrorCode(err) ?? (err as { meta?: { code?: string } }).meta?.code;
      if ((code === "40P01" || code === "40001") && attempt < 5) continue;
      throw err;
    }
  }
}

/** The send an idempotency key already names in this wallet; a different payment under it is refused. */
async function replayOf(walletId: string, idempotencyKey: string, sendRequest: string): Promise<TransactionView | null> {
  const row = await db.transaction.findUnique({
    where: { walletId_idempotencyKey: { walletId, idempotencyKey } },
    select: { id: true, direction: true, sendRequest: true },
  });
  if (!row) return null;
  if (row.direction !== "SEND" || row.sendRequest !== sendRequest) {
    throw badInput("input.idempotency_key", `was already used in this wallet for another ${row.direction === "SEND" ? "payment" : "invoice"} (${row.id}); use a new key for a new payment`);
  }
  return viewOf(row.id);
}

async function liveSendFor(walletId: string, paymentHash: string): Promise<TransactionView | null> {
  const row = await db.transaction.findFirst({
    where: { walletId, paymentHash, direction: "SEND", status: { in: ["PENDING", "COMPLETED"] } },
    select: { id: true },
  });
  return row ? viewOf(row.id) : null;
}

async function viewOf(id: string): Promise<TransactionView> {
  const row = await db.transaction.findUniqueOrThrow({
    where: { id },
    select: { ...TRANSACTION_SELECT, events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return toTransactionView(row);
}
