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
  /** A fresh body for every request (e.g. a unique idempotency key); `body` is then only the first. */
  nextBody?: () => string;
  /**
   * Open-ish load: requests/s over all connections (autocannon `overallRate`). Autocannon gives
   * each connection its share per second and sends it back to back at the start of each second.
   */
  overallRate?: number;
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
  /** Autocannon's histogram (whole milliseconds; with `overallRate`, its coordinated-omission correction). */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** From every 2xx response time of the measured run (sub-millisecond, uncorrected). */
  exactLatencyMs: LatencySummary;
  overallRate?: number;
  counts: Counts;
  warmup: Counts;
  /** First wrong body seen (warm-up or measured run), truncated. */
  firstBadBody?: string;
};

export type LatencySummary = { samples: number; mean: number; p50: number; p90: number; p95: number; p99: number; max: number };

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summariseLatencies(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    samples: list.length,
    mean: round(mean(list)),
    p50: round(percentile(list, 50)),
    p90: round(percentile(list, 90)),
    p95: round(percentile(list, 95)),
    p99: round(percentile(list, 99)),
    max: round(list.length ? list[list.length - 1] : Number.NaN),
  };
}

async function runAutocannon(
  spec: LoadSpec,
  seconds: number,
  onBadBody: (body: string) => void,
  latencies?: number[],
): Promise<Result> {
  const nextBody = spec.nextBody;
  const instance = autocannon({
    url: spec.url,
    method: spec.method ?? "GET",
    headers: spec.headers,
    body: nextBody ? nextBody() : spec.body,
    connections: spec.connections,
    duration: seconds,
    timeout: 10,
    verifyBody: spec.verifyBody,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    // A fresh body per request: autocannon rebuilds the request (and its Content-Length) each time.
    ...(nextBody ? { requests: [{ setupRequest: (request) => ({ ...request, body: nextBody() }) }] } : {}),
  });
  instance.on("reqMismatch", onBadBody);
  if (latencies) {
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  }
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
  const latencies: number[] = [];
  const result = await runAutocannon(spec, spec.durationSeconds, onBadBody, latencies);
  return {
    label: spec.label,
    round,
    connections: spec.connections,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
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
    exactLatencyMs: summariseLatencies(latencies),
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

/** A closed loop in this process: `concurrency` workers each calling `op` back to back. */
export type LoopSpec = {
  label: string;
  concurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** One operation (it throws on failure). */
  op: (worker: number) => Promise<void>;
};

function emptyCounts(): Counts {
  return { requests: 0, non2xx: 0, errors: 0, timeouts: 0, mismatches: 0, statusCodes: {} };
}

/**
 * Runs `op` in a closed loop at `concurrency` (warm-up, then measured), and reports it like an
 * autocannon measurement: operations/s and latency per operation. A throwing `op` is an error.
 */
export async function measureLoop(spec: LoopSpec, round: number): Promise<Measurement> {
  let firstError: string | undefined;
  const phase = async (seconds: number, latencies?: number[]) => {
    const counts = emptyCounts();
    const perSecond: number[] = [];
    const start = performance.now();
    const end = start + seconds * 1000;
    const worker = async (index: number) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await spec.op(index);
          const t1 = performance.now();
          latencies?.push(t1 - t0);
          counts.requests++;
          const second = Math.floor((t1 - start) / 1000);
          if (second < seconds) perSecond[second] = (perSecond[second] ?? 0) + 1;
        } catch (error) {
          counts.errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, (_, i) => worker(i)));
    const elapsed = (performance.now() - start) / 1000;
    const samples = Array.from({ length: seconds }, (_, i) => perSecond[i] ?? 0);
    return { counts, elapsed, samples };
  };
  const warmup = await phase(spec.warmupSeconds);
  const latencies: number[] = [];
  const run = await phase(spec.durationSeconds, latencies);
  const exact = summariseLatencies(latencies);
  return {
    label: spec.label,
    round,
    connections: spec.concurrency,
    durationSeconds: run.elapsed,
    requestsPerSecond: mean(run.samples),
    overallRequestsPerSecond: run.counts.requests / run.elapsed,
    latencyMs: { mean: exact.mean, p50: exact.p50, p90: exact.p90, p99: exact.p99, max: exact.max },
    exactLatencyMs: exact,
    counts: run.counts,
    warmup: warmup.counts,
    firstBadBody: firstError,
  };
}

