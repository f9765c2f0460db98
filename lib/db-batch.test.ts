// createBatcher (lib/db-batch.ts) on its own, no database: what goes out together, how many
// batches run at once, and how each item is settled (outcomes, a throwing runner, a wrong count).
import { describe, expect, it } from "vitest";
import { createBatcher, type Outcome } from "./db-batch";

/** A promise settled from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every callback already queued (setImmediate flushes, their runs) happen. */
const nextTurns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

const okAll = <T>(items: T[]): Outcome<T>[] => items.map((value) => ({ ok: true, value }));

/** A runner that echoes its items (doubled) and records every batch it received. */
function echo() {
  const batches: number[][] = [];
  const run = async (items: number[]) => {
    batches.push([...items]);
    return okAll(items.map((n) => n * 2));
  };
  return { batches, run };
}

/** A runner whose batches each wait until the test settles them, recording how many are pending. */
function controlled() {
  const runs: { items: string[]; done: ReturnType<typeof deferred<Outcome<string>[]>> }[] = [];
  let pending = 0;
  let maxPending = 0;
  const run = async (items: string[]) => {
    const done = deferred<Outcome<string>[]>();
    runs.push({ items: [...items], done });
    pending++;
    maxPending = Math.max(maxPending, pending);
    try {
      return await done.promise;
    } finally {
      pending--;
    }
  };
  const finish = (n: number) => runs[n].done.resolve(okAll(runs[n].items.map((s) => s.toUpperCase())));
  return { runs, run, finish, pending: () => pending, maxPending: () => maxPending };
}

describe("createBatcher: what goes out together", () => {
  it("items submitted in one turn go out in one batch, in order, each answered with its own value", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run });
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it("nothing is sent before the turn ends: the runner is not called synchronously", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run });
    const a = batcher.submit(1);
    expect(batches).toEqual([]);
    expect(batcher.stats()).toEqual({ queued: 1, inFlight: 0 });
    const b = batcher.submit(2);
    expect(await Promise.all([a, b])).toEqual([2, 4]);
    expect(batches).toEqual([[1, 2]]);
    await nextTurns(); // the slot is given back once the batch has settled its items
    expect(batcher.stats()).toEqual({ queued: 0, inFlight: 0 });
  });

  it("items submitted in one turn after some awaits (microtasks, as requests do) still go out together", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run });
    const submitAfter = async (n: number, awaits: number) => {
      for (let i = 0; i < awaits; i++) await Promise.resolve();
      return batcher.submit(n);
    };
    expect(await Promise.all([submitAfter(1, 0), submitAfter(2, 3), submitAfter(3, 10)])).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("a lone item goes out alone, and the next one (a later turn) in a batch of its own", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run });
    expect(await batcher.submit(7)).toBe(14);
    expect(await batcher.submit(8)).toBe(16);
    expect(batches).toEqual([[7], [8]]);
  });

  it("the same item submitted twice is in the batch twice (the runner decides about duplicates)", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run });
    expect(await Promise.all([batcher.submit(3), batcher.submit(3)])).toEqual([6, 6]);
    expect(batches).toEqual([[3, 3]]);
  });

  it("maxBatch splits what arrived together into batches of at most maxBatch, in order", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run, maxBatch: 4, maxInFlight: 10 });
    const items = Array.from({ length: 10 }, (_, n) => n);
    expect(await Promise.all(items.map((n) => batcher.submit(n)))).toEqual(items.map((n) => n * 2));
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it("maxBatch of 1 sends every item on its own", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run, maxBatch: 1, maxInFlight: 10 });
    expect(await Promise.all([1, 2, 3].map((n) => batcher.submit(n)))).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1], [2], [3]]);
  });

  it("the default maxBatch is 64", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run, maxInFlight: 10 });
    await Promise.all(Array.from({ length: 130 }, (_, n) => batcher.submit(n)));
    expect(batches.map((b) => b.length)).toEqual([64, 64, 2]);
    expect(batches.flat()).toEqual(Array.from({ length: 130 }, (_, n) => n));
  });
});

