// Benchmark `list` (issue 5): the first page of the transaction list does not slow down as an
// environment grows.
//
// `payment.transaction.find_many(input: { environment_id })` selecting
// `list { id status amount { full_amount } created_at }` (no total_count), with a PAYMENTS READ
// key, on an environment holding 1 000 000 transactions and on one holding 10 000, both seeded in
// bulk (INSERT … SELECT generate_series): created_at spread over 90 days in insertion order (as a
// real table fills), 82 % COMPLETED / 10 % EXPIRED / 5 % FAILED / 3 % PENDING, 90 % receives, two
// wallets (BTC and USDT) per environment; then VACUUM (ANALYZE) and a CHECKPOINT.
//
// 10 connections, 3 s warm-up + 10 s measured, interleaved 1M → 10k → 10k → 1M (ABBA); p95 from
// every response time. Then, as a reference outside the targets, both at 1 connection (service
// time without queueing). Then EXPLAIN (ANALYZE, BUFFERS) of the SQL the app sends for that
// request, with its parameters, on both environments: captured with a recording proxy
// (lib/pg-trace.ts) in front of a second app on the same database, started for that after the
// measurements (the measured server talks to PostgreSQL directly).
//
// Targets: p95 at 1M ≤ 20 ms; p95 at 1M ≤ 1.5 × p95 at 10k.
import pg from "pg";
import { fixed, intFromEnv, type Benchmark, type BenchmarkReport, type TargetOutcome } from "./lib/benchmark.ts";
import { ASSET_IDS, seedTeamWithApiKey, type Seeded } from "./lib/fixtures.ts";
import { machineBusy, mean, measure, problemsOf, type LoadSpec, type Measurement } from "./lib/load.ts";
import { captureRequests } from "./lib/capture.ts";
import { formatStatements, type TracedStatement } from "./lib/pg-trace.ts";
import { startServer } from "./lib/server.ts";

const TARGET_P95_MS = 20;
const TARGET_GROWTH = 1.5;

const LIST_QUERY = `query List($input: ListTransactionsInput!) {
  payment { transaction { find_many(input: $input) { list { id status amount { full_amount } created_at } } } }
}`;

const SEED_CHUNK = 250_000;

/**
 * `count` transactions in one environment, rows g = from…to of that count: created_at rises with g
 * over the 90 days before `now` (with up to 30 s of jitter), one row in three in the USDT wallet.
 * PENDING rows expire a day after `now`, so the expiry sweep of the in-app worker leaves the data
 * alone; the others expired 10 minutes after creation.
 */
const SEED_SQL = `
INSERT INTO "transactions"
  ("id", "walletId", "environmentId", "assetId", "direction", "status", "amount", "amountSats", "exchangeRate", "fee",
   "settleAmount", "description", "metadata", "idempotencyKey", "paymentRequest", "paymentHash", "paymentPreimage",
   "expiresAt", "settledAt", "createdAt", "updatedAt")
SELECT s.id,
       CASE WHEN s.usdt THEN $3 ELSE $2 END,
       $1,
       CASE WHEN s.usdt THEN '${ASSET_IDS.USDT}' ELSE '${ASSET_IDS.BTC}' END,
       s.direction::"TransactionDirection",
       s.status::"TransactionStatus",
       s.amount,
       CASE WHEN s.usdt THEN s.amount / 1000 END,
       CASE WHEN s.usdt THEN '1000' END,
       0,
       CASE WHEN s.status = 'COMPLETED' THEN s.amount END,
       'Order #' || s.g,
       CASE WHEN s.g % 2 = 0 THEN '{"order_id":"' || s.g || '"}' END,
       s.id,
       'lnbcrt' || s.amount || 'n1p' || repeat(md5(s.g::text), 8),
       md5(s.g::text || 'h') || md5(s.g::text || 'i'),
       md5(s.g::text || 'p') || md5(s.g::text || 'q'),
       CASE WHEN s.status = 'PENDING' THEN s.base + interval '1 day' ELSE s.created + interval '10 minutes' END,
       CASE WHEN s.status = 'COMPLETED' THEN s.created + interval '5 seconds' END,
       s.created,
       CASE WHEN s.status = 'COMPLETED' THEN s.created + interval '5 seconds' ELSE s.created END
FROM (
  SELECT r.g, r.base,
         $4 || lpad(r.g::text, 25, '0') AS id,
         (r.g % 3 = 0) AS usdt,
         CASE WHEN r.r1 < 0.82 THEN 'COMPLETED' WHEN r.r1 < 0.92 THEN 'EXPIRED' WHEN r.r1 < 0.97 THEN 'FAILED' ELSE 'PENDING' END AS status,
         CASE WHEN r.r2 < 0.9 THEN 'RECEIVE' ELSE 'SEND' END AS direction,
         (1000 + floor(r.r3 * 1000000))::bigint AS amount,
         r.base - interval '90 days' + (r.g::float8 / $7::float8) * interval '90 days' - r.r4 * interval '30 seconds' AS created
  FROM (
    SELECT g, ($8::timestamptz AT TIME ZONE 'UTC') AS base, random() AS r1, random() AS r2, random() AS r3, random() AS r4
    FROM generate_series($5::int, $6::int) AS g
  ) r
) s`;

