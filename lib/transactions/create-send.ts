import "server-only";
import { randomUUID } from "node:crypto";
import { db, sql } from "@/lib/db";
import { AppError, badInput, forbidden, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { assertWalletInKeyScope, authorize, keyReachesEnvironment } from "../auth/permissions";
import { env } from "../env";
import { quoteFromSats, quoteInSats, usdAtSettlement } from "../assets/prices";
import { decodeInvoice, normalizeInvoiceText, type DecodedInvoice } from "../lightning/decode";
import { describeAddress, resolveAddressInvoice } from "../lnurl/pay";
import { checkMinorAmount, displayAmount } from "../money";
import { parseInput } from "../validation";
import { buildEnvelope, type EventTransaction } from "../webhooks/events";
import { newTransactionId } from "./create-receive";
import { parseMetadata } from "./metadata";
import { assetOf, walletContext, type WalletRow } from "./wallet-context";
import { CreateSendInput } from "./schemas";
import { pgErrorCode } from "./write-receives";
import { writeSend, type SendRow } from "./write-send";
import { CLIENT_PAY_POLL_MS, LIVE_SEND_JOB } from "../nodes/send-payment";
import { probeCanTrack } from "../nodes/attach-node";
import { connectionOf } from "../nodes/node-connection";
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
type InternalReceive = { id: string; walletId: string; paymentRequest: string | null; paymentPreimage: string | null; row: EventTransaction };

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
  if (!wallet || wallet.teamId !== actor.teamId || !keyReachesEnvironment(actor, wallet.environmentId)) throw notFound("Wallet");

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
  const live = await liveSenderOf(wallet);

  const sendRequest = input.request
    ? `bolt11:${normalizeInvoiceText(input.request.bolt11)}`
    : `address:${input.address!.lightning_address.trim().toLowerCase()}:${addressAmount}`;
  if (input.idempotency_key) {
    const replay = await replayOf(wallet.id, input.idempotency_key, sendRequest);
    if (replay) return replay;
  }

  const target = input.request ? fromInvoiceText(input.request.bolt11) : await fromAddress(wallet, input.address!, addressAmount!);
  const invoice = checkInvoice(target, live);

  const found = await lookupInvoice(wallet.id, invoice.paymentHash);
  // This wallet already paid (or is paying) this invoice: that send is the answer.
  if (found.liveSendId) return viewOf(found.liveSendId);
  if (live) await refuseOwnNodeInvoice(wallet, target, live);

  // A live wallet pays every invoice through its node, this instance's included (no internal shortcut).
  const { internal, sats, amount, feeReserve, total, quote } = planSend(wallet, target, live ? null : internalReceive(wallet, target, found.receive));
  const id = newTransactionId();
  const idempotencyKey = input.idempotency_key ?? id;
  const now = new Date();
  // A live payment starts at once (its job records the attempt durably before the node is called).
  const runAt = live ? (live.clientPays ? new Date(now.getTime() + CLIENT_PAY_POLL_MS) : now) : new Date(Math.min(now.getTime() + env().SANDBOX_SETTLE_DELAY_MS, invoice.expiresAt.getTime()));
  const view = sendView({ id, wallet, internal, amount, feeReserve, total, target, invoice, quote: quote ? { amountSats: sats, exchangeRate: quote.exchangeRate } : null, idempotencyKey, metadata: metadata.text, now, nodeId: live?.nodeId ?? null, clientPays: live?.clientPays ?? false });
  const row = sendRow(view, { wallet, internal, total, target, sendRequest, now, behavior: metadata.behavior ?? "expire", runAt, live });

  let written;
  try {
    written = await withDeadlockRetry(() => writeSend(row));
  } catch (err) {
    if (pgErrorCode(err) === "23503") throw notFound("Wallet");
    throw err;
  }
  if (written === "duplicate") {
    // A concurrent request with the same key, or for the same invoice, won the insert.
    const replay = await replayOf(wallet.id, idempotencyKey, sendRequest);
    if (replay) return replay;
    const existing = await liveSendFor(wallet.id, invoice.paymentHash);
    if (existing) return existing;
    throw new AppError("CONFLICT", "A concurrent request changed this payment; try again");
  }
  if (written === "insufficient") {
    const ledger = await db.wallet.findUnique({ where: { id: wallet.id }, select: { received: true, sent: true, reserved: true } });
    if (!ledger) throw notFound("Wallet");
    throw insufficient(wallet, target.field, { amount, feeReserve, total }, ledger.received - ledger.sent - ledger.reserved);
  }
  if (written === "unpayable") {
    // Paid, failed or expired since it was looked up: nothing of this payment was kept.
    const now = await db.transaction.findUnique({ where: { id: internal!.id }, select: { status: true } });
    throw badInput(target.field, alreadySettled(now?.status === "PENDING" ? "EXPIRED" : (now?.status ?? "EXPIRED")));
  }
  return view;
}