describe("createBatcher: batches in flight", () => {
  it("runs at most maxInFlight batches at once; what arrives meanwhile waits and goes out as one batch when a slot frees", async () => {
    const c = controlled();
    const batcher = createBatcher({ run: c.run, maxBatch: 2, maxInFlight: 2 });
    const first = ["a", "b", "c", "d", "e"].map((s) => batcher.submit(s));
    await nextTurns();
    // Two slots: [a b] and [c d] run, [e] waits.
    expect(c.runs.map((r) => r.items)).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(c.pending()).toBe(2);
    expect(batcher.stats()).toEqual({ queued: 1, inFlight: 2 });

    // More arrives in later turns while both slots are busy: nothing more is sent.
    const second = batcher.submit("f");
    await nextTurns();
    const third = batcher.submit("g");
    await nextTurns();
    expect(c.runs).toHaveLength(2);
    expect(batcher.stats()).toEqual({ queued: 3, inFlight: 2 });

    // One slot frees: the queue goes out, up to maxBatch (2) at a time, into that one slot only.
    c.finish(0);
    expect(await Promise.all(first.slice(0, 2))).toEqual(["A", "B"]);
    await nextTurns();
    expect(c.runs.map((r) => r.items)).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
    ]);
    expect(c.pending()).toBe(2);
    expect(batcher.stats()).toEqual({ queued: 1, inFlight: 2 });

    c.finish(1);
    c.finish(2);
    await nextTurns();
    expect(c.runs.map((r) => r.items).slice(3)).toEqual([["g"]]);
    c.finish(3);
    expect(await Promise.all([...first, second, third])).toEqual(["A", "B", "C", "D", "E", "F", "G"]);
    expect(c.maxPending()).toBe(2);
    await nextTurns(); // the slot is given back once the batch has settled its items
    expect(batcher.stats()).toEqual({ queued: 0, inFlight: 0 });
  });

  it("items queued while the only slot is busy go out together in the next batch (not one by one)", async () => {
    const c = controlled();
    const batcher = createBatcher({ run: c.run, maxInFlight: 1 });
    const lone = batcher.submit("x");
    await nextTurns();
    expect(c.runs.map((r) => r.items)).toEqual([["x"]]);

    // Twelve items, in three different turns, while [x] runs.
    const queued: Promise<string>[] = [];
    for (let turn = 0; turn < 3; turn++) {
      for (let i = 0; i < 4; i++) queued.push(batcher.submit(`q${turn}${i}`));
      await nextTurns();
    }
    expect(c.runs).toHaveLength(1);
    expect(batcher.stats()).toEqual({ queued: 12, inFlight: 1 });

    c.finish(0);
    expect(await lone).toBe("X");
    await nextTurns();
    expect(c.runs).toHaveLength(2);
    expect(c.runs[1].items).toEqual(["q00", "q01", "q02", "q03", "q10", "q11", "q12", "q13", "q20", "q21", "q22", "q23"]);
    c.finish(1);
    expect(await Promise.all(queued)).toEqual(c.runs[1].items.map((s) => s.toUpperCase()));
    expect(c.maxPending()).toBe(1);
  });

  it("never exceeds maxInFlight under a stream of submissions, and settles every item", async () => {
    const c = controlled();
    const batcher = createBatcher({ run: c.run, maxBatch: 3, maxInFlight: 3 });
    const all: Promise<string>[] = [];
    let finished = 0;
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 5; i++) all.push(batcher.submit(`${turn}-${i}`));
      await nextTurns(1);
      expect(c.pending()).toBeLessThanOrEqual(3);
      expect(batcher.stats().inFlight).toBe(c.pending());
      // Finish the oldest running batch every other turn, so the queue builds up.
      if (turn % 2 === 1 && finished < c.runs.length) c.finish(finished++);
    }
    while (finished < all.length) {
      await nextTurns();
      if (finished < c.runs.length) c.finish(finished++);
      else if (batcher.stats().queued === 0 && batcher.stats().inFlight === 0) break;
      expect(c.pending()).toBeLessThanOrEqual(3);
    }
    const results = await Promise.all(all);
    expect(results).toEqual(Array.from({ length: 100 }, (_, n) => `${Math.floor(n / 5)}-${n % 5}`.toUpperCase()));
    expect(c.maxPending()).toBe(3);
    // Every item was sent exactly once, in submission order, in batches of at most 3.
    expect(c.runs.flatMap((r) => r.items)).toEqual(Array.from({ length: 100 }, (_, n) => `${Math.floor(n / 5)}-${n % 5}`));
    expect(Math.max(...c.runs.map((r) => r.items.length))).toBeLessThanOrEqual(3);
  });

  it("the default maxInFlight is 2", async () => {
    const c = controlled();
    const batcher = createBatcher({ run: c.run, maxBatch: 1 });
    const all = ["a", "b", "c", "d"].map((s) => batcher.submit(s));
    await nextTurns();
    expect(c.runs.map((r) => r.items)).toEqual([["a"], ["b"]]);
    c.finish(0);
    c.finish(1);
    await nextTurns();
    c.finish(2);
    c.finish(3);
    expect(await Promise.all(all)).toEqual(["A", "B", "C", "D"]);
    expect(c.maxPending()).toBe(2);
  });
});

