/**
 * The background worker on its own: `npm run worker` (through the launcher, which prepares the
 * database). Any number can run beside the app instances; run those with WORKER_IN_APP=false.
 */
import { env } from "../lib/env.ts";
import { startWorker } from "../lib/jobs/worker.ts";

env();
const worker = startWorker({ log: (msg) => console.log(`[worker] ${msg}`) });
console.log(`[worker] ${worker.id} started`);
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await worker.stop();
    console.log(`[worker] ${worker.id} stopped`);
    process.exit(0);
  });
}
