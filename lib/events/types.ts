/**
 * What the dashboard's live stream carries (GET /api/events, lib/events/http.ts): one payment
 * change, as written by the live_events trigger (migration 20261205100000_live_events). Shared by
 * the server and the browser (components/live), so pure types and helpers only.
 */
export type LiveStatus = "PENDING" | "COMPLETED" | "FAILED" | "EXPIRED";

export type LivePaymentEvent = {
  /** The event's id (a decimal bigint), also the SSE `id:` a reconnecting browser sends back as Last-Event-ID. */
  id: string;
  /** "created": a new transaction; "status": its status changed (and with it, maybe, a balance). */
  kind: "created" | "status";
  transactionId: string;
  environmentId: string;
  walletId: string;
  status: LiveStatus;
  direction: "RECEIVE" | "SEND";
  /** In the asset's minor units, a decimal string. */
  amount: string;
  asset: { symbol: string; precision: number };
  /** The transaction's description (at most 200 characters), or null. */
  description: string | null;
  /** When the change was committed, ISO 8601. */
  createdAt: string;
};

/** The SSE event names of the stream. */
export const LIVE_EVENT = {
  /** A payment change (data: LivePaymentEvent). */
  payment: "payment",
  /** The session ended (signed out, revoked, expired): the browser must not reconnect. */
  end: "end",
} as const;

/** A status the dashboard shows for a transaction never goes back from terminal to pending. */
export function isTerminal(status: LiveStatus): boolean {
  return status !== "PENDING";
}
