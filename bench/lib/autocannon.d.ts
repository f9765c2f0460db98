// The part of autocannon v8's API the benchmarks use (the package ships no types and
// @types/autocannon is not installed).
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  export type Histogram = {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    sent?: number;
    p0_001?: number;
    p0_01?: number;
    p0_1?: number;
    p1: number;
    p2_5: number;
    p10: number;
    p25: number;
    p50: number;
    p75: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
    p99_99: number;
    p99_999: number;
  };

  export type Options = {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    pipelining?: number;
    method?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    title?: string;
    bailout?: number;
    verifyBody?: (body: string) => boolean;
    expectBody?: string;
    excludeErrorStats?: boolean;
    workers?: number;
    /** Requests per second over all connections (each connection gets its share, sent in a burst at the start of each second). */
    overallRate?: number;
    connectionRate?: number;
    /** Without it, a rate-limited run records synthetic latencies (HdrHistogram's expected-interval correction). */
    ignoreCoordinatedOmission?: boolean;
    /** Per-request hooks; `setupRequest` may return a changed request (e.g. a fresh body). */
    requests?: {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      setupRequest?: (request: RequestData, context: Record<string, unknown>) => RequestData | null;
      onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
    }[];
  };

  export type RequestData = {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string | Buffer;
    [key: string]: unknown;
  };

  export type Result = {
    title?: string;
    url: string;
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    resets: number;
    connections: number;
    pipelining: number;
    start: Date;
    finish: Date;
    samples: number;
    statusCodeStats: Record<string, { count: number }>;
    "1xx": number;
    "2xx": number;
    "3xx": number;
    "4xx": number;
    "5xx": number;
  };

  export type Instance = EventEmitter & PromiseLike<Result> & { stop(): void };

  function autocannon(opts: Options): Instance;
  export default autocannon;
}
