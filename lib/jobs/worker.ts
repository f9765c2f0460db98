import "server-only";
import pg from "pg";
import { dbTimeouts } from "../db";
import { claimDueDeliveries, DeliveryPool } from "../webhooks/delivery";
import { claimDueJobs, completeJob, failJob, newWorkerId, type ClaimedJob } from "./queue";
import { sweepExpiredInboxes } from "../webhooks/test-inbox";
import { runSandboxSend, runSandboxSettle, sweepExpired } from "./handlers";
import { startNodeSubscriptions } from "../nodes/subscriptions";
import { LIVE_SEND_JOB, recoverLiveSends, runLiveSend } from "../nodes/send-payment";

const SWEEP_BATCH = 50;
/** The next poll for jobs after one that found some. */
const JOBS_FOLLOW_UP_MS = 50;

const HANDLERS: Record<string, (payload: unknown) => Promise<void>> = {
  "sandbox.settle": runSandboxSettle,
  "sandbox.send": runSandboxSend,
  [LIVE_SEND_JOB]: (payload) => runLiveSend(payload),
};

export type WorkerOptions = {
  pollMs?: number;
  sweepMs?: number;
  batch?: number;
  log?: (msg: string) => void;
  listen?: boolean;
  /** Run the invoice subscriptions of attached Lightning nodes (lib/nodes/subscriptions.ts); default true. */
  nodes?: boolean;
};
/** What /healthz reports of a worker: whether its loops run, and when each last turned. */
export type WorkerState = {
  id: string;
  running: boolean;
  /** Epoch ms at which each loop last began a turn (a turn that failed counts: the loop lives). */
  lastTick: { deliveries: number; jobs: number };
  /** Whether the LISTEN connection for delivery wake-ups is up (polling covers the gaps). */
  listening: boolean;
};
export type RunningWorker = { id: string; stop: () => Promise<void>; state: () => WorkerState };

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
  const { pollMs = 250, sweepMs = 1000, batch = 20, log = (m) => console.log(`[worker] ${m}`), listen = true, nodes = true } = options;
  const id = newWorkerId();
  let stopped = false;
  const nodeSubscriptions = nodes && process.env.DATABASE_URL ? startNodeSubscriptions({ log: (m) => log(`nodes: ${m}`) }) : null;
  const deliveriesWake = wakeable();
  const jobsWake = wakeable();

  const started = Date.now();
  const lastTick = { deliveries: started, jobs: started };
  let listener: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  const { connectMs, queryMs } = dbTimeouts();
  const connectListener = () =>
    (connecting ??= (async () => {
      if (!listen || stopped || listener || !process.env.DATABASE_URL) return;
      // Bounded like the pool's connections: a paused or unreachable server must not hold the
      // deliveries loop in connect() (it tries again on its next turn).
      const client = new pg.Client({
        connectionString: process.env.DATABASE_URL,
        connectionTimeoutMillis: connectMs,
        query_timeout: queryMs,
        keepAlive: true,
      });
      client.on("notification", () => deliveriesWake.kick());
      const lost = () => {
        if (listener === client) listener = null;
        void client.end().catch(() => {});
      };
      client.on("error", lost);
      client.on("end", lost);
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
  const deliveriesErrors = throttled(log);
  const jobsErrors = throttled(log);

  const deliveries = keepRunning("deliveries", log, () => stopped, async () => {
    while (!stopped) {
      lastTick.deliveries = Date.now();
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
        if (!stopped) deliveriesErrors(`loop error: ${(err as Error).message}`);
      }
      if (!stopped && !more) await deliveriesWake.sleep(pollMs);
    }
  }).then(() => pool.drain());

  let lastSweep = 0;
  let recovered = false;
  const jobs = keepRunning("jobs", log, () => stopped, async () => {
    while (!stopped) {
      lastTick.jobs = Date.now();
      jobsWake.begin();
      let busy = false;
      let found = false;
      try {
        if (!recovered) {
          // Live sends whose job gave up (e.g. the node was away): resolved by track from now on.
          const n = await recoverLiveSends();
          recovered = true;
          if (n) log(`queued ${n} pending live send(s) to be resolved on their node`);
        }
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
        if (!stopped) jobsErrors(`loop error: ${(err as Error).message}`);
      }
      // While jobs keep coming due, look again soon: they are then run a few at a time as they come
      // due, rather than many at once after a full poll interval (each settlement stays short).
      if (!stopped && !busy) await jobsWake.sleep(found ? Math.min(pollMs, JOBS_FOLLOW_UP_MS) : pollMs);
    }
  });

  return {
    id,
    stop: async () => {
      stopped = true;
      deliveriesWake.kick();
      jobsWake.kick();
      await Promise.all([deliveries, jobs, nodeSubscriptions?.stop()]);
      await connecting;
      await (listener as pg.Client | null)?.end().catch(() => {});
    },
    state: () => ({ id, running: !stopped, lastTick: { ...lastTick }, listening: listener !== null }),
  };
}

/**
 * A loop's error log while the database is away: the same message at most every 5 s (with how
 * many times it happened meanwhile), not four times a second.
 */
function throttled(log: (msg: string) => void, everyMs = 5_000) {
  let last = "";
  let lastAt = 0;
  let repeats = 0;
  return (msg: string) => {
    const now = Date.now();
    if (msg === last && now - lastAt < everyMs) {
      repeats++;
      return;
    }
    log(repeats > 0 && msg === last ? `${msg} (and ${repeats} more time(s) in ${Math.round((now - lastAt) / 1000)} s)` : msg);
    last = msg;
    lastAt = now;
    repeats = 0;
  };
}

/**
 * Runs a worker loop until `stopped()`: should the loop ever end by throwing (a failure outside
 * its own try/catch), it is logged and started again a second later instead of leaving the
 * process without a worker.
 */
async function keepRunning(name: string, log: (msg: string) => void, stopped: () => boolean, loop: () => Promise<void>): Promise<void> {
  while (!stopped()) {
    try {
      await loop();
    } catch (err) {
      if (stopped()) return;
      log(`${name} loop failed, restarting it: ${(err as Error)?.message ?? String(err)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
