// One load measurement with autocannon: a warm-up, then the measured run, every response checked
// (status and body). Shared by the benchmark modules.
import autocannon, { type Result } from "autocannon";

export type LoadSpec = {
  /** What is measured, e.g. "hello (no auth)". */
  label: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** True when a response body is correct; a false counts as a mismatch and fails the benchmark. */
  verifyBody: (body: string) => boolean;
};

export type Counts = {
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, number>;
};

export type Measurement = {
  label: string;
  round: number;
  connections: number;
  durationSeconds: number;
  /** Mean of autocannon's per-second samples. */
  requestsPerSecond: number;
  /** Completed requests / measured duration (cross-check of the above). */
  overallRequestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  counts: Counts;
  warmup: Counts;
  /** First wrong body seen (warm-up or measured run), truncated. */
  firstBadBody?: string;
};

async function runAutocannon(spec: LoadSpec, seconds: number, onBadBody: (body: string) => void): Promise<Result> {
  const instance = autocannon({
    url: spec.url,
    method: spec.method ?? "GET",
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections,
    duration: seconds,
    timeout: 10,
    verifyBody: spec.verifyBody,
  });
  instance.on("reqMismatch", onBadBody);
  return await instance;
}

function countsOf(result: Result): Counts {
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)])),
  };
}

export async function measure(spec: LoadSpec, round: number): Promise<Measurement> {
  let firstBadBody: string | undefined;
  const onBadBody = (body: string) => {
    firstBadBody ??= body.length > 500 ? `${body.slice(0, 500)}…` : body;
  };
  const warmup = await runAutocannon(spec, spec.warmupSeconds, onBadBody);
  const result = await runAutocannon(spec, spec.durationSeconds, onBadBody);
  return {
    label: spec.label,
    round,
    connections: spec.connections,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.average,
    overallRequestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    latencyMs: {
      mean: result.latency.average,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    counts: countsOf(result),
    warmup: countsOf(warmup),
    firstBadBody,
  };
}

/** Problems (non-2xx, connection errors, timeouts, wrong bodies) of a measurement, warm-up included. */
export function problemsOf(m: Measurement): string[] {
  const problems: string[] = [];
  for (const [phase, c] of [
    ["warm-up", m.warmup],
    ["run", m.counts],
  ] as const) {
    const parts: string[] = [];
    if (c.non2xx) parts.push(`${c.non2xx} non-2xx (${JSON.stringify(c.statusCodes)})`);
    if (c.errors) parts.push(`${c.errors} connection errors (${c.timeouts} timeouts)`);
    if (c.mismatches) parts.push(`${c.mismatches} wrong bodies`);
    if (c.requests === 0) parts.push("no completed requests");
    if (parts.length) problems.push(`${m.label}, round ${m.round}, ${phase}: ${parts.join(", ")}`);
  }
  if (problems.length && m.firstBadBody) problems.push(`${m.label}: first wrong body: ${m.firstBadBody}`);
  return problems;
}

export const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

/**
 * Share of the machine's CPU time busy over `ms` (from /proc/stat; null where unavailable).
 * Taken while the server under test is idle, it shows other work that would skew the figures.
 */
export async function machineBusy(ms = 1000): Promise<number | null> {
  const { readFile } = await import("node:fs/promises");
  const read = async () => {
    const line = (await readFile("/proc/stat", "utf8")).split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
    return { idle, total: v.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = await read();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const b = await read();
    const total = b.total - a.total;
    return total > 0 ? 1 - (b.idle - a.idle) / total : null;
  } catch {
    return null;
  }
}
