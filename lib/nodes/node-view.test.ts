import { describe, expect, it } from "vitest";
import { connectionStateOf, NODE_STALE_AFTER_MS } from "./node-view";

const now = Date.parse("2026-12-03T12:00:00Z");
const at = (msAgo: number) => new Date(now - msAgo);

describe("connectionStateOf", () => {
  it("connected or reconnecting while a worker checked the node recently", () => {
    expect(connectionStateOf({ state: "CONNECTED", statusCheckedAt: at(10_000), updatedAt: at(3_600_000) }, now)).toBe("connected");
    expect(connectionStateOf({ state: "RECONNECTING", statusCheckedAt: at(10_000), updatedAt: at(5_000) }, now)).toBe("reconnecting");
  });

  it("just attached, not checked yet: as stored (the attach itself checked it)", () => {
    expect(connectionStateOf({ state: "CONNECTED", statusCheckedAt: null, updatedAt: at(1_000) }, now)).toBe("connected");
  });

  it("disconnected when no worker has reached it for longer than the stale limit, whatever the stored state", () => {
    for (const state of ["CONNECTED", "RECONNECTING"] as const) {
      expect(connectionStateOf({ state, statusCheckedAt: at(NODE_STALE_AFTER_MS + 1), updatedAt: at(NODE_STALE_AFTER_MS + 1) }, now)).toBe("disconnected");
      expect(connectionStateOf({ state, statusCheckedAt: null, updatedAt: at(NODE_STALE_AFTER_MS * 10) }, now)).toBe("disconnected");
    }
  });
});