/** What paying a checked invoice from this wallet takes: the amount in the wallet's asset, the fee reserve, and whether the payee is a wallet of this instance. */
function planSend(wallet: WalletRow, target: Target, internal: InternalReceive | null) {
  const asset = assetOf(wallet);
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
  if (!wallet || wallet.teamId !== actor.teamId || !keyReachesEnvironment(actor, wallet.environmentId)) throw notFound("Wallet");
  const live = await liveSenderOf(wallet);
  const text = String(rawText ?? "").trim();
  const ledger = await db.wallet.findUniqueOrThrow({ where: { id: wallet.id }, select: { received: true, sent: true, reserved: true } });
  const available = ledger.received - ledger.sent - ledger.reserved;
  if (text.includes("@") && !/^(lightning:)?ln/i.test(text)) {
    const described = await describeAddress(text);
    if (!described.ok) throw badInput("input.address.lightning_address", described.reason);
    return { kind: "address", ...described.value, available };
  }
  const target = fromInvoiceText(text);
  const invoice = checkInvoice(target, live);
  const found = await lookupInvoice(wallet.id, invoice.paymentHash);
  const existing = found.liveSendId ? await viewOf(found.liveSendId) : null;
  if (!existing && live) await refuseOwnNodeInvoice(wallet, target, live);
  const plan = existing ? null : planSend(wallet, target, live ? null : internalReceive(wallet, target, found.receive));
  const amount = existing ? existing.amount : plan!.amount;
  const feeReserve = existing ? (existing.feeReserve ?? BigInt(0)) : plan!.feeReserve;
  if (plan && plan.total > available) {
    throw insufficient(wallet, "input.request.bolt11", plan, available);
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

/** The refusal of a send the available balance does not cover, with the figures (create_send and its preview). */
function insufficient(wallet: WalletRow, field: string, p: { amount: bigint; feeReserve: bigint; total: bigint }, available: bigint) {
  const asset = assetOf(wallet);
  const money = (v: bigint) => `${displayAmount(v, asset.precision)} ${asset.symbol}`;
  return badInput(field, `needs ${money(p.total)} (${money(p.amount)} + up to ${money(p.feeReserve)} in fees) but the wallet has ${money(available)} available`);
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

/**
 * The node a LIVE wallet pays through: attached, on LIVE_NETWORK. With a send macaroon Boltrail
 * pays through it (issue 13 §3); without one the client pays on the node itself (Rails' custody,
 * issue 14) and Boltrail follows the payment by its hash with the management macaroon.
 */
type LiveSender = { nodeId: string; network: string; pubkey: string; clientPays: boolean };

/**
 * Null for a sandbox wallet (which needs its environment's node key); for a LIVE wallet, the node
 * that pays, or FORBIDDEN saying what is missing. Read on every call: a send macaroon may have
 * just been stored or removed.
 */
async function liveSenderOf(wallet: WalletRow): Promise<LiveSender | null> {
  if (wallet.environmentType === "SANDBOX") {
    if (!wallet.nodeKeyEncrypted) throw forbidden("This environment has no node key, so it cannot send payments");
    return null;
  }
  const asset = assetOf(wallet);
  if (asset.type !== "BASE_ASSET") {
    throw forbidden(`${asset.symbol} cannot be sent from a live environment yet: live stablecoins need Taproot Asset channels (litd), which Boltrail does not support yet; use a BTC wallet`);
  }
  const node = await db.lightningNode.findFirst({
    where: { environmentId: wallet.environmentId },
    select: { id: true, network: true, pubkey: true, sendMacaroonEncrypted: true, managementCanTrack: true, restUrl: true, tlsCertEncrypted: true, macaroonEncrypted: true },
  });
  if (!node) throw forbidden("This live environment has no Lightning node attached, so it cannot send payments yet: the team's master can attach one (node.connect)");
  const wanted = env().LIVE_NETWORK;
  if (node.network !== wanted) throw forbidden(`The node of this live environment is on ${node.network}, but this Boltrail takes ${wanted} (LIVE_NETWORK): attach a ${wanted} node`);
  if (node.sendMacaroonEncrypted) return { nodeId: node.id, network: node.network, pubkey: node.pubkey, clientPays: false };
  // The client pays; Boltrail must be able to follow the payment (offchain:read). Nodes attached
  // before this was checked are probed once.
  let canTrack = node.managementCanTrack;
  if (canTrack === null) {
    canTrack = await probeCanTrack(connectionOf(node));
    await db.lightningNode.update({ where: { id: node.id }, data: { managementCanTrack: canTrack } });
  }
  if (!canTrack) {
    throw forbidden(
      "The node of this live environment has no send macaroon, and its management macaroon cannot follow payments (offchain:read), so a payment made by a client could not be recorded: the team's master can store a management macaroon with offchain:read (credentials.store_management, e.g. from `lncli bakemacaroon info:read invoices:read invoices:write offchain:read`), or a send macaroon so Boltrail pays itself (node.set_send_macaroon)",
    );
  }
  return { nodeId: node.id, network: node.network, pubkey: node.pubkey, clientPays: true };
}

/** An invoice of the paying node itself (this wallet's, or another wallet's of the environment): LND refuses self-payments, so Boltrail says why first. */
async function refuseOwnNodeInvoice(wallet: WalletRow, target: Target, live: LiveSender): Promise<void> {
  if (target.invoice.payeePubkey !== live.pubkey) return;
  const own = await db.transaction.findFirst({ where: { walletId: wallet.id, paymentHash: target.invoice.paymentHash, direction: "RECEIVE" }, select: { id: true } });
  if (own) throw badInput(target.field, "was issued by this wallet; a wallet cannot pay its own invoice");
  throw badInput(target.field, "was issued by this environment's own node, which cannot pay itself (LND refuses self-payments)");
}

/** The refusals of DESIGN.md §6 that depend only on the invoice (and, live, on the paying node's network). */
function checkInvoice(target: Target, live: LiveSender | null = null): DecodedInvoice {
  const { invoice, field } = target;
  if (live) {
    if (invoice.network !== live.network) throw badInput(field, `is a ${invoice.network} invoice; this live environment's node is on ${live.network} and pays only ${live.network} invoices`);
  } else if (!(SANDBOX_NETWORKS as readonly string[]).includes(invoice.network)) {
    throw badInput(field, `is a ${invoice.network} invoice; a sandbox environment pays only ${SANDBOX_NETWORKS.join(", ")} invoices (lnbcrt…, lntb…, lntbs…)`);
  }
  if (invoice.expiresAt.getTime() <= Date.now()) throw badInput(field, `expired at ${invoice.expiresAt.toISOString()}; ask the payee for a new invoice`);
  if (invoice.amountMsat === null) {
    throw badInput(field, "has no amount; Boltrail pays only invoices that state their amount (ask the payee for an invoice with an amount)");
  }
  if (invoice.amountMsat <= BigInt(0)) throw badInput(field, "has an amount of zero");
  return invoice;
}

type ReceiveRow = {
  id: string;
  walletId: string;
  environmentId: string;
  status: "PENDING" | "COMPLETED" | "FAILED" | "EXPIRED";
  amount: string;
  fee: string;
  exchangeRate: string | null;
  description: string | null;
  metadata: string | null;
  paymentRequest: string | null;
  paymentHash: string | null;
  paymentPreimage: string | null;
  nodeId: string | null;
  expiresAt: string | null;
  assetId: string;
  symbol: string;
  precision: number;
};

// One round trip (plain SQL: this is every send's path): a live send of this wallet for the
// invoice, and the receive of this instance (a sandbox environment's) that issued it.
const LOOKUP_INVOICE = `SELECT
  (SELECT id FROM transactions WHERE "walletId" = $1 AND "paymentHash" = $2 AND direction = 'SEND' AND status IN ('PENDING', 'COMPLETED') LIMIT 1) AS "liveSendId",
  (SELECT json_build_object('id', t.id, 'walletId', t."walletId", 'environmentId', t."environmentId", 'status', t.status, 'amount', t.amount::text,
            'fee', t.fee::text, 'exchangeRate', t."exchangeRate", 'description', t.description, 'metadata', t.metadata,
            'paymentRequest', t."paymentRequest", 'paymentHash', t."paymentHash", 'paymentPreimage', t."paymentPreimage", 'nodeId', t."nodeId",
            'expiresAt', t."expiresAt", 'assetId', a.id, 'symbol', a.symbol, 'precision', a.precision)
     FROM transactions t JOIN environments e ON e.id = t."environmentId" JOIN assets a ON a.id = t."assetId"
     WHERE t."paymentHash" = $2 AND t.direction = 'RECEIVE' AND e.type = 'SANDBOX'
     LIMIT 1) AS receive`;

async function lookupInvoice(walletId: string, paymentHash: string): Promise<{ liveSendId: string | null; receive: ReceiveRow | null }> {
  const [row] = await sql<{ liveSendId: string | null; receive: ReceiveRow | null }>(LOOKUP_INVOICE, [walletId, paymentHash], { prepared: true });
  return row;
}

/** The receive of this instance an invoice belongs to, checked: unaltered, not the payer's own, still pending. */
function internalReceive(wallet: WalletRow, target: Target, receive: ReceiveRow | null): InternalReceive | null {
  const { invoice, field } = target;
  if (!receive) return null;
  if (receive.paymentRequest !== invoice.paymentRequest) {
    throw badInput(field, "carries the payment hash of another invoice of this instance but is not that invoice; it was altered");
  }
  if (receive.walletId === wallet.id) throw badInput(field, "was issued by this wallet; a wallet cannot pay its own invoice");
  if (receive.status !== "PENDING") throw badInput(field, alreadySettled(receive.status));
  const row: EventTransaction = {
    id: receive.id,
    walletId: receive.walletId,
    environmentId: receive.environmentId,
    direction: "RECEIVE",
    status: receive.status,
    amount: BigInt(receive.amount),
    fee: BigInt(receive.fee),
    settleAmount: null,
    exchangeRate: receive.exchangeRate,
    description: receive.description,
    metadata: receive.metadata,
    paymentRequest: receive.paymentRequest,
    paymentHash: receive.paymentHash,
    nodeId: receive.nodeId,
    settledAt: null,
    expiresAt: receive.expiresAt ? new Date(`${receive.expiresAt}Z`) : null,
    asset: { id: receive.assetId, symbol: receive.symbol, precision: receive.precision },
    environment: { type: "SANDBOX" },
  };
  return { id: receive.id, walletId: receive.walletId, paymentRequest: receive.paymentRequest, paymentPreimage: receive.paymentPreimage, row };
}

const alreadySettled = (status: string) =>
  status === "COMPLETED"
    ? "was already paid"
    : status === "EXPIRED"
      ? "has expired without payment; ask the payee for a new invoice"
      : "failed and can no longer be paid; ask the payee for a new invoice";

type SendParts = {
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
  now: Date;
  /** A live send: the node paying it, and whether the client pays on it. */
  nodeId: string | null;
  clientPays: boolean;
};

/** The send as it will be once written (create_send answers it without reading it back). */
function sendView(p: SendParts): TransactionView {
  const completedAt = new Date(p.now.getTime() + 1);
  const details = JSON.stringify({
    payee: p.invoice.payeePubkey,
    fee_reserve: p.feeReserve.toString(),
    ...(p.target.lightningAddress ? { lightning_address: p.target.lightningAddress } : {}),
    ...(p.target.comment ? { comment: p.target.comment } : {}),
  });
  const events = [
    { id: randomUUID(), eventType: "payment.pending", message: p.clientPays ? `Waiting for the client to pay${p.target.lightningAddress ? ` ${p.target.lightningAddress}` : " the invoice"} on the node` : p.target.lightningAddress ? `Paying ${p.target.lightningAddress}` : "Paying invoice", details, createdAt: p.now },
    ...(p.internal
      ? [{ id: randomUUID(), eventType: "payment.completed", message: "Payment sent (internal, no routing fee)", details: JSON.stringify({ source: "internal", receive_transaction_id: p.internal.id }), createdAt: completedAt }]
      : []),
  ];
  return {
    id: p.id,
    walletId: p.wallet.id,
    environmentId: p.wallet.environmentId,
    environmentType: p.wallet.environmentType,
    direction: "SEND",
    status: p.internal ? "COMPLETED" : "PENDING",
    amount: p.amount,
    amountSats: p.quote?.amountSats ?? null,
    exchangeRate: p.quote?.exchangeRate ?? null,
    fee: BigInt(0),
    settleAmount: p.internal ? p.amount : null,
    description: p.invoice.description,
    metadata: p.metadata,
    idempotencyKey: p.idempotencyKey,
    paymentRequest: p.invoice.paymentRequest,
    paymentHash: p.invoice.paymentHash,
    error: null,
    nodeId: p.nodeId,
    clientPays: p.clientPays,
    feeReserve: p.feeReserve,
    reserved: p.internal ? BigInt(0) : p.total,
    paymentPreimage: p.internal ? p.internal.paymentPreimage : null,
    payeePubkey: p.invoice.payeePubkey,
    lightningAddress: p.target.lightningAddress,
    successAction: p.target.successAction,
    counterpartId: p.internal?.id ?? null,
    pricedUsdCents: null,
    pricedUsdRate: null,
    // An internal payment completes as it is written: its USD value now (issue 15 §4).
    ...settledUsd(p.internal ? usdAtSettlement(p.amount, assetOf(p.wallet).precision, assetOf(p.wallet).symbol) : null),
    expiresAt: p.invoice.expiresAt,
    settledAt: p.internal ? completedAt : null,
    createdAt: p.now,
    updatedAt: p.internal ? completedAt : p.now,
    asset: assetOf(p.wallet),
    events,
  };
}

const settledUsd = (usd: { cents: bigint; rate: string } | null) => ({ settledUsdCents: usd?.cents ?? null, settledUsdRate: usd?.rate ?? null });

const ts = (d: Date) => d.toISOString().slice(0, -1); // timestamp(3) columns hold UTC without a zone

/** The row writeSend takes: the view's values, the webhook envelopes, and the receive's side or the sandbox job. */
function sendRow(
  view: TransactionView,
  o: { wallet: WalletRow; internal: InternalReceive | null; total: bigint; target: Target; sendRequest: string; now: Date; behavior: string; runAt: Date; live: LiveSender | null },
): SendRow {
  const forEnvelope = { ...view, environment: { type: view.environmentType } };
  const pending = buildEnvelope({ ...forEnvelope, status: "PENDING", settleAmount: null, settledAt: null }, "payment.pending");
  const base: SendRow = {
    id: view.id,
    walletId: view.walletId,
    environmentId: view.environmentId,
    assetId: view.asset.id,
    amount: view.amount.toString(),
    amountSats: view.amountSats?.toString() ?? null,
    exchangeRate: view.exchangeRate,
    description: view.description,
    metadata: view.metadata,
    idempotencyKey: view.idempotencyKey,
    paymentRequest: view.paymentRequest!,
    paymentHash: view.paymentHash!,
    expiresAt: ts(view.expiresAt!),
    createdAt: ts(o.now),
    completedAt: ts(new Date(o.now.getTime() + 1)),
    total: o.total.toString(),
    feeReserve: view.feeReserve!.toString(),
    sendRequest: o.sendRequest,
    lightningAddress: view.lightningAddress,
    successAction: view.successAction,
    payeePubkey: view.payeePubkey!,
    pendingEventId: view.events[0].id,
    pendingMessage: view.events[0].message!,
    pendingDetails: view.events[0].details!,
    sendPendingKey: pending.id,
    sendPendingPayload: JSON.stringify(pending),
  };
  if (o.live) {
    // Paid by the node (or, clientPays, by the client on the node) and followed through the durable live.send job (lib/nodes/send-payment.ts).
    return { ...base, jobId: randomUUID(), jobType: LIVE_SEND_JOB, nodeId: o.live.nodeId, clientPays: o.live.clientPays, jobPayload: JSON.stringify({ transactionId: view.id }), runAt: ts(o.runAt) };
  }
  if (!o.internal) {
    return { ...base, jobId: randomUUID(), jobPayload: JSON.stringify({ transactionId: view.id, behavior: o.behavior }), runAt: ts(o.runAt) };
  }
  const completed = buildEnvelope(forEnvelope, "payment.completed");
  const receive = o.internal.row;
  const receiveUsd = usdAtSettlement(receive.amount, receive.asset.precision, receive.asset.symbol);
  const receiveCompleted = buildEnvelope(
    { ...receive, status: "COMPLETED", settleAmount: receive.amount - receive.fee, settledAt: view.settledAt, direction: "RECEIVE" },
    "payment.completed",
  );
  return {
    ...base,
    receiveId: o.internal.id,
    paymentPreimage: o.internal.paymentPreimage,
    usdCents: view.settledUsdCents?.toString() ?? null,
    usdRate: view.settledUsdRate,
    receiveUsdCents: receiveUsd.cents.toString(),
    receiveUsdRate: receiveUsd.rate,
    completedEventId: view.events[1].id,
    completedDetails: view.events[1].details!,
    receiveEventId: randomUUID(),
    receiveDetails: JSON.stringify({ source: "internal", send_transaction_id: view.id }),
    sendCompletedKey: completed.id,
    sendCompletedPayload: JSON.stringify(completed),
    receiveCompletedKey: receiveCompleted.id,
    receiveCompletedPayload: JSON.stringify(receiveCompleted),
  };
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
  const [row] = await sql<{ id: string; direction: string; sendRequest: string | null }>(
    `SELECT id, direction::text, "sendRequest" FROM transactions WHERE "walletId" = $1 AND "idempotencyKey" = $2`,
    [walletId, idempotencyKey],
    { prepared: true },
  );
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
