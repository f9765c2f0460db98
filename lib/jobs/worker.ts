import "server-only";
import { claimDueJobs, completeJob, failJob, newWorkerId, type ClaimedJob } from "./queue";
import { runSandboxSettle, sweepExpired } from "./handlers";

const HANDLERS: Record<string, (payload: unknown) => Promise<void>> = {
  "sandbox.settle": runSandboxSettle,
};

export type WorkerOptions = { pollMs?: number; sweepMs?: number; batch?: number; log?: (msg: string) => void };
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
 * The worker loop: due jobs (sandbox settlement) and the expiry sweep. Runs inside the app by
 * default and alone with `npm run worker`; any number may run at once.
 */
export function startWorker(options: WorkerOptions = {}): RunningWorker {
  const { pollMs = 250, sweepMs = 1000, batch = 20, log = (m) => console.log(`[worker] ${m}`) } = options;
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

  const loop = (async () => {
    let lastSweep = 0;
    while (!stopped) {
      let busy = false;
      try {
        const jobs = await claimDueJobs(id, batch);
        busy = jobs.length === batch;
        await Promise.all(jobs.map((job) => runJob(job, id, log)));
        if (Date.now() - lastSweep >= sweepMs) {
          lastSweep = Date.now();
          const expired = await sweepExpired();
          if (expired) log(`expired ${expired} invoice(s)`);
        }
      } catch (err) {
        if (!stopped) log(`loop error: ${(err as Error).message}`);
      }
      if (!stopped && !busy) await sleep(pollMs);
    }
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