/** Open-loop load: requests at evenly spaced times, whatever the server's pace. */
export type PacedSpec = {
  label: string;
  url: string;
  headers: Record<string, string>;
  nextBody: () => string;
  /** Requests per second. */
  rate: number;
  /** Keep-alive sockets at most; further due requests wait for a free socket (and that wait counts). */
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  verifyBody: (body: string) => boolean;
};

/**
 * Sends requests at a constant rate (one every 1/rate s) and measures each from the moment it was
 * due, not from when a socket took it, so a server that falls behind shows in the latency
 * (no coordinated omission). Unlike autocannon's `overallRate`, the load is spread evenly over
 * each second instead of sent in bursts.
 */
export async function measurePaced(spec: PacedSpec, round: number): Promise<Measurement> {
  const http = await import("node:http");
  const target = new URL(spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  let firstBadBody: string | undefined;

  const phase = (seconds: number, latencies?: number[]) =>
    new Promise<{ counts: Counts; elapsed: number; samples: number[] }>((resolve) => {
      const counts = emptyCounts();
      const perSecond: number[] = [];
      const start = performance.now();
      const total = Math.round(seconds * spec.rate);
      const interval = 1000 / spec.rate;
      let sent = 0;
      let settled = 0;
      const finish = () => {
        if (settled === total && sent === total) {
          const elapsed = (performance.now() - start) / 1000;
          resolve({ counts, elapsed, samples: Array.from({ length: seconds }, (_, i) => perSecond[i] ?? 0) });
        }
      };
      const fire = (due: number) => {
        const body = spec.nextBody();
        const request = http.request(
          {
            agent,
            hostname: target.hostname,
            port: target.port,
            path: target.pathname,
            method: "POST",
            headers: { ...spec.headers, "content-length": Buffer.byteLength(body) },
            timeout: 10_000,
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => {
              const done = performance.now();
              const status = response.statusCode ?? 0;
              counts.statusCodes[status] = (counts.statusCodes[status] ?? 0) + 1;
              counts.requests++;
              const text = Buffer.concat(chunks).toString("utf8");
              if (status < 200 || status >= 300) counts.non2xx++;
              else if (!spec.verifyBody(text)) {
                counts.mismatches++;
                firstBadBody ??= text.slice(0, 500);
              } else {
                latencies?.push(done - due);
                const second = Math.floor((done - start) / 1000);
                perSecond[second] = (perSecond[second] ?? 0) + 1;
              }
              settled++;
              finish();
            });
          },
        );
        request.on("timeout", () => {
          counts.timeouts++;
          request.destroy(new Error("timeout"));
        });
        request.on("error", (error) => {
          counts.errors++;
          firstBadBody ??= `request error: ${error.message}`;
          settled++;
          finish();
        });
        request.end(body);
      };
      const tick = () => {
        const now = performance.now();
        while (sent < total && start + sent * interval <= now) fire(start + sent++ * interval);
        if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      };
      tick();
    });

  try {
    const warmup = await phase(spec.warmupSeconds);
    const latencies: number[] = [];
    const run = await phase(spec.durationSeconds, latencies);
    const exact = summariseLatencies(latencies);
    return {
      label: spec.label,
      round,
      connections: spec.connections,
      overallRate: spec.rate,
      durationSeconds: run.elapsed,
      requestsPerSecond: mean(run.samples),
      overallRequestsPerSecond: run.counts.requests / run.elapsed,
      latencyMs: { mean: exact.mean, p50: exact.p50, p90: exact.p90, p99: exact.p99, max: exact.max },
      exactLatencyMs: exact,
      counts: run.counts,
      warmup: warmup.counts,
      firstBadBody,
    };
  } finally {
    agent.destroy();
  }
}
