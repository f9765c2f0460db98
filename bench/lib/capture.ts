// The SQL an app request really sends to PostgreSQL, with parameters and round trips: a second
// app (same build) on the database of a benchmark's server, reached through the recording proxy
// of pg-trace.ts — so the measured server never goes through the proxy. Started after the
// measurements, for a few requests, then stopped. The capture app runs without its in-app worker.
import { startPgTrace, traceCall, type PgTrace, type TracedStatement } from "./pg-trace.ts";
import { startServer, type BenchServer } from "./server.ts";

export type CapturedRequest = { label: string; statements: TracedStatement[]; roundTrips: number; ms: number };

export async function captureRequests(options: {
  /** The benchmark's server: its database is served by the capture app. */
  server: BenchServer;
  /** Environment of the capture app (as the measured server's: APP_ENCRYPTION_KEY…). */
  env?: Record<string, string>;
  log: (message: string) => void;
  /** `call(baseUrl)` sends one request to the capture app and throws when its answer is wrong. */
  requests: { label: string; call: (baseUrl: string) => Promise<void> }[];
  /** Requests sent before tracing (warm-up of the fresh app). */
  warmup?: number;
}): Promise<CapturedRequest[]> {
  let proxy: PgTrace | undefined;
  const capture = await startServer({
    label: "[capture]",
    // No in-app worker: its polling would mix into the requests' statements.
    env: { ...options.env, WORKER_IN_APP: "false" },
    log: (m) => (/ready|error|Error/.test(m) ? options.log(m) : undefined),
    existingDatabaseUrl: options.server.databaseUrl,
    appDatabaseUrl: async (databaseUrl) => (proxy = await startPgTrace(databaseUrl)).url,
  });
  try {
    const captured: CapturedRequest[] = [];
    for (const request of options.requests) {
      const call = () => request.call(capture.baseUrl);
      for (let i = 0; i < (options.warmup ?? 5); i++) await call();
      // The fewest statements over 5 calls (a fire-and-forget write, e.g. last_used_at, lands in one call only).
      const traced = await traceCall(proxy!, call, 5);
      captured.push({ label: request.label, ...traced });
    }
    return captured;
  } finally {
    await capture.stop();
    await proxy?.close();
  }
}
