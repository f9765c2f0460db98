import "server-only";
import pg from "pg";
import { claimDueDeliveries, DeliveryPool } from "../webhooks/delivery";
import { claimDueJobs, completeJob, failJob, newWorkerId, type ClaimedJob } from "./queue";
import { sweepExpiredInboxes } from "../webhooks/test-inbox";
import { runSandboxSend, runSandboxSettle, sweepExpired } from "./handlers";

const SWEEP_BATCH = 50;
/** The next poll for jobs after one that found some. */
const JOBS_FOLLOW_UP_MS = 50;

const HANDLERS: Record<string, (payload: unknown) => Promise<void>> = {
  "sandbox.settle": runSandboxSettle,
  "sandbox.send": runSandboxSend,
};

export type WorkerOptions = { pollMs?: number; sweepMs?: number; batch?: number; log?: (msg: string) => void; listen?: boolean };
export type RunningWorker = { id: string; stop: () => Promise<void> };

async function runJob(job: ClaimedJob, workerId: string, log: (msg: string) => void) {
  const handler = HANDLERS[job.type];
  try {
    if (!handler) throw new Error(`no handler for job type ${job.type}`);
    await handler(job.payload);
    await completeJob(job.id, workerId);
  } catch (err) {
    log(`job ${job.id} (${job.type}) failed: ${(err as Error).message}`);
    await failJob(job, workerId, (err as Error).message);
  }
}

/** A loop's sleep that can be cut short; a wake-up while the loop is busy is remembered, not lost. */
function wakeable() {
  let woken = false;
  let wake: (() => void) | null = null;
  return {
    /** Makes the loop turn again at once (or right after its current turn). */
    kick() {
      woken = true;
      wake?.();
    },
    /** Called at the start of a turn: what arrives from now on counts for the next one. */
    begin() {
      woken = false;
    },
    /** Sleeps up to `ms`, unless kicked since `begin()`. */
    async sleep(ms: number) {
      if (woken) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    },
  };
}

/**
 * The worker: two loops. Deliveries: claims due webhook deliveries into the delivery pool whenever
 * it has room; wakes on PostgreSQL NOTIFY (`boltrail_work`, sent by triggers when delivery work is
 * queued) and when the pool runs low on claimed work, and polls as a fallback. Jobs (sandbox
 * settlement) and the expiry sweep: polled. The loops are separate so a job being run never delays
 * the claim of a delivery. Runs inside the app by default and alone with `npm run worker`; any
 * number may run at once.
 */
export function startWorker(options: WorkerOptions = {}): RunningWorker {
  const { pollMs = 250, sweepMs = 1000, batch = 20, log = (m) => console.log(`[worker] ${m}`), listen = true } = options;
  const id = newWorkerId();
  let stopped = false;
  const deliveriesWake = wakeable();
  const jobsWake = wakeable();

  let listener: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  const connectListener = () =>
    (connecting ??= (async () => {
      if (!listen || stopped || listener || !process.env.DATABASE_URL) return;
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      client.on("notification", () => deliveriesWake.kick());
      client.on("error", () => {
        if (listener === client) listener = null;
        void client.end().catch(() => {});
      });
      try {
        await client.connect();
        await client.query("LISTEN boltrail_work");
        listener = client;
        // Work queued while nobody listened is found by this claim.
        deliveriesWake.kick();
      } catch {
        void client.end().catch(() => {});
      }
    })().finally(() => {
      connecting = null;
    }));

  const pool = new DeliveryPool(id, log, () => deliveriesWake.kick());

  const deliveries = (async () => {
    while (!stopped) {
      deliveriesWake.begin();
      let more = false;
      if (!listener) await connectListener();
      try {
        const room = pool.capacity;
        if (room > 0) {
          const claimed = await claimDueDeliveries(id, room, pool.claimOptions());
          pool.start(claimed);
          // A full claim means more may be due: claim again at once if the pool still has room
          // (otherwise it asks for more as its queues run low).
          more = claimed.length === room && pool.capacity > 0;
        }
      } catch (err) {
        if (!stopped) log(`loop error: ${(err as Error).message}`);
      }
      if (!stopped && !more) await deliveriesWake.sleep(pollMs);
    }
    await pool.drain();
  })();

  const jobs = (async () => {
    let lastSweep = 0;
    while (!stopped) {
      jobsWake.begin();
      let busy = false;
      let found = false;
      try {
        const claimed = await claimDueJobs(id, batch);
        busy = claimed.length === batch;
        found = claimed.length > 0;
        await Promise.all(claimed.map((job) => runJob(job, id, log)));
        if (Date.now() - lastSweep >= sweepMs) {
          lastSweep = Date.now();
          const expired = await sweepExpired(SWEEP_BATCH);
          if (expired) log(`expired ${expired} invoice(s)`);
          // A full batch means more are due: sweep again on the next turn.
          if (expired === SWEEP_BATCH) {
            lastSweep = 0;
            busy = true;
          }
          await sweepExpiredInboxes();
        }
      } catch (err) {
        if (!stopped) log(`loop error: ${(err as Error).message}`);
      }
      // While jobs keep coming due, look again soon: they are then run a few at a time as they come
      // due, rather than many at once after a full poll interval (each settlement stays short).
      if (!stopped && !busy) await jobsWake.sleep(found ? Math.min(pollMs, JOBS_FOLLOW_UP_MS) : pollMs);
    }
  })();

  return {
    id,
    stop: async () => {
      stopped = true;
      deliveriesWake.kick();
      jobsWake.kick();
      await Promise.all([deliveries, jobs]);
      await connecting;
      await (listener as pg.Client | null)?.end().catch(() => {});
    },
  };
}
