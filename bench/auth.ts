// Benchmark `auth` (issue 3): what API-key authentication costs on the GraphQL endpoint.
//
//  (a) hello — unauthenticated `POST /graphql { hello }`: the framework + GraphQL floor, no database;
//  (b) auth  — `POST /graphql` with `x-api-key` listing the key's environments
//              (`payment { environment { find_many { list { id } } } }`): key lookup + one query.
//
// 50 connections, a 3 s warm-up then 10 s measured per run, interleaved hello → auth → hello → auth
// in one process against one server, so drift (JIT, caches, the machine) hits both alike.
// Target: mean req/s of (b) ≥ 0.50 × mean req/s of (a).
import { fixed, type Benchmark, type BenchmarkReport } from "./lib/benchmark.ts";
import { seedTeamWithApiKey } from "./lib/fixtures.ts";
import { machineBusy, mean, measure, problemsOf, type LoadSpec, type Measurement } from "./lib/load.ts";
import { startServer } from "./lib/server.ts";

const TARGET_RATIO = 0.5;

const HELLO_QUERY = "{ hello }";
const AUTH_QUERY = "{ payment { environment { find_many { list { id } } } } }";

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return n;
}

type Check = { status: number; body: string };

async function post(url: string, query: string, headers: Record<string, string> = {}): Promise<Check> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.text() };
}

/** Throws with the response when it is not a 200 whose JSON has no errors and `expected` data. */
function assertAnswer(what: string, check: Check, expected: unknown): void {
  let parsed: { data?: unknown; errors?: unknown } | undefined;
  try {
    parsed = JSON.parse(check.body) as { data?: unknown; errors?: unknown };
  } catch {
    // reported below
  }
  const ok =
    check.status === 200 && parsed !== undefined && parsed.errors === undefined && JSON.stringify(parsed.data) === JSON.stringify(expected);
  if (!ok) {
    throw new Error(
      `sanity check of ${what} failed: HTTP ${check.status}, body ${check.body.slice(0, 500)} (expected data ${JSON.stringify(expected)})`,
    );
  }
}