export async function seedTransactions(
  client: pg.Client,
  seeded: Seeded,
  count: number,
  idPrefix: string,
  now: Date,
  log: (m: string) => void,
): Promise<number> {
  const started = Date.now();
  const [btcWallet, usdtWallet] = seeded.walletIds;
  for (let from = 1; from <= count; from += SEED_CHUNK) {
    const to = Math.min(count, from + SEED_CHUNK - 1);
    await client.query(SEED_SQL, [seeded.environmentId, btcWallet, usdtWallet, idPrefix, from, to, count, now]);
    if (count > SEED_CHUNK) log(`[list]   ${to.toLocaleString("en")} / ${count.toLocaleString("en")} rows (${fixed((Date.now() - started) / 1000)} s)`);
  }
  return (Date.now() - started) / 1000;
}

type ListItem = { id: string; status: string; amount: { full_amount: string }; created_at: string };

function parseList(body: string): ListItem[] | null {
  try {
    const parsed = JSON.parse(body) as { data?: { payment?: { transaction?: { find_many?: { list?: ListItem[] } } } }; errors?: unknown };
    if (parsed.errors !== undefined) return null;
    return parsed.data?.payment?.transaction?.find_many?.list ?? null;
  } catch {
    return null;
  }
}

type Plan = { label: string; statement: number; query: string; params: unknown[]; plan: string[]; executionMs: number; planningMs: number };

/**
 * EXPLAIN (ANALYZE, BUFFERS) of each traced statement that can be explained, with the parameters
 * it was sent with, after two warming runs; inside a transaction that is rolled back, so an
 * explained write changes nothing.
 */
