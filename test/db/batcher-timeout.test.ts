// createBatcher (lib/db-batch.ts) when a batch never settles (a round trip lost with its
// connection): its items fail with SERVICE_UNAVAILABLE after `timeoutMs` and its slot is freed,
// so the callers after it are served instead of queueing behind it forever.
import { describe, expect, it } from "vitest";
import { createBatcher } from "@/lib/db-batch";
import { AppError } from "@/lib/errors";

describe("createBatcher: a batch that never settles", () => {
  it("fails its items after timeoutMs and frees its slot for the next batch", async () => {
    let calls = 0;
    const batcher = createBatcher<number, number>({
      maxInFlight: 1,
      timeoutMs: 200,
      run: async (items) => {
        calls++;
        if (calls === 1) return new Promise(() => {}); // lost: never settles
        return items.map((n) => ({ ok: true as const, value: n * 2 }));
      },
    });
    const started = Date.now();
    const lost = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const next = batcher.submit(2);
    const error = await lost.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("SERVICE_UNAVAILABLE");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await next).toBe(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batcher.stats()).toEqual({ queued: 0, inFlight: 0 });
  });
});
