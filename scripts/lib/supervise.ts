// The primary process of `npm start` when WEB_CONCURRENCY > 1 (scripts/server.ts): it forks that
// many server processes, which share the port through node:cluster (the primary accepts and hands
// connections out in turn), and serves nothing itself.
//
// - Only the first process runs the in-app worker (several would be safe, DESIGN.md §6, but they
//   would only poll more); WORKER_IN_APP=false still turns it off everywhere.
// - A process that dies while serving is replaced after a second. One that dies before it ever
//   served (a bad configuration, the port taken) stops everything with its exit code instead of
//   being restarted forever.
// - SIGINT / SIGTERM go to every process (each stops gracefully within its own grace period); the
//   primary exits once they all have.
import cluster, { type Worker } from "node:cluster";

const RESTART_DELAY_MS = 1_000;

export function superviseServerProcesses({ count, log }: { count: number; log: (message: string) => void }): void {
  let stopping = false;
  let served = false;
  const running = new Set<Worker>();

  const start = (slot: number) => {
    const child = cluster.fork({ BOLTRAIL_PROCESS: `${slot + 1}/${count}`, ...(slot > 0 ? { WORKER_IN_APP: "false" } : {}) });
    running.add(child);
    child.once("listening", () => (served = true));
    child.once("exit", (code, signal) => {
      running.delete(child);
      if (stopping) {
        if (running.size === 0) process.exit(process.exitCode ?? 0);
        return;
      }
      if (!served) {
        log(`server process ${slot + 1} exited (${signal ?? `code ${code}`}) before serving; stopping`);
        process.exitCode = code || 1;
        stop("SIGTERM");
        return;
      }
      log(`server process ${slot + 1} exited (${signal ?? `code ${code}`}); starting a new one`);
      setTimeout(() => {
        if (!stopping) start(slot);
      }, RESTART_DELAY_MS).unref();
    });
  };

  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    if (running.size === 0) process.exit(process.exitCode ?? 0);
    for (const child of running) child.process.kill(signal);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  log(`starting ${count} server processes (WEB_CONCURRENCY)`);
  for (let slot = 0; slot < count; slot++) start(slot);
}
