/**
 * Runs once when a Next.js server process starts: validates the configuration (a bad variable
 * stops the server with a readable message) and, unless WORKER_IN_APP=false, starts the
 * background worker inside the app process (sandbox settlement, expiry, webhook delivery).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startInAppWorker } = await import("./lib/jobs/in-app");
  startInAppWorker();
}
