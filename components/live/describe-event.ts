import { displayAmount } from "@/lib/money";
import type { LivePaymentEvent } from "@/lib/events/types";

export type EventNotice = { message: string; kind: "success" | "error"; href: string };

/**
 * What a payment change is worth telling the merchant about, in words: "Received 0.0005 BTC ·
 * Order #42". Payments that completed or failed; new invoices and expiries change the lists only.
 */
export function describeEvent(event: LivePaymentEvent): EventNotice | null {
  if (event.kind !== "status" || (event.status !== "COMPLETED" && event.status !== "FAILED")) return null;
  const amount = `${displayAmount(BigInt(event.amount), event.asset.precision)} ${event.asset.symbol}`;
  const what =
    event.status === "COMPLETED"
      ? `${event.direction === "RECEIVE" ? "Received" : "Sent"} ${amount}`
      : `${event.direction === "RECEIVE" ? "Payment" : "Send"} of ${amount} failed`;
  const description = event.description?.trim();
  return {
    message: description ? `${what} · ${description}` : what,
    kind: event.status === "COMPLETED" ? "success" : "error",
    href: `/pay/${event.environmentId}/transactions/${event.transactionId}`,
  };
}