export async function explain(client: pg.Client, label: string, statements: TracedStatement[]): Promise<Plan[]> {
  const plans: Plan[] = [];
  for (const [i, s] of statements.entries()) {
    if (!/^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b/i.test(s.sql) || s.params.some((p) => p === undefined)) continue;
    let rows: { "QUERY PLAN": string }[] = [];
    await client.query("BEGIN");
    try {
      for (let run = 0; run < 3; run++) {
        rows = (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.sql}`, s.params)).rows;
      }
    } finally {
      await client.query("ROLLBACK");
    }
    const plan = rows.map((r) => r["QUERY PLAN"]);
    const time = (name: string) => Number(/([\d.]+) ms/.exec(plan.find((l) => l.startsWith(name)) ?? "")?.[1] ?? Number.NaN);
    plans.push({ label, statement: i + 1, query: s.sql, params: s.params, plan, executionMs: time("Execution Time"), planningMs: time("Planning Time") });
  }
  return plans;
}

/** "Limit → Index Scan using … (rows=20, loops=1)": the plan's node lines, shortened. */
export function planOutline(plan: string[]): string {
  return plan
    .filter((l) => /->|^\S/.test(l) && !/^(Planning|Execution)/.test(l.trim()))
    .map((l) =>
      l
        .trim()
        .replace(/^->\s*/, "")
        .replace(/\s*\(cost=[^)]*\)/, "")
        .replace(/\(actual time=[\d.]+\.\.([\d.]+) rows=(\d+) loops=(\d+)\)/, "(rows=$2, $1 ms)"),
    )
    .join(" → ");
}

const benchmark: Benchmark = {
  name: "list",
  description: "first page of payment.transaction.find_many at 1 000 000 vs. 10 000 transactions in the environment",
  async run({ log }): Promise<BenchmarkReport> {
    const connections = intFromEnv("BENCH_CONNECTIONS", 10);
    const warmupSeconds = intFromEnv("BENCH_WARMUP", 3);
    const durationSeconds = intFromEnv("BENCH_DURATION", 10);
    const rounds = intFromEnv("BENCH_ROUNDS", 2);
    const bigCount = intFromEnv("BENCH_LIST_ROWS", 1_000_000);
    const smallCount = intFromEnv("BENCH_LIST_SMALL_ROWS", 10_000);

    const server = await startServer({ log });
    const client = new pg.Client({ connectionString: server.databaseUrl, application_name: "boltrail-bench-list" });
    await client.connect();
    try {
      const seedEnvironment = (name: string) =>
        seedTeamWithApiKey(server.databaseUrl, {
          permissions: [{ resource: "PAYMENTS", level: "READ" }],
          teamName: `Bench team ${name}`,
          environmentName: `Bench sandbox ${name}`,
          wallets: [
            { assetId: ASSET_IDS.BTC, name: `BTC ${name}` },
            { assetId: ASSET_IDS.USDT, name: `USDT ${name}` },
          ],
        });
      const big = await seedEnvironment("big");
      const small = await seedEnvironment("small");
      const now = new Date();

      // Bulk fixtures: the foreign keys hold by construction, so their per-row triggers are skipped.
      await client.query("SET session_replication_role = replica");
      log(`[list] seeding ${bigCount.toLocaleString("en")} transactions into environment ${big.environmentId}…`);
      const bigSeconds = await seedTransactions(client, big, bigCount, "tx_A", now, log);
      log(`[list] seeding ${smallCount.toLocaleString("en")} transactions into environment ${small.environmentId}…`);
      const smallSeconds = await seedTransactions(client, small, smallCount, "tx_B", now, log);
      await client.query("SET session_replication_role = DEFAULT");
      const vacuumStarted = Date.now();
      // ANALYZE for the planner; VACUUM too, so autovacuum does not start on the fresh million rows mid-run.
      await client.query("VACUUM (ANALYZE) transactions");
      // Flush the ~1.5 GB just written now, not in a checkpoint during the measurements.
      await client.query("CHECKPOINT");
      const vacuumSeconds = (Date.now() - vacuumStarted) / 1000;
      const size = await client.query<{ rows: string; table: string; indexes: string }>(
        `SELECT (SELECT count(*) FROM transactions) AS rows,
                pg_size_pretty(pg_table_size('transactions')) AS table,
                pg_size_pretty(pg_indexes_size('transactions')) AS indexes`,
      );
      log(
        `[list] seeded in ${fixed(bigSeconds)} s + ${fixed(smallSeconds)} s, VACUUM (ANALYZE) + CHECKPOINT ${fixed(vacuumSeconds)} s: ` +
          `${size.rows[0].rows} rows, table ${size.rows[0].table}, indexes ${size.rows[0].indexes}`,
      );

      const url = `${server.baseUrl}/graphql`;
      const specFor = async (label: string, seeded: Seeded, expectedCount: number): Promise<LoadSpec> => {
        const body = JSON.stringify({ query: LIST_QUERY, variables: { input: { environment_id: seeded.environmentId } } });
        const headers = { "content-type": "application/json", "x-api-key": seeded.apiKey };
        const response = await fetch(url, { method: "POST", headers, body });
        const text = await response.text();
        const list = parseList(text);
        const expected = await client.query<{ id: string }>(
          `SELECT id FROM transactions WHERE "environmentId" = $1 ORDER BY "createdAt" DESC, id DESC LIMIT 20`,
          [seeded.environmentId],
        );
        const count = await client.query<{ n: string }>(`SELECT count(*) AS n FROM transactions WHERE "environmentId" = $1`, [seeded.environmentId]);
        if (response.status !== 200 || !list || JSON.stringify(list.map((t) => t.id)) !== JSON.stringify(expected.rows.map((r) => r.id))) {
          throw new Error(`sanity check of ${label} failed: HTTP ${response.status}, ${text.slice(0, 500)} (expected ids ${expected.rows.map((r) => r.id).slice(0, 3).join(", ")}…)`);
        }
        if (Number(count.rows[0].n) !== expectedCount) throw new Error(`${label}: ${count.rows[0].n} transactions seeded, expected ${expectedCount}`);
        // The data does not change during the run: every response must be this one.
        return { label, url, method: "POST", headers, body, connections, warmupSeconds, durationSeconds, verifyBody: (b) => b === text };
      };
      const bigLabel = `${bigCount.toLocaleString("en")} transactions`;
      const smallLabel = `${smallCount.toLocaleString("en")} transactions`;
      const specs = [await specFor(bigLabel, big, bigCount), await specFor(smallLabel, small, smallCount)];

      const busyBefore = await machineBusy(2000);
      if (busyBefore !== null) log(`[list] machine CPU busy before the runs: ${fixed(busyBefore * 100, 0)}%`);

      const measurements: Measurement[] = [];
      for (let round = 1; round <= rounds; round++) {
        // ABBA: the server keeps speeding up a little over the first minutes (JIT), which would
        // otherwise favour whichever environment always runs second.
        for (const spec of round % 2 === 1 ? specs : [...specs].reverse()) {
          log(`[list] round ${round}/${rounds}: ${spec.label} — ${warmupSeconds}s warm-up + ${durationSeconds}s, ${connections} connections`);
          const m = await measure(spec, round);
          const problems = problemsOf(m);
          log(
            `[list]   ${fixed(m.requestsPerSecond)} req/s, p50 ${fixed(m.exactLatencyMs.p50, 2)} ms, p95 ${fixed(m.exactLatencyMs.p95, 2)} ms, p99 ${fixed(m.exactLatencyMs.p99, 2)} ms` +
              (problems.length ? `  (${problems.join("; ")})` : ""),
          );
          measurements.push(m);
        }
      }

      // Reference (not a target): the same requests one at a time, i.e. the service time without
      // queueing, to tell the cost of one request from the queueing at `connections`.
      const referenceConnections = intFromEnv("BENCH_LIST_REF_CONNECTIONS", 1);
      const references: Measurement[] = [];
      for (const spec of rounds % 2 === 1 ? [...specs].reverse() : specs) {
        const ref = { ...spec, label: `${spec.label} (ref, ${referenceConnections} conn)`, connections: referenceConnections };
        log(`[list] reference: ${ref.label} — ${warmupSeconds}s warm-up + ${durationSeconds}s`);
        const m = await measure(ref, 1);
        log(`[list]   ${fixed(m.requestsPerSecond)} req/s, p50 ${fixed(m.exactLatencyMs.p50, 2)} ms, p95 ${fixed(m.exactLatencyMs.p95, 2)} ms, p99 ${fixed(m.exactLatencyMs.p99, 2)} ms`);
        references.push(m);
      }

      // The SQL the app really sends for one first-page request, with its parameters: a second
      // app on the same database, reached through a recording proxy (lib/pg-trace.ts), so that
      // the measured server never is. Then EXPLAIN (ANALYZE, BUFFERS) of each statement.
      log(`[list] capturing the SQL of one request with a second app on the same database, through a recording proxy…`);
      const traces = await captureRequests({
        server,
        log,
        requests: specs.map((spec) => ({
          label: spec.label,
          call: async (baseUrl: string) => {
            const response = await fetch(`${baseUrl}/graphql`, { method: "POST", headers: spec.headers, body: spec.body });
            const text = await response.text();
            if (!spec.verifyBody(text)) throw new Error(`the capture app answered ${spec.label} differently: ${text.slice(0, 300)}`);
          },
        })),
      });
      for (const t of traces) {
        log(
          `[list] ${t.label}: one request = ${t.statements.length} statement(s), ${t.roundTrips} round trip(s):\n` +
            formatStatements(t.statements).map((l) => `  ${l}`).join("\n"),
        );
      }
      const plans: Plan[] = [];
      for (const t of traces) plans.push(...(await explain(client, t.label, t.statements)));
      for (const p of plans) {
        log(`\n[list] EXPLAIN (ANALYZE, BUFFERS), ${p.label}, statement ${p.statement}:\n${p.query}\n  params ${JSON.stringify(p.params)}\n${p.plan.map((l) => `  ${l}`).join("\n")}`);
      }

      const of = (label: string) => measurements.filter((m) => m.label === label);
      const summarise = (list: Measurement[]) => ({
        requestsPerSecond: mean(list.map((m) => m.requestsPerSecond)),
        p50: mean(list.map((m) => m.exactLatencyMs.p50)),
        p95: mean(list.map((m) => m.exactLatencyMs.p95)),
        p99: mean(list.map((m) => m.exactLatencyMs.p99)),
      });
      const bigSummary = summarise(of(bigLabel));
      const smallSummary = summarise(of(smallLabel));
      const growth = smallSummary.p95 > 0 ? bigSummary.p95 / smallSummary.p95 : Number.POSITIVE_INFINITY;
      const targets: TargetOutcome[] = [
        {
          description: `p95 of the first page at ${bigLabel} ≤ ${TARGET_P95_MS} ms`,
          value: bigSummary.p95,
          threshold: TARGET_P95_MS,
          met: bigSummary.p95 <= TARGET_P95_MS,
        },
        {
          description: `p95 at ${bigLabel} ÷ p95 at ${smallLabel} ≤ ${fixed(TARGET_GROWTH, 1)}`,
          value: growth,
          threshold: TARGET_GROWTH,
          met: growth <= TARGET_GROWTH,
        },
      ];

      const problems = [...measurements, ...references].flatMap(problemsOf);
      const notes: string[] = [];
      for (const t of traces) {
        notes.push(`${t.label}: one first-page request sends ${t.statements.length} statement(s) in ${t.roundTrips} round trip(s) to PostgreSQL (captured on a second app, not the measured one).`);
      }
      if (busyBefore !== null && busyBefore > 0.15) {
        notes.push(`the machine was ${fixed(busyBefore * 100, 0)}% busy before the runs (other processes): the figures are skewed.`);
      }
      for (const p of plans) {
        notes.push(`plan, ${p.label}, statement ${p.statement} (execution ${fixed(p.executionMs, 3)} ms, planning ${fixed(p.planningMs, 3)} ms): ${planOutline(p.plan)}`);
      }
      notes.push(
        `p50/p95/p99 from every response time of the measured runs; the full plans and the SQL are printed above and kept in the JSON.`,
        `autocannon runs in this process, on the same 2 cores as the server and PostgreSQL.`,
      );

      return {
        tables: [
          {
            title: "Runs",
            table: {
              columns: ["measurement", "round", "conn", "req/s", "p50 ms", "p95 ms", "p99 ms", "mean ms", "requests", "non-2xx", "errors", "bad bodies"],
              rows: [...measurements, ...references].map((m) => [
                m.label,
                m.round,
                m.connections,
                fixed(m.requestsPerSecond),
                fixed(m.exactLatencyMs.p50, 2),
                fixed(m.exactLatencyMs.p95, 2),
                fixed(m.exactLatencyMs.p99, 2),
                fixed(m.exactLatencyMs.mean, 2),
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
              columns: ["measurement", "req/s", "p50 ms", "p95 ms", "p99 ms"],
              rows: [
                [bigLabel, fixed(bigSummary.requestsPerSecond), fixed(bigSummary.p50, 2), fixed(bigSummary.p95, 2), fixed(bigSummary.p99, 2)],
                [smallLabel, fixed(smallSummary.requestsPerSecond), fixed(smallSummary.p50, 2), fixed(smallSummary.p95, 2), fixed(smallSummary.p99, 2)],
                ["p95 ratio", "", "", fixed(growth, 3), ""],
              ],
            },
          },
          {
            title: "EXPLAIN (ANALYZE, BUFFERS) of the SQL the app sends",
            table: {
              columns: ["environment", "stmt", "execution ms", "planning ms", "top of plan"],
              rows: plans.map((p) => [p.label, p.statement, fixed(p.executionMs, 3), fixed(p.planningMs, 3), planOutline(p.plan).slice(0, 110)]),
            },
          },
        ],
        target: {
          description: `targets met (of ${targets.length})`,
          value: targets.filter((t) => t.met).length,
          threshold: targets.length,
          met: targets.every((t) => t.met),
        },
        targets,
        problems,
        notes,
        data: {
          config: { connections, referenceConnections, warmupSeconds, durationSeconds, rounds, bigCount, smallCount, query: LIST_QUERY },
          seeding: { bigSeconds, smallSeconds, vacuumSeconds, ...size.rows[0] },
          machineBusyBeforeRuns: busyBefore,
          summary: { big: bigSummary, small: smallSummary, growth },
          plans,
          measurements,
          references,
          statements: traces.map((t) => ({ label: t.label, roundTrips: t.roundTrips, statements: t.statements.map((x) => ({ sql: x.sql, params: x.params })) })),
        },
      };
    } finally {
      await client.end().catch(() => {});
      await server.stop();
    }
  },
};

export default benchmark;
