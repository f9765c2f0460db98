import "server-only";
import { env } from "../env";
import { startWorker, type RunningWorker } from "./worker";

// One in-app worker per process. The production server (scripts/server.ts) and Next.js's
// instrumentation hook load separate copies of this module in one process; the flag lives on
// globalThis so whichever runs first starts it and the other does nothing.
const STARTED = Symbol.for("boltrail.inAppWorker");
type GlobalWithWorker = typeof globalThis & { [STARTED]?: RunningWorker };

/** The in-app worker of this process, whichever copy of this module started it; null when none runs here. */
export function inAppWorker(): RunningWorker | null {
  return (globalThis as GlobalWithWorker)[STARTED] ?? null;
}

/**
 * Starts the background worker inside the app process unless WORKER_IN_APP=false (or no database
 * is configured, e.g. during `next build`). Validates the configuration on the way. With
 * `handleSignals`, SIGINT/SIGTERM stop it; otherwise the caller stops it.
 */
export function startInAppWorker({ handleSignals = true } = {}): RunningWorker | null {
  const config = env();
  if (!config.WORKER_IN_APP || !process.env.DATABASE_URL) return null;
  const global = globalThis as GlobalWithWorker;
  if (global[STARTED]) return null;
  const worker = startWorker();
  global[STARTED] = worker;
  if (handleSignals) {
    const stop = () => void worker.stop();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  }
  return worker;
}
