/**
 * The background worker on its own: `npm run worker` (through the launcher, which prepares the
 * database). Any number can run beside the app instances; run those with WORKER_IN_APP=false.
 */
import { env } from "../lib/env.ts";
import { startWorker } from "../lib/jobs/worker.ts";

env();
const worker = startWorker({ log: (msg) => console.log(`[worker] ${msg}`) });
console.log(`[worker] ${worker.id} started`);

// A loop that stops turning (every turn is bounded by the database timeouts, so this is a bug or
// a wedged process) ends the process, for its supervisor (systemd, Kubernetes) to start it again.
const WORKER_STALE_MS = 60_000;
const watchdog = setInterval(() => {
  const { lastTick } = worker.state();
  const idle = Date.now() - Math.min(lastTick.deliveries, lastTick.jobs);
  if (idle <= WORKER_STALE_MS) return;
  console.error(`[worker] ${worker.id}: a loop has not turned for ${Math.round(idle / 1000)} s; exiting so it is restarted`);
  process.exit(1);
}, 10_000);
watchdog.unref();
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(watchdog);
    await worker.stop();
    console.log(`[worker] ${worker.id} stopped`);
    process.exit(0);
  });
}