describe("createBatcher: settling items", () => {
  it("settles each item with its own outcome: a rejected item does not affect the others of its batch", async () => {
    const batches: number[][] = [];
    const batcher = createBatcher<number, string>({
      async run(items) {
        batches.push(items);
        return items.map((n) => (n % 3 === 0 ? { ok: false, error: new Error(`no ${n}`) } : { ok: true, value: `yes ${n}` }));
      },
    });
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map((n) => batcher.submit(n)));
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(results).toEqual([
      { status: "fulfilled", value: "yes 1" },
      { status: "fulfilled", value: "yes 2" },
      { status: "rejected", reason: new Error("no 3") },
      { status: "fulfilled", value: "yes 4" },
      { status: "fulfilled", value: "yes 5" },
      { status: "rejected", reason: new Error("no 6") },
    ]);
  });

  it("rejects with the very error object of the outcome (any value, not only Errors)", async () => {
    const error = { code: "23503", detail: "gone" };
    const batcher = createBatcher<string, string>({ run: async (items) => items.map(() => ({ ok: false, error })) });
    await expect(batcher.submit("a")).rejects.toBe(error);
  });

  it("resolves with falsy values as they are (undefined, null, 0, empty string)", async () => {
    const values: unknown[] = [undefined, null, 0, "", false];
    const batcher = createBatcher<number, unknown>({ run: async (items) => items.map((n) => ({ ok: true, value: values[n] })) });
    expect(await Promise.all([0, 1, 2, 3, 4].map((n) => batcher.submit(n)))).toEqual(values);
  });

  it("a runner that throws (rejects) fails every item of that batch with its error, and only that batch", async () => {
    const boom = new Error("connection reset");
    const batches: string[][] = [];
    const batcher = createBatcher<string, string>({
      maxBatch: 2,
      maxInFlight: 4,
      async run(items) {
        batches.push(items);
        if (items.includes("bad")) throw boom;
        return okAll(items.map((s) => s.toUpperCase()));
      },
    });
    const results = await Promise.allSettled(["a", "b", "bad", "c", "d", "e"].map((s) => batcher.submit(s)));
    expect(batches).toEqual([
      ["a", "b"],
      ["bad", "c"],
      ["d", "e"],
    ]);
    expect(results).toEqual([
      { status: "fulfilled", value: "A" },
      { status: "fulfilled", value: "B" },
      { status: "rejected", reason: boom },
      { status: "rejected", reason: boom },
      { status: "fulfilled", value: "D" },
      { status: "fulfilled", value: "E" },
    ]);
    // The next batch works, and the slot of the failed one was given back.
    expect(await Promise.all([batcher.submit("f"), batcher.submit("g")])).toEqual(["F", "G"]);
    await nextTurns(); // the slot is given back once the batch has settled its items
    expect(batcher.stats()).toEqual({ queued: 0, inFlight: 0 });
  });

  it("a runner that throws synchronously (not an async function) is treated the same", async () => {
    let calls = 0;
    const batcher = createBatcher<string, string>({
      maxInFlight: 1,
      run: ((items: string[]) => {
        calls++;
        if (calls === 1) throw new Error("sync failure");
        return Promise.resolve(okAll(items));
      }) as (items: string[]) => Promise<Outcome<string>[]>,
    });
    const failed = await Promise.allSettled([batcher.submit("a"), batcher.submit("b")]);
    expect(failed).toEqual([
      { status: "rejected", reason: new Error("sync failure") },
      { status: "rejected", reason: new Error("sync failure") },
    ]);
    expect(await batcher.submit("c")).toBe("c");
    await nextTurns(); // the slot is given back once the batch has settled its items
    expect(batcher.stats()).toEqual({ queued: 0, inFlight: 0 });
  });

  it.each([
    ["too few", 1],
    ["too many", 4],
    ["none", 0],
  ])("a runner returning %s outcomes fails every item of that batch, and only that batch", async (_label, count) => {
    let calls = 0;
    const batcher = createBatcher<string, string>({
      async run(items) {
        calls++;
        if (calls === 1) return Array.from({ length: count }, (): Outcome<string> => ({ ok: true, value: "?" }));
        return okAll(items);
      },
    });
    const results = await Promise.allSettled([batcher.submit("a"), batcher.submit("b"), batcher.submit("c")]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(Error);
      expect(((result as PromiseRejectedResult).reason as Error).message).toBe(`batch runner returned ${count} outcomes for 3 items`);
    }
    expect(await Promise.all([batcher.submit("d"), batcher.submit("e")])).toEqual(["d", "e"]);
    await nextTurns(); // the slot is given back once the batch has settled its items
    expect(batcher.stats()).toEqual({ queued: 0, inFlight: 0 });
  });

  it("an outcome that is missing or malformed rejects its item; the other items of the batch still settle", async () => {
    const batcher = createBatcher<string, string>({
      async run(items) {
        return items.map((item) => (item === "hole" ? (undefined as unknown as Outcome<string>) : item === "odd" ? ({ value: 1 } as unknown as Outcome<string>) : { ok: true, value: item }));
      },
    });
    const results = await Promise.allSettled(["a", "hole", "b", "odd", "c"].map((s) => batcher.submit(s)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled"]);
    expect(((results[1] as PromiseRejectedResult).reason as Error).message).toBe("batch runner returned no outcome for item 1");
    expect(((results[3] as PromiseRejectedResult).reason as Error).message).toBe("batch runner returned no outcome for item 3");
    expect((results[4] as PromiseFulfilledResult<string>).value).toBe("c");
  });

  it("a failed batch does not hold up the batches queued behind it", async () => {
    const c = controlled();
    const batcher = createBatcher({ run: c.run, maxInFlight: 1 });
    const first = batcher.submit("a");
    await nextTurns();
    const queued = [batcher.submit("b"), batcher.submit("c")];
    c.runs[0].done.reject(new Error("first failed"));
    await expect(first).rejects.toThrow("first failed");
    await nextTurns();
    expect(c.runs.map((r) => r.items)).toEqual([["a"], ["b", "c"]]);
    c.finish(1);
    expect(await Promise.all(queued)).toEqual(["B", "C"]);
  });
});

describe("createBatcher: options", () => {
  it.each([
    [{ maxBatch: 0 }],
    [{ maxBatch: -1 }],
    [{ maxBatch: Number.NaN }],
    [{ maxInFlight: 0 }],
    [{ maxInFlight: -3 }],
    [{ maxInFlight: Number.NaN }],
    [{ maxBatch: 0, maxInFlight: 0 }],
  ])("refuses %j", (options) => {
    expect(() => createBatcher({ run: async (items: number[]) => okAll(items), ...options })).toThrow(
      "createBatcher: maxBatch and maxInFlight must be at least 1",
    );
  });

  it("accepts 1 for both", async () => {
    const { batches, run } = echo();
    const batcher = createBatcher({ run, maxBatch: 1, maxInFlight: 1 });
    expect(await Promise.all([batcher.submit(1), batcher.submit(2)])).toEqual([2, 4]);
    expect(batches).toEqual([[1], [2]]);
  });

  it("two batchers are independent", async () => {
    const a = echo();
    const b = echo();
    const ba = createBatcher({ run: a.run });
    const bb = createBatcher({ run: b.run });
    expect(await Promise.all([ba.submit(1), bb.submit(2), ba.submit(3)])).toEqual([2, 4, 6]);
    expect(a.batches).toEqual([[1, 3]]);
    expect(b.batches).toEqual([[2]]);
  });
});
