import "server-only";
import pg from "pg";
import { claimDueDeliveries, DeliveryPool } from "../webhooks/delivery";
import { claimDueJobs, completeJob, failJob, newWorkerId, type ClaimedJob } from "./queue";
import { sweepExpiredInboxes } from "../webhooks/test-inbox";
import { runSandboxSettle, sweepExpired } from "./handlers";

const SWEEP_BATCH = 50;

const HANDLERS: Record<string, (payload: unknown) => Promise<void>> = {
  "sandbox.settle": runSandboxSettle,
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

/**
 * The worker loop: due jobs (sandbox settlement), webhook deliveries and the expiry sweep. Wakes
 * on PostgreSQL NOTIFY (`boltrail_work`, sent by triggers when work is queued) and polls as a
 * fallback. Runs inside the app by default and alone with `npm run worker`; any number may run at
 * once.
 */
export function startWorker(options: WorkerOptions = {}): RunningWorker {
  const { pollMs = 250, sweepMs = 1000, batch = 20, log = (m) => console.log(`[worker] ${m}`), listen = true } = options;
  const id = newWorkerId();
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  let listener: pg.Client | null = null;
  let pendingWake = false;
  const connectListener = async () => {
    if (!listen || stopped || listener || !process.env.DATABASE_URL) return;
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    client.on("notification", () => {
      pendingWake = true;
      wake?.();
    });
    client.on("error", () => {
      if (listener === client) listener = null;
      void client.end().catch(() => {});
    });
    try {
      await client.connect();
      await client.query("LISTEN boltrail_work");
      listener = client;
    } catch {
      void client.end().catch(() => {});
    }
  };

  const pool = new DeliveryPool(id, log, () => wake?.());

  const loop = (async () => {
    let lastSweep = 0;
    while (!stopped) {
      let busy = false;
      pendingWake = false;
      if (!listener) await connectListener();
      try {
        const [jobs, deliveries] = await Promise.all([claimDueJobs(id, batch), claimDueDeliveries(id, Math.min(batch, pool.capacity), pool.saturated())]);
        busy = jobs.length === batch || deliveries.length === batch;
        await pool.start(deliveries);
        await Promise.all(jobs.map((job) => runJob(job, id, log)));
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
      if (!stopped && !busy && !pendingWake) await sleep(pollMs);
    }
    await pool.drain();
    await (listener as pg.Client | null)?.end().catch(() => {});
  })();

  return {
    id,
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