const benchmark: Benchmark = {
  name: "auth",
  description: "GraphQL throughput with API-key auth (environment list) vs. unauthenticated { hello }",
  async run({ log }): Promise<BenchmarkReport> {
    const connections = intFromEnv("BENCH_CONNECTIONS", 50);
    const warmupSeconds = intFromEnv("BENCH_WARMUP", 3);
    const durationSeconds = intFromEnv("BENCH_DURATION", 10);
    const rounds = intFromEnv("BENCH_ROUNDS", 2);

    const server = await startServer({ log });
    try {
      const seeded = await seedTeamWithApiKey(server.databaseUrl, {
        permissions: [{ resource: "ENVIRONMENTS", level: "READ" }],
      });
      log(`[auth] seeded team ${seeded.teamId}, environment ${seeded.environmentId}, key ${seeded.apiKey.slice(0, 13)}…`);

      const url = `${server.baseUrl}/graphql`;
      const keyHeaders = { "x-api-key": seeded.apiKey };

      // Both requests answer correctly before any load is applied; the exact bodies seen here are
      // then required of every response under load.
      const hello = await post(url, HELLO_QUERY);
      assertAnswer("hello", hello, { hello: "Hello from Boltrail" });
      const auth = await post(url, AUTH_QUERY, keyHeaders);
      assertAnswer("auth", auth, { payment: { environment: { find_many: { list: [{ id: seeded.environmentId }] } } } });
      // The same key without permission would be FORBIDDEN and a wrong key UNAUTHENTICATED: make
      // sure the header is really checked (an auth path that ignored the key would look fast).
      const wrongKey = await post(url, AUTH_QUERY, { "x-api-key": `amb_test_${"A".repeat(43)}` });
      if (!/UNAUTHENTICATED/.test(wrongKey.body)) {
        throw new Error(`sanity check failed: an unknown key was not refused (HTTP ${wrongKey.status}, ${wrongKey.body.slice(0, 300)})`);
      }

      const common = { url, method: "POST" as const, connections, warmupSeconds, durationSeconds };
      const specs: { hello: LoadSpec; auth: LoadSpec } = {
        hello: {
          ...common,
          label: "hello (no auth)",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: HELLO_QUERY }),
          verifyBody: (body) => body === hello.body,
        },
        auth: {
          ...common,
          label: "auth (x-api-key)",
          headers: { "content-type": "application/json", ...keyHeaders },
          body: JSON.stringify({ query: AUTH_QUERY }),
          verifyBody: (body) => body === auth.body,
        },
      };

      // Other work on the machine (the server under test is idle now) skews both figures.
      const busyBefore = await machineBusy(2000);
      if (busyBefore !== null) log(`[auth] machine CPU busy before the runs: ${fixed(busyBefore * 100, 0)}%`);

      const measurements: Measurement[] = [];
      for (let round = 1; round <= rounds; round++) {
        for (const which of ["hello", "auth"] as const) {
          const spec = specs[which];
          log(`[auth] round ${round}/${rounds}: ${spec.label} — ${warmupSeconds}s warm-up + ${durationSeconds}s, ${connections} connections`);
          const m = await measure(spec, round);
          const problems = problemsOf(m);
          log(
            `[auth]   ${fixed(m.requestsPerSecond)} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms` +
              (problems.length ? `  (${problems.join("; ")})` : ""),
          );
          measurements.push(m);
        }
      }

      const of = (label: string) => measurements.filter((m) => m.label === label);
      const summarise = (list: Measurement[]) => ({
        requestsPerSecond: mean(list.map((m) => m.requestsPerSecond)),
        p50: mean(list.map((m) => m.latencyMs.p50)),
        p99: mean(list.map((m) => m.latencyMs.p99)),
        mean: mean(list.map((m) => m.latencyMs.mean)),
      });
      const helloSummary = summarise(of(specs.hello.label));
      const authSummary = summarise(of(specs.auth.label));
      const ratio = helloSummary.requestsPerSecond > 0 ? authSummary.requestsPerSecond / helloSummary.requestsPerSecond : 0;
      const roundRatios = Array.from({ length: rounds }, (_, i) => {
        const h = measurements.find((m) => m.round === i + 1 && m.label === specs.hello.label);
        const a = measurements.find((m) => m.round === i + 1 && m.label === specs.auth.label);
        return h && a && h.requestsPerSecond > 0 ? a.requestsPerSecond / h.requestsPerSecond : 0;
      });

      const problems = measurements.flatMap(problemsOf);
      const notes: string[] = [];
      const spread = Math.max(...roundRatios) - Math.min(...roundRatios);
      if (rounds > 1 && spread > 0.1) {
        notes.push(`the ratio moved by ${fixed(spread, 2)} between rounds (${roundRatios.map((r) => fixed(r, 2)).join(", ")}): a noisy machine?`);
      }
      if (busyBefore !== null && busyBefore > 0.15) {
        notes.push(`the machine was ${fixed(busyBefore * 100, 0)}% busy before the runs (other processes): the figures are skewed.`);
      }
      notes.push(
        "autocannon runs in this process, on the same 2 cores as the server: absolute req/s are lower than on separate machines; the ratio is what the target is about.",
      );

      return {
        tables: [
          {
            title: "Runs",
            table: {
              columns: ["measurement", "round", "req/s", "p50 ms", "p99 ms", "mean ms", "requests", "non-2xx", "errors", "bad bodies"],
              rows: measurements.map((m) => [
                m.label,
                m.round,
                fixed(m.requestsPerSecond),
                m.latencyMs.p50,
                m.latencyMs.p99,
                fixed(m.latencyMs.mean, 2),
                m.counts.requests,
                m.counts.non2xx + m.warmup.non2xx,
                m.counts.errors + m.warmup.errors,
                m.counts.mismatches + m.warmup.mismatches,
              ]),
            },
          },
          {
            title: `Mean of ${rounds} round${rounds > 1 ? "s" : ""}`,
            table: {
              columns: ["measurement", "req/s", "p50 ms", "p99 ms", "mean ms"],
              rows: [
                [specs.hello.label, fixed(helloSummary.requestsPerSecond), fixed(helloSummary.p50), fixed(helloSummary.p99), fixed(helloSummary.mean, 2)],
                [specs.auth.label, fixed(authSummary.requestsPerSecond), fixed(authSummary.p50), fixed(authSummary.p99), fixed(authSummary.mean, 2)],
                ["ratio auth / hello", fixed(ratio, 3), "", "", ""],
              ],
            },
          },
        ],
        target: {
          description: `auth req/s ÷ hello req/s ≥ ${fixed(TARGET_RATIO, 2)}`,
          value: ratio,
          threshold: TARGET_RATIO,
          met: ratio >= TARGET_RATIO,
        },
        problems,
        notes,
        data: {
          config: { connections, warmupSeconds, durationSeconds, rounds, helloQuery: HELLO_QUERY, authQuery: AUTH_QUERY },
          machineBusyBeforeRuns: busyBefore,
          summary: { hello: helloSummary, auth: authSummary, ratio, roundRatios },
          measurements,
        },
      };
    } finally {
      await server.stop();
    }
  },
};

export default benchmark;
