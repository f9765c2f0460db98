// The browser side's pure parts (components/live): the one status source every badge reads, and
// the toast text of a payment change.
import { describe, expect, it } from "vitest";
import { describeEvent } from "@/components/live/describe-event";
import { mergeStatus, StatusStore } from "@/components/live/status-store";
import type { LivePaymentEvent } from "@/lib/events/types";

const event = (over: Partial<LivePaymentEvent> = {}): LivePaymentEvent => ({
  id: "7",
  kind: "status",
  transactionId: "tx_01",
  environmentId: "env-1",
  walletId: "w-1",
  status: "COMPLETED",
  direction: "RECEIVE",
  amount: "50000",
  asset: { symbol: "BTC", precision: 8 },
  description: "Order #42",
  createdAt: "2026-12-05T10:00:00.000Z",
  ...over,
});

describe("status store", () => {
  it("a terminal status wins over a pending one, whichever arrives first, and never goes back", () => {
    expect(mergeStatus("PENDING", "COMPLETED")).toBe("COMPLETED");
    expect(mergeStatus("COMPLETED", "PENDING")).toBe("COMPLETED");
    expect(mergeStatus("PENDING", undefined)).toBe("PENDING");
    expect(mergeStatus(undefined, "FAILED")).toBe("FAILED");
    const store = new StatusStore();
    let heard = 0;
    store.subscribe(() => heard++);
    expect(store.report("tx_1", "PENDING")).toBe(true);
    expect(store.report("tx_1", "PENDING")).toBe(false);
    expect(store.report("tx_1", "COMPLETED")).toBe(true);
    // A late poll answer from before the change changes nothing.
    expect(store.report("tx_1", "PENDING")).toBe(false);
    expect(store.get("tx_1")).toBe("COMPLETED");
    expect(store.get("tx_2")).toBeUndefined();
    expect(heard).toBe(2);
  });
});

describe("toast text", () => {
  it("says what happened with the amount in display units and the description", () => {
    expect(describeEvent(event())).toEqual({ message: "Received 0.0005 BTC · Order #42", kind: "success", href: "/pay/env-1/transactions/tx_01" });
    expect(describeEvent(event({ direction: "SEND", description: null, amount: "1250000", asset: { symbol: "USDT", precision: 6 } }))?.message).toBe("Sent 1.25 USDT");
    expect(describeEvent(event({ status: "FAILED", description: "  " }))).toMatchObject({ message: "Payment of 0.0005 BTC failed", kind: "error" });
    expect(describeEvent(event({ status: "FAILED", direction: "SEND" }))?.message).toBe("Send of 0.0005 BTC failed · Order #42");
  });

  it("is silent for new invoices and expiries (they change the lists only)", () => {
    expect(describeEvent(event({ kind: "created", status: "PENDING" }))).toBeNull();
    expect(describeEvent(event({ status: "EXPIRED" }))).toBeNull();
  });
});
