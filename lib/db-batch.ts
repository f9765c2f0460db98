// Group work that arrives together into one database round trip (DataLoader-style, but bounded):
//
//   const lookup = createBatcher({ run: async (hashes) => …one statement for all… });
//   const row = await lookup.submit(hash);
//
// - Items submitted in the same turn of the event loop wait for that turn to end (setImmediate)
//   and go out together. A lone request on a quiet server therefore goes out at once, alone.
// - At most `maxInFlight` batches run at a time; what arrives meanwhile waits for the next free
//   slot and goes out as one batch (up to `maxBatch` items). Under load, batches grow by
//   themselves and the number of round trips per request falls; nothing waits for a timer.
// - A batch is only ever sent after every one of its items was submitted, so a batched read sees
//   the database as of after each caller asked (nothing is served from an earlier query).
// - A batch that has not settled after `timeoutMs` (default 60 s: far beyond the database
//   timeouts, which end any query sooner) fails its items with SERVICE_UNAVAILABLE and frees its
//   slot, so one lost round trip can never hold every later caller (a late result is ignored).
// - `run` settles every item on its own (an `Outcome` per item, in order): one bad item does not
//   fail the others. A `run` that throws fails every item of its batch with that error.
import { AppError } from "./errors";

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export type BatcherOptions<I, R> = {
  /** Runs one batch; returns one outcome per item, in the order of `items`. */
  run: (items: I[]) => Promise<Outcome<R>[]>;
  /** Most items in one batch (default 64). */
  maxBatch?: number;
  /** Most batches running at once (default 2). */
  maxInFlight?: number;
  /** A batch not settled after this long fails its items and frees its slot (default 60 000 ms). */
  timeoutMs?: number;
};

export type Batcher<I, R> = {
  submit(item: I): Promise<R>;
  /** Items waiting for a slot, and batches running (for tests and diagnostics). */
  stats(): { queued: number; inFlight: number };
};

type Waiting<I, R> = { item: I; resolve: (value: R) => void; reject: (error: unknown) => void };

export function createBatcher<I, R>({ run, maxBatch = 64, maxInFlight = 2, timeoutMs = 60_000 }: BatcherOptions<I, R>): Batcher<I, R> {
  if (!(maxBatch >= 1) || !(maxInFlight >= 1)) throw new Error("createBatcher: maxBatch and maxInFlight must be at least 1");
  let queue: Waiting<I, R>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  function flush() {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        if (queue.length > 0) schedule();
      });
    }
  }

  async function runBatch(batch: Waiting<I, R>[]): Promise<void> {
    let outcomes: Outcome<R>[];
    let timer: NodeJS.Timeout | undefined;
    try {
      outcomes = await Promise.race([
        run(batch.map((w) => w.item)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new AppError("SERVICE_UNAVAILABLE", `The database did not answer within ${timeoutMs} ms. Please try again.`)), timeoutMs);
        }),
      ]);
      if (!Array.isArray(outcomes) || outcomes.length !== batch.length) {
        throw new Error(`batch runner returned ${Array.isArray(outcomes) ? outcomes.length : "no"} outcomes for ${batch.length} items`);
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    } finally {
      clearTimeout(timer);
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) w.resolve(outcome.value);
      else if (outcome?.ok === false) w.reject(outcome.error);
      else w.reject(new Error(`batch runner returned no outcome for item ${i}`));
    });
  }

  return {
    submit(item: I): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    stats: () => ({ queued: queue.length, inFlight }),
  };
}
