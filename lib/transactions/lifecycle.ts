import "server-only";
import { db, type Tx } from "@/lib/db";
import { usdAtSettlement } from "../assets/prices";
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
export type TransitionOptions = {
  message?: string;
  error?: string;
  details?: Record<string, unknown>;
  /** Sends completing: the routing fee actually paid (at most the reserve; default 0). */
  fee?: bigint;
  /** Sends completing: the proof of payment, when known. */
  preimage?: string | null;
};

export async function transitionInTx(tx: Tx, transactionId: string, to: TerminalStatus, options: TransitionOptions = {}): Promise<boolean> {
  const now = new Date();
  const current = await tx.transaction.findUnique({
    where: { id: transactionId },
    select: { amount: true, fee: true, direction: true, reserved: true, feeReserve: true, asset: { select: { symbol: true, precision: true } } },
  });
  if (!current) return false;
  const isSend = current.direction === "SEND";
  // A send's fee is only known when it completes; it never exceeds what was reserved for it.
  let fee = current.fee;
  if (isSend && to === "COMPLETED") {
    fee = options.fee ?? BigInt(0);
    const cap = current.feeReserve ?? BigInt(0);
    if (fee < BigInt(0) || fee > cap) throw new Error(`send ${transactionId}: fee ${fee} outside its reserve 0..${cap}`);
  }
  // Receives settle their amount net of Boltrail's fee; sends deliver their whole amount.
  const settleAmount = to === "COMPLETED" ? (isSend ? current.amount : current.amount - current.fee) : null;
  // The USD value of its amount when it completes (issue 15 §4): written once, by the update that makes the transition.
  const usd = to === "COMPLETED" ? usdAtSettlement(current.amount, current.asset.precision, current.asset.symbol) : null;
  const { count } = await tx.transaction.updateMany({
    where: { id: transactionId, status: "PENDING" },
    data: {
      status: to,
      settledAt: to === "COMPLETED" ? now : null,
      settleAmount,
      ...(usd ? { settledUsdCents: usd.cents, settledUsdRate: usd.rate } : {}),
      error: to === "FAILED" ? (options.error ?? "Payment failed") : null,
      ...(isSend ? { fee, reserved: BigInt(0), ...(to === "COMPLETED" && options.preimage ? { paymentPreimage: options.preimage } : {}) } : {}),
    },
  });
  if (count !== 1) return false;

  const row = await tx.transaction.findUniqueOrThrow({ where: { id: transactionId }, select: EVENT_TRANSACTION_SELECT });
  if (!isSend) {
    if (to === "COMPLETED") await tx.wallet.update({ where: { id: row.walletId }, data: { received: { increment: settleAmount! } } });
  } else {
    // The reserve is released in every outcome; a completed send books amount + actual fee.
    await tx.wallet.update({
      where: { id: row.walletId },
      data: { reserved: { decrement: current.reserved }, ...(to === "COMPLETED" ? { sent: { increment: row.amount + fee } } : {}) },
    });
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

export function transition(transactionId: string, to: TerminalStatus, options?: TransitionOptions): Promise<boolean> {
  return db.$transaction((tx) => transitionInTx(tx, transactionId, to, options));
}
