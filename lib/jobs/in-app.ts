import "server-only";
import { env } from "../env";
import { startWorker } from "./worker";

/** Called from instrumentation.ts when a server starts: validates config, starts the worker unless WORKER_IN_APP=false. */
export function startInAppWorker(): void {
  const config = env();
  if (!config.WORKER_IN_APP || !process.env.DATABASE_URL) return;
  const worker = startWorker();
  const stop = () => void worker.stop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
