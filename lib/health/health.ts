// /healthz: what a supervisor (systemd, Kubernetes, a load balancer) needs to decide whether to
// send traffic to this process or restart it: can it reach its database right now, and is its
// in-app worker alive. Served by app/healthz/route.ts (Next.js) and, outside Next.js's routing,
// by the production server (scripts/server.ts), which answers it even when Next.js is busy.
import "server-only";
import { pingDatabase } from "../db";
import { inAppWorker } from "../jobs/in-app";

/** A worker loop that has not turned for this long is stuck: every turn is bounded by the database timeouts. */
export const WORKER_STALE_MS = 60_000;
/** The database must answer `SELECT 1` within this. */
export const HEALTH_DB_TIMEOUT_MS = 2_000;

export type HealthReport = {
  status: "ok" | "unavailable";
  database: { ok: boolean; latency_ms: number; error?: string };
  worker:
    | { enabled: false }
    | { enabled: true; running: boolean; id?: string; last_tick_ms_ago?: { deliveries: number; jobs: number }; listening?: boolean; problem?: string };
};

export async function checkHealth({ dbTimeoutMs = HEALTH_DB_TIMEOUT_MS, staleMs = WORKER_STALE_MS } = {}): Promise<{ status: 200 | 503; body: HealthReport }> {
  const ping = await pingDatabase(dbTimeoutMs);
  const database: HealthReport["database"] = { ok: ping.ok, latency_ms: ping.latencyMs };
  if (!ping.ok) database.error = ping.error;

  let worker: HealthReport["worker"];
  let workerOk = true;
  if (process.env.WORKER_IN_APP?.trim() === "false") {
    worker = { enabled: false };
  } else {
    const running = inAppWorker();
    if (!running) {
      worker = { enabled: true, running: false, problem: "the in-app worker was not started in this process" };
      workerOk = false;
    } else {
      const state = running.state();
      const now = Date.now();
      const ago = { deliveries: now - state.lastTick.deliveries, jobs: now - state.lastTick.jobs };
      worker = { enabled: true, running: state.running, id: state.id, last_tick_ms_ago: ago, listening: state.listening };
      if (!state.running) {
        worker.problem = "stopped";
        workerOk = false;
      } else if (Math.max(ago.deliveries, ago.jobs) > staleMs) {
        worker.problem = `a loop has not turned for more than ${staleMs} ms`;
        workerOk = false;
      }
    }
  }
  const healthy = ping.ok && workerOk;
  return { status: healthy ? 200 : 503, body: { status: healthy ? "ok" : "unavailable", database, worker } };
}

/** The /healthz answer as a web Response (Next.js route handler). */
export async function healthResponse(): Promise<Response> {
  const { status, body } = await checkHealth();
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The /healthz answer on node:http (the production server). */
export async function serveHealth(res: import("node:http").ServerResponse): Promise<void> {
  const { status, body } = await checkHealth();
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
