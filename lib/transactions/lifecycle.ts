import "server-only";
import { db, type Tx } from "@/lib/db";
import { EVENT_FOR_STATUS, EVENT_TRANSACTION_SELECT, recordPaymentEvent } from "../webhooks/events";

export type TerminalStatus = "COMPLETED" | "FAILED" | "EXPIRED";

export const TRANSITION_MESSAGES: Record<TerminalStatus, string> = {
  COMPLETED: "Payment settled",
  FAILED: "Payment failed",
  EXPIRED: "Invoice expired without payment",
};

/**
 * PENDING → COMPLETED | FAILED | EXPIRED, exactly once: a conditional update on the current
 * status, so when settlement, expiry and a retry race, one wins and the others change nothing.
 * In the same database transaction: the transaction event, the wallet balance, and the webhook
 * event with its deliveries. Returns whether this call made the transition.
 */
export async function transitionInTx(
  tx: Tx,
  transactionId: string,
  to: TerminalStatus,
  options: { message?: string; error?: string; details?: Record<string, unknown> } = {},
): Promise<boolean> {
  const now = new Date();
  const current = await tx.transaction.findUnique({ where: { id: transactionId }, select: { amount: true, fee: true, direction: true } });
  if (!current) return false;
  const settleAmount = to === "COMPLETED" ? current.amount - current.fee : null;
  const { count } = await tx.transaction.updateMany({
    where: { id: transactionId, status: "PENDING" },
    data: {
      status: to,
      settledAt: to === "COMPLETED" ? now : null,
      settleAmount,
      error: to === "FAILED" ? (options.error ?? "Payment failed") : null,
    },
  });
  if (count !== 1) return false;

  const row = await tx.transaction.findUniqueOrThrow({ where: { id: transactionId }, select: EVENT_TRANSACTION_SELECT });
  if (to === "COMPLETED") {
    if (row.direction === "RECEIVE") {
      await tx.wallet.update({ where: { id: row.walletId }, data: { received: { increment: settleAmount! } } });
    } else {
      await tx.wallet.update({ where: { id: row.walletId }, data: { sent: { increment: row.amount + row.fee } } });
    }
  }
  await tx.transactionEvent.create({
    data: {
      transactionId,
      eventType: EVENT_FOR_STATUS[to],
      message: options.message ?? (to === "FAILED" && options.error ? options.error : TRANSITION_MESSAGES[to]),
      details: options.details ? JSON.stringify(options.details) : null,
    },
  });
  await recordPaymentEvent(tx, row, EVENT_FOR_STATUS[to]);
  return true;
}

export function transition(transactionId: string, to: TerminalStatus, options?: Parameters<typeof transitionInTx>[3]): Promise<boolean> {
  return db.$transaction((tx) => transitionInTx(tx, transactionId, to, options));
}
