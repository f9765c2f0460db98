import type { LiveStatus } from "@/lib/events/types";

/**
 * Two reports of one payment's status → the one to show. A payment moves once, from PENDING to a
 * terminal status, and never back: so whichever report is terminal is the newer, and a page
 * rendered before the change (still PENDING) can never outvote the stream that saw it.
 */
export function mergeStatus(a: LiveStatus | undefined, b: LiveStatus | undefined): LiveStatus | undefined {
  if (a && a !== "PENDING") return a;
  if (b && b !== "PENDING") return b;
  return a ?? b;
}

/**
 * The browser's one source of payment statuses on dashboard pages: fed by the live stream (and by
 * a poll while the stream is down); every badge of a page reads it, merged with what the server
 * rendered, so two badges of one payment never disagree.
 */
export class StatusStore {
  private readonly statuses = new Map<string, LiveStatus>();
  private readonly listeners = new Set<() => void>();

  get(transactionId: string): LiveStatus | undefined {
    return this.statuses.get(transactionId);
  }

  /** Records a report; listeners hear of it only when the merged status changed. */
  report(transactionId: string, status: LiveStatus): boolean {
    const before = this.statuses.get(transactionId);
    const after = mergeStatus(before, status)!;
    if (after === before) return false;
    this.statuses.set(transactionId, after);
    for (const listener of this.listeners) listener();
    return true;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
