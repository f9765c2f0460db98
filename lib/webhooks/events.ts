import "server-only";
import type { Tx } from "@/lib/db";

import { PAYMENT_EVENT_TYPES, type PaymentEventType } from "./event-types";

export { PAYMENT_EVENT_TYPES, type PaymentEventType };

export const EVENT_FOR_STATUS = {
  PENDING: "payment.pending",
  COMPLETED: "payment.completed",
  FAILED: "payment.failed",
  EXPIRED: "payment.expired",
} as const satisfies Record<string, PaymentEventType>;

type AmountObject = { amount: string; asset_id: string; asset_symbol: string; precision: number };

/** The transaction as the webhook envelope needs it. */
export type EventTransaction = {
  id: string;
  walletId: string;
  environmentId: string;
  direction: "RECEIVE" | "SEND";
  status: "PENDING" | "COMPLETED" | "FAILED" | "EXPIRED";
  amount: bigint;
  fee: bigint;
  settleAmount: bigint | null;
  exchangeRate: string | null;
  description: string | null;
  metadata: string | null;
  paymentRequest: string | null;
  paymentHash: string | null;
  nodeId: string | null;
  settledAt: Date | null;
  expiresAt: Date | null;
  asset: { id: string; symbol: string; precision: number };
  environment: { type: "SANDBOX" | "LIVE" };
};

export const EVENT_TRANSACTION_SELECT = {
  id: true,
  walletId: true,
  environmentId: true,
  direction: true,
  status: true,
  amount: true,
  fee: true,
  settleAmount: true,
  exchangeRate: true,
  description: true,
  metadata: true,
  paymentRequest: true,
  paymentHash: true,
  nodeId: true,
  settledAt: true,
  expiresAt: true,
  asset: { select: { id: true, symbol: true, precision: true } },
  environment: { select: { type: true } },
} as const;

function parseMetadata(metadata: string | null): object | null {
  if (!metadata) return null;
  try {
    const value: unknown = JSON.parse(metadata);
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** The envelope of seed 001, exactly. `id` = `<event_type>:<tx_id>`, stable across retries. */
export function buildEnvelope(tx: EventTransaction, eventType: PaymentEventType) {
  const money = (amount: bigint | null): AmountObject | null =>
    amount === null ? null : { amount: amount.toString(), asset_id: tx.asset.id, asset_symbol: tx.asset.symbol, precision: tx.asset.precision };
  return {
    id: `${eventType}:${tx.id}`,
    event_type: eventType,
    environment: tx.environment.type === "LIVE" ? "live" : "sandbox",
    environment_id: tx.environmentId,
    wallet_id: tx.walletId,
    node_id: tx.nodeId,
    data: {
      id: tx.id,
      direction: tx.direction === "RECEIVE" ? "receive" : "send",
      status: tx.status.toLowerCase(),
      payment_details: { payment_type: "bolt11", payment_request: tx.paymentRequest, payment_hash: tx.paymentHash },
      amount: money(tx.amount),
      fee: money(tx.fee),
      settle_amount: money(tx.settleAmount),
      exchange_rate: tx.exchangeRate,
      description: tx.description,
      settled_at: tx.settledAt ? tx.settledAt.toISOString() : null,
      expires_at: tx.expiresAt ? tx.expiresAt.toISOString() : null,
      metadata: parseMetadata(tx.metadata),
    },
  };
}

/**
 * Writes the webhook event of a status change, and one pending delivery per active endpoint of
 * the environment whose filters match and that is bound to no wallet or to this transaction's
 * wallet, in the caller's transaction (transactional outbox).
 */
export async function recordPaymentEvent(db: Tx, tx: EventTransaction, eventType: PaymentEventType): Promise<string> {
  const envelope = buildEnvelope(tx, eventType);
  const event = await db.webhookEvent.create({
    data: {
      environmentId: tx.environmentId,
      walletId: tx.walletId,
      transactionId: tx.id,
      eventType,
      idempotencyKey: envelope.id,
      payload: JSON.stringify(envelope),
    },
    select: { id: true },
  });
  const endpoints = await db.webhookEndpoint.findMany({
    where: {
      environmentId: tx.environmentId,
      active: true,
      AND: [{ OR: [{ eventFilters: { isEmpty: true } }, { eventFilters: { has: eventType } }] }, { OR: [{ walletId: null }, { walletId: tx.walletId }] }],
    },
    select: { id: true },
  });
  if (endpoints.length) {
    await db.webhookDelivery.createMany({ data: endpoints.map((e) => ({ eventId: event.id, endpointId: e.id })) });
  }
  return event.id;
}
