import "server-only";
import { createUlidFactory } from "@/lib/ids";
import { randomUUID } from "node:crypto";
import { db, sql } from "@/lib/db";
import { pgErrorCode, writeReceive, type ReceiveWrite } from "./write-receives";
import { badInput, forbidden, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { assertWalletInKeyScope, authorize } from "../auth/permissions";
import { env } from "../env";
import { quoteInSats } from "../assets/prices";
import { openNodeKey } from "../environments/node-key";
import { signInvoice } from "../lightning/bolt11";
import { checkMinorAmount } from "../money";
import { parseInput } from "../validation";
import { buildEnvelope } from "../webhooks/events";
import type { WalletAsset } from "../wallets/wallet-view";
import { CreateReceiveInput, DEFAULT_EXPIRY_SECONDS, SANDBOX_BEHAVIORS } from "./schemas";
import { TRANSACTION_SELECT, toTransactionView, type TransactionView } from "./transaction-view";

const ulid = createUlidFactory();

type WalletRow = {
  id: string;
  environmentId: string;
  teamId: string;
  environmentType: "SANDBOX" | "LIVE";
  nodeKeyEncrypted: string | null;
  assetId: string;
  symbol: string;
  name: string;
  assetType: "BASE_ASSET" | "TAPROOT_ASSET";
  precision: number;
  description: string | null;
  websiteUrl: string | null;
  tapAssetId: string | null;
  groupKey: string | null;
  universe: string | null;
};

export const newTransactionId = () => `tx_${ulid()}`;

function parseMetadata(raw: string | null | undefined): { text: string | null; behavior: (typeof SANDBOX_BEHAVIORS)[number] | null } {
  if (raw === null || raw === undefined) return { text: null, behavior: null };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw badInput("input.metadata", 'must be a JSON object encoded as a string, e.g. "{\\"order_id\\":\\"42\\"}"');
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badInput("input.metadata", "must encode a JSON object (not an array, string or number)");
  const behavior = (value as Record<string, unknown>).amb_sandbox_behavior;
  if (behavior === undefined) return { text: raw, behavior: null };
  if (typeof behavior !== "string" || !(SANDBOX_BEHAVIORS as readonly string[]).includes(behavior)) {
    throw badInput("input.metadata.amb_sandbox_behavior", `must be one of ${SANDBOX_BEHAVIORS.join(", ")}`);
  }
  return { text: raw, behavior: behavior as (typeof SANDBOX_BEHAVIORS)[number] };
}

/**
 * What create_receive needs to know about a wallet: its environment and team, the environment's
 * sealed node key and the wallet's asset. None of it ever changes for a wallet id (a wallet never
 * moves, its asset is fixed, a sandbox node key is set when the environment is created), so it is
 * cached for a minute per process and the request path saves a database round trip. Deletion is
 * the one change: the INSERT then fails on its foreign key and the entry is dropped (NOT_FOUND).
 * Who may use the wallet is still decided on every call, against the caller's fresh identity.
 */
const WALLET_CONTEXT_TTL_MS = 60_000;
const WALLET_CONTEXT_MAX = 10_000;
const walletContexts = new Map<string, { row: WalletRow; at: number }>();

async function walletContext(walletId: string): Promise<WalletRow | undefined> {
  const cached = walletContexts.get(walletId);
  if (cached && Date.now() - cached.at < WALLET_CONTEXT_TTL_MS) return cached.row;
  // Hot path: plain SQL (see lib/db.ts `sql`).
  const [row] = await sql<WalletRow>(
    `SELECT w.id, w."environmentId", e."teamId", e.type::text AS "environmentType", e."nodeKeyEncrypted",
            a.id AS "assetId", a.symbol, a.name, a.type::text AS "assetType", a.precision, a.description,
            a."websiteUrl", a."tapAssetId", a."groupKey", a.universe
     FROM wallets w JOIN environments e ON e.id = w."environmentId" JOIN assets a ON a.id = w."assetId"
     WHERE w.id = $1`,
    [walletId],
    { prepared: true },
  );
  if (!row) {
    walletContexts.delete(walletId);
    return undefined;
  }
  if (walletContexts.size >= WALLET_CONTEXT_MAX) walletContexts.clear();
  walletContexts.set(walletId, { row, at: Date.now() });
  return row;
}

/**
 * Opened node keys, keyed by their sealed value (which names one key of one environment for good,
 * so an entry never goes stale). The process holds APP_ENCRYPTION_KEY, which opens them all, so
 * keeping them open adds no exposure and saves an AES-GCM decryption per invoice.
 */
const OPENED_NODE_KEYS_MAX = 1_000;
const openedNodeKeys = new Map<string, Buffer>();

function nodeKeyOf(sealed: string): Buffer {
  let key = openedNodeKeys.get(sealed);
  if (!key) {
    key = openNodeKey(sealed);
    if (openedNodeKeys.size >= OPENED_NODE_KEYS_MAX) openedNodeKeys.clear();
    openedNodeKeys.set(sealed, key);
  }
  return key;
}

function forgetWalletContext(walletId: string): void {
  walletContexts.delete(walletId);
}

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
  if (!wallet || wallet.teamId !== actor.teamId || (actor.kind === "key" && wallet.environmentId !== actor.environmentId)) throw notFound("Wallet");

  const asset: WalletAsset = {
    id: wallet.assetId,
    symbol: wallet.symbol,
    name: wallet.name,
    type: wallet.assetType,
    precision: wallet.precision,
    description: wallet.description,
    websiteUrl: wallet.websiteUrl,
    tapAssetId: wallet.tapAssetId,
    groupKey: wallet.groupKey,
    universe: wallet.universe,
  };
  const unit = asset.type === "BASE_ASSET" ? "satoshis" : `minor units of ${asset.symbol} (precision ${asset.precision})`;
  const amount = checkMinorAmount(input.amount, asset.precision, unit);
  if (!amount.ok) throw badInput("input.amount", amount.reason);
  const metadata = parseMetadata(input.metadata);

  if (wallet.environmentType !== "SANDBOX" || !wallet.nodeKeyEncrypted) {
    throw forbidden("This live environment has no Lightning node attached, so it cannot issue invoices yet");
  }

  const quote = asset.type === "BASE_ASSET" ? null : quoteInSats(amount.value, asset.precision, asset.symbol);
  const sats = quote ? quote.amountSats : amount.value;
  const expirySeconds = input.expires_in_seconds ?? DEFAULT_EXPIRY_SECONDS;
  const now = new Date();
  const description = input.description ?? "";
  const invoice = signInvoice({
    nodePrivateKey: nodeKeyOf(wallet.nodeKeyEncrypted),
    amountMsat: sats * BigInt(1000),
    description,
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
    description: input.description ?? null,
    metadata: metadata.text,
    idempotencyKey: input.idempotency_key ?? id,
    paymentRequest: invoice.paymentRequest,
    paymentHash: invoice.paymentHash,
    error: null,
    nodeId: null,
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
    return existing;
  }
  return view;
}


async function findByIdempotencyKey(walletId: string, idempotencyKey: string): Promise<TransactionView | null> {
  const row = await db.transaction.findUnique({
    where: { walletId_idempotencyKey: { walletId, idempotencyKey } },
    select: { ...TRANSACTION_SELECT, events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return row ? toTransactionView(row) : null;
}

