import "server-only";
import { monotonicFactory } from "ulid";
import { db, isUniqueViolation } from "@/lib/db";
import { badInput, forbidden, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { assertWalletInKeyScope, authorize } from "../auth/permissions";
import { env } from "../env";
import { quoteInSats } from "../assets/prices";
import { openNodeKey } from "../environments/node-key";
import { enqueueJob } from "../jobs/queue";
import { signInvoice } from "../lightning/bolt11";
import { checkMinorAmount } from "../money";
import { parseInput } from "../validation";
import { EVENT_TRANSACTION_SELECT, recordPaymentEvent } from "../webhooks/events";
import { CreateReceiveInput, DEFAULT_EXPIRY_SECONDS, SANDBOX_BEHAVIORS } from "./schemas";
import { TRANSACTION_SELECT, toTransactionView, type TransactionView } from "./transaction-view";

const ulid = monotonicFactory();
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
 * create_receive (DESIGN.md §6): validates everything, signs a real BOLT11 invoice with the
 * environment's node key, and writes the transaction, its first event, the payment.pending webhook
 * event and (sandbox) the settlement job in one database transaction. A replayed idempotency key
 * in the same wallet returns the original transaction, also under concurrent replays: the unique
 * index decides, not a check-then-insert.
 */
export async function createReceive(actor: Actor, raw: unknown): Promise<TransactionView> {
  authorize(actor, "PAYMENTS", "WRITE");
  const input = parseInput(CreateReceiveInput, raw, "input");
  assertWalletInKeyScope(actor, input.wallet_id);

  const wallet = await db.wallet.findFirst({
    where: { id: input.wallet_id, environment: { teamId: actor.teamId, ...(actor.kind === "key" ? { id: actor.environmentId } : {}) } },
    select: {
      id: true,
      environmentId: true,
      asset: { select: { id: true, symbol: true, precision: true, type: true } },
      environment: { select: { type: true, nodeKeyEncrypted: true, nodePubkey: true } },
    },
  });
  if (!wallet) throw notFound("Wallet");

  const unit = wallet.asset.type === "BASE_ASSET" ? "satoshis" : `minor units of ${wallet.asset.symbol} (precision ${wallet.asset.precision})`;
  const amount = checkMinorAmount(input.amount, wallet.asset.precision, unit);
  if (!amount.ok) throw badInput("input.amount", amount.reason);
  const metadata = parseMetadata(input.metadata);

  if (input.idempotency_key) {
    const existing = await findByIdempotencyKey(wallet.id, input.idempotency_key);
    if (existing) return existing;
  }

  if (wallet.environment.type !== "SANDBOX" || !wallet.environment.nodeKeyEncrypted) {
    throw forbidden("This live environment has no Lightning node attached, so it cannot issue invoices yet");
  }

  const quote = wallet.asset.type === "BASE_ASSET" ? null : quoteInSats(amount.value, wallet.asset.precision, wallet.asset.symbol);
  const sats = quote ? quote.amountSats : amount.value;
  const expirySeconds = input.expires_in_seconds ?? DEFAULT_EXPIRY_SECONDS;
  const now = new Date();
  const description = input.description ?? "";
  const invoice = signInvoice({
    nodePrivateKey: openNodeKey(wallet.environment.nodeKeyEncrypted),
    amountMsat: sats * BigInt(1000),
    description,
    expirySeconds,
    timestamp: Math.floor(now.getTime() / 1000),
  });
  const id = newTransactionId();
  const fee = (amount.value * BigInt(env().FEE_BASIS_POINTS)) / BigInt(10_000);
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + expirySeconds * 1000);

  try {
    await db.$transaction(async (tx) => {
      await tx.transaction.create({
        data: {
          id,
          walletId: wallet.id,
          environmentId: wallet.environmentId,
          assetId: wallet.asset.id,
          direction: "RECEIVE",
          status: "PENDING",
          amount: amount.value,
          amountSats: quote ? quote.amountSats : null,
          exchangeRate: quote ? quote.exchangeRate : null,
          fee,
          description: input.description ?? null,
          metadata: metadata.text,
          idempotencyKey: input.idempotency_key ?? id,
          paymentRequest: invoice.paymentRequest,
          paymentHash: invoice.paymentHash,
          paymentPreimage: invoice.preimage,
          expiresAt,
          createdAt: now,
        },
      });
      await tx.transactionEvent.create({
        data: { transactionId: id, eventType: "payment.pending", message: "Invoice created", details: JSON.stringify({ expires_in_seconds: expirySeconds }) },
      });
      const row = await tx.transaction.findUniqueOrThrow({ where: { id }, select: EVENT_TRANSACTION_SELECT });
      await recordPaymentEvent(tx, row, "payment.pending");
      const behavior = metadata.behavior ?? "complete";
      const delay = env().SANDBOX_SETTLE_DELAY_MS;
      const runAt = new Date(Math.min(now.getTime() + delay, expiresAt.getTime()));
      await enqueueJob(tx, "sandbox.settle", { transactionId: id, behavior }, runAt);
    });
  } catch (err) {
    if (input.idempotency_key && isUniqueViolation(err)) {
      const existing = await findByIdempotencyKey(wallet.id, input.idempotency_key);
      if (existing) return existing;
    }
    throw err;
  }
  return findTransactionById(id);
}

async function findByIdempotencyKey(walletId: string, idempotencyKey: string): Promise<TransactionView | null> {
  const row = await db.transaction.findUnique({
    where: { walletId_idempotencyKey: { walletId, idempotencyKey } },
    select: { ...TRANSACTION_SELECT, events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return row ? toTransactionView(row) : null;
}

async function findTransactionById(id: string): Promise<TransactionView> {
  const row = await db.transaction.findUniqueOrThrow({
    where: { id },
    select: { ...TRANSACTION_SELECT, events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  return toTransactionView(row);
}
