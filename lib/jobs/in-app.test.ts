import { afterEach, describe, expect, it, vi } from "vitest";

const STARTED = Symbol.for("boltrail.inAppWorker");
const store = globalThis as { [STARTED]?: { stop(): Promise<void> } };

afterEach(async () => {
  await store[STARTED]?.stop();
  delete store[STARTED];
  vi.resetModules();
});

describe("startInAppWorker", () => {
  it("starts one worker per process, even from two copies of the module (the production server and Next.js)", async () => {
    const first = await import("./in-app");
    const worker = first.startInAppWorker({ handleSignals: false });
    expect(worker?.id).toBeTruthy();
    expect(first.startInAppWorker({ handleSignals: false })).toBeNull();
    vi.resetModules();
    const copy = await import("./in-app");
    expect(copy).not.toBe(first);
    expect(copy.startInAppWorker({ handleSignals: false })).toBeNull();
  });

  it("starts none when WORKER_IN_APP=false", async () => {
    vi.stubEnv("WORKER_IN_APP", "false");
    try {
      const { startInAppWorker } = await import("./in-app");
      expect(startInAppWorker({ handleSignals: false })).toBeNull();
      expect(store[STARTED]).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
