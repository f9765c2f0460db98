/**
 * Runs once when a Next.js server process starts: validates the configuration (a bad variable
 * stops the server with a readable message) and, unless WORKER_IN_APP=false, starts the
 * background worker inside the app process (sandbox settlement, expiry, webhook delivery).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/env");
  const config = env();
  if (!config.WORKER_IN_APP || !process.env.DATABASE_URL) return;
  const { startWorker } = await import("./lib/jobs/worker");
  const worker = startWorker();
  const stop = () => void worker.stop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
