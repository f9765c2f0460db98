// Benchmark `receive` (issue 4): what create_receive costs over the work it cannot avoid.
//
//  (a) floor — in this process, a closed loop at the same concurrency: open the sealed node key
//              (AES-256-GCM), sign a BOLT11 invoice as lib/lightning/bolt11.ts does, and INSERT
//              the transaction row with `pg` (the columns the app writes) into the same database,
//              in a wallet of its own;
//  (b) app   — `POST /graphql` create_receive with a service key (PAYMENTS WRITE) on the
//              production build, a unique idempotency key per request.
//
// Both at max rate (interleaved floor → app → hello → floor → app → hello, 3 s warm-up + 10 s
// each; `{ hello }` is a reference only: the endpoint's ceiling without auth or database), then (b)
// at half its measured max rate: with autocannon's `overallRate` (what the target is judged on)
// and, as a cross-check, with an evenly paced open-loop generator (lib/load.ts measurePaced).
//
// Targets: req/s (b) ≥ 0.60 × req/s (a); p99 of (b) at half its max rate ≤ 25 ms.
//
// The server gets SANDBOX_SETTLE_DELAY_MS=3600000 and every invoice expires in 24 h, so no
// settlement job comes due and the expiry sweep finds nothing during the run: the in-app worker
// polls, is woken by each NOTIFY boltrail_work (counted: notes), and finds nothing to do.
//
// Afterwards, the statements of one create_receive are captured (with their parameters) on a
// second app on the same database, through a recording proxy (lib/capture.ts), and printed.
import { createDecipheriv, randomBytes } from "node:crypto";
import pg from "pg";
import { monotonicFactory } from "ulid";
import { fixed, intFromEnv, type Benchmark, type BenchmarkReport, type TargetOutcome } from "./lib/benchmark.ts";
import { ASSET_IDS, seedTeamWithApiKey } from "./lib/fixtures.ts";
import { payeeOf, signInvoice } from "./lib/invoice.ts";
import { captureRequests } from "./lib/capture.ts";
import { formatStatements } from "./lib/pg-trace.ts";
import { machineBusy, mean, measure, measureLoop, measurePaced, problemsOf, type LoadSpec, type Measurement } from "./lib/load.ts";
import { startServer } from "./lib/server.ts";

const TARGET_RATIO = 0.6;
const TARGET_HALF_RATE_P99_MS = 25;

const AMOUNT_SATS = 21_000n;
const DESCRIPTION = "Bench invoice";
/** Beyond the run: the expiry sweep finds nothing and the settle job's runAt is now + 1 h. */
const EXPIRY_SECONDS = 86_400;
const SETTLE_DELAY_MS = 3_600_000;

const RECEIVE_MUTATION = `mutation Receive($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) { id status payment_request amount { full_amount } } } }
}`;

type ReceiveResult = { id: string; status: string; payment_request: string; amount: { full_amount: string } };

function parseReceive(body: string): ReceiveResult | null {
  try {
    const parsed = JSON.parse(body) as { data?: { payment?: { transaction?: { create_receive?: ReceiveResult } } }; errors?: unknown };
    if (parsed.errors !== undefined) return null;
    return parsed.data?.payment?.transaction?.create_receive ?? null;
  } catch {
    return null;
  }
}

/** A correct create_receive answer: a new pending transaction with a regtest invoice for the amount. */
function isGoodReceive(body: string): boolean {
  const t = parseReceive(body);
  return (
    t !== null &&
    t.id.startsWith("tx_") &&
    t.status === "PENDING" &&
    t.payment_request.startsWith("lnbcrt") &&
    t.amount.full_amount === AMOUNT_SATS.toString()
  );
}

/** As lib/crypto.ts decryptSecret. */
function openSealed(sealed: string, key: Buffer): Buffer {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("Unrecognised encrypted value");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]);
}

const INSERT_TRANSACTION = `INSERT INTO "transactions"
  ("id", "walletId", "environmentId", "assetId", "direction", "status", "amount", "amountSats", "exchangeRate", "fee",
   "description", "metadata", "idempotencyKey", "paymentRequest", "paymentHash", "paymentPreimage", "expiresAt",
   "createdAt", "updatedAt")
  VALUES ($1, $2, $3, $4, 'RECEIVE', 'PENDING', $5, NULL, NULL, $6, $7, NULL, $8, $9, $10, $11, $12, $13, $13)`;

const benchmark: Benchmark = {
  name: "receive",
  description: "create_receive over GraphQL vs. the floor (sign a BOLT11 invoice + INSERT one row), and its p99 at half its max rate",
  async run({ log }): Promise<BenchmarkReport> {
    const connections = intFromEnv("BENCH_CONNECTIONS", 32);
    const warmupSeconds = intFromEnv("BENCH_WARMUP", 3);
    const durationSeconds = intFromEnv("BENCH_DURATION", 10);
    const rounds = intFromEnv("BENCH_ROUNDS", 2);
    /** The floor's pg pool: the size of the app's (PrismaPg → pg.Pool default max 10). */
    const floorPool = intFromEnv("BENCH_FLOOR_POOL", 10);
    /** Connections of the half-rate runs (default: as many as the max-rate runs). */
    const halfConnections = intFromEnv("BENCH_HALF_CONNECTIONS", connections);

    const encryptionKey = randomBytes(32);
    const serverEnv = { APP_ENCRYPTION_KEY: encryptionKey.toString("hex"), SANDBOX_SETTLE_DELAY_MS: String(SETTLE_DELAY_MS) };
    const server = await startServer({ log, env: serverEnv });
    const pool = new pg.Pool({ connectionString: server.databaseUrl, max: floorPool, application_name: "boltrail-bench-floor" });
    try {
      const seeded = await seedTeamWithApiKey(server.databaseUrl, {
        permissions: [{ resource: "PAYMENTS", level: "WRITE" }],
        nodeKeyEncryptionKey: encryptionKey,
        wallets: [
          { assetId: ASSET_IDS.BTC, name: "Bench BTC (app)" },
          { assetId: ASSET_IDS.BTC, name: "Bench BTC (floor)" },
        ],
      });
      const node = seeded.node!;
      const [appWalletId, floorWalletId] = seeded.walletIds;
      log(`[receive] seeded environment ${seeded.environmentId} (node ${node.pubkey}), wallets app ${appWalletId} / floor ${floorWalletId}`);

      const url = `${server.baseUrl}/graphql`;
      const headers = { "content-type": "application/json", "x-api-key": seeded.apiKey };
      const runTag = randomBytes(4).toString("hex");
      let sequence = 0;
      const receiveBody = (idempotencyKey = `bench-${runTag}-${++sequence}`) =>
        JSON.stringify({
          query: RECEIVE_MUTATION,
          variables: {
            input: {
              wallet_id: appWalletId,
              amount: AMOUNT_SATS.toString(),
              description: DESCRIPTION,
              expires_in_seconds: EXPIRY_SECONDS,
              idempotency_key: idempotencyKey,
            },
          },
        });

      // --- Sanity checks before any load -------------------------------------------------------
      const post = async (body: string) => {
        const response = await fetch(url, { method: "POST", headers, body });
        return { status: response.status, body: await response.text() };
      };
      const first = await post(receiveBody(`bench-${runTag}-sanity`));
      const created = parseReceive(first.body);
      if (first.status !== 200 || !isGoodReceive(first.body) || !created) {
        throw new Error(`sanity check of create_receive failed: HTTP ${first.status}, ${first.body.slice(0, 500)}`);
      }
      const payee = payeeOf(created.payment_request);
      if (payee !== node.pubkey) throw new Error(`the invoice is signed by ${payee}, not by the seeded node key ${node.pubkey}`);
      const replay = await post(receiveBody(`bench-${runTag}-sanity`));
      if (parseReceive(replay.body)?.id !== created.id) {
        throw new Error(`sanity check failed: replaying the idempotency key did not return ${created.id}: ${replay.body.slice(0, 300)}`);
      }
      const jobsAfterSanity = await pool.query<{ due: string }>(`SELECT count(*) FILTER (WHERE "runAt" <= now() + interval '30 minutes') AS due FROM jobs`);
      if (Number(jobsAfterSanity.rows[0].due) !== 0) {
        throw new Error("the settlement job would run during the benchmark (is SANDBOX_SETTLE_DELAY_MS passed to the server?)");
      }

      const floorTag = randomBytes(4).toString("hex");
      let floorSequence = 0;
      const ulid = monotonicFactory();
      const floorOp = async () => {
        const nodePrivateKey = openSealed(node.sealedPrivateKey, encryptionKey);
        const now = new Date();
        const invoice = signInvoice({
          nodePrivateKey,
          amountMsat: AMOUNT_SATS * 1000n,
          description: DESCRIPTION,
          expirySeconds: EXPIRY_SECONDS,
          timestamp: Math.floor(now.getTime() / 1000),
        });
        const id = `tx_${ulid()}`;
        const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + EXPIRY_SECONDS * 1000);
        await pool.query(INSERT_TRANSACTION, [
          id,
          floorWalletId,
          seeded.environmentId,
          ASSET_IDS.BTC,
          AMOUNT_SATS.toString(),
          "0",
          DESCRIPTION,
          `floor-${floorTag}-${++floorSequence}`,
          invoice.paymentRequest,
          invoice.paymentHash,
          invoice.preimage,
          expiresAt,
          now,
        ]);
      };
      await floorOp();
      const floorCheck = await pool.query<{ paymentRequest: string }>(`SELECT "paymentRequest" FROM transactions WHERE "walletId" = $1`, [floorWalletId]);
      if (floorCheck.rowCount !== 1 || payeeOf(floorCheck.rows[0].paymentRequest) !== node.pubkey) {
        throw new Error("sanity check of the floor failed: its row or its invoice's signature is wrong");
      }

      const appSpec: LoadSpec = {
        label: "(b) create_receive",
        url,
        method: "POST",
        headers,
        nextBody: () => receiveBody(),
        connections,
        warmupSeconds,
        durationSeconds,
        verifyBody: isGoodReceive,
      };
      const floorLabel = "(a) floor: sign + INSERT";
      const helloBody = JSON.stringify({ query: "{ hello }" });
      const helloCheck = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: helloBody });
      const helloText = await helloCheck.text();
      if (helloCheck.status !== 200 || !helloText.includes("Hello from Boltrail")) throw new Error(`sanity check of { hello } failed: ${helloText.slice(0, 300)}`);
      const helloSpec: LoadSpec = {
        label: "(ref) { hello }, no auth, no database",
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: helloBody,
        connections,
        warmupSeconds,
        durationSeconds,
        verifyBody: (body) => body === helloText,
      };

      // The app's workers LISTEN on boltrail_work (DESIGN: woken when work is queued): count the
      // notifications the create_receive runs cause, each of which wakes the in-app worker.
      const listener = new pg.Client({ connectionString: server.databaseUrl, application_name: "boltrail-bench-listen" });
      listener.on("error", () => {}); // the database stops under it on a failure
      await listener.connect();
      let notifications = 0;
      listener.on("notification", () => notifications++);
      await listener.query("LISTEN boltrail_work");

      const busyBefore = await machineBusy(2000);
      if (busyBefore !== null) log(`[receive] machine CPU busy before the runs: ${fixed(busyBefore * 100, 0)}%`);

      const line = (m: Measurement) =>
        `[receive]   ${fixed(m.requestsPerSecond)} req/s, p50 ${fixed(m.exactLatencyMs.p50, 2)} ms, p99 ${fixed(m.exactLatencyMs.p99, 2)} ms` +
        (problemsOf(m).length ? `  (${problemsOf(m).join("; ")})` : "");

      // --- Max rate, interleaved ----------------------------------------------------------------
      const maxRuns: Measurement[] = [];
      let appNotifications = 0;
      for (let round = 1; round <= rounds; round++) {
        log(`[receive] round ${round}/${rounds}: ${floorLabel} — ${warmupSeconds}s warm-up + ${durationSeconds}s, concurrency ${connections} (pg pool ${floorPool})`);
        const floor = await measureLoop({ label: floorLabel, concurrency: connections, warmupSeconds, durationSeconds, op: floorOp }, round);
        log(line(floor));
        maxRuns.push(floor);
        log(`[receive] round ${round}/${rounds}: ${appSpec.label} — ${warmupSeconds}s warm-up + ${durationSeconds}s, ${connections} connections`);
        const notificationsBefore = notifications;
        const app = await measure(appSpec, round);
        appNotifications += notifications - notificationsBefore;
        log(line(app));
        maxRuns.push(app);
        log(`[receive] round ${round}/${rounds}: ${helloSpec.label} — ${warmupSeconds}s warm-up + ${durationSeconds}s, ${connections} connections`);
        const hello = await measure(helloSpec, round);
        log(line(hello));
        maxRuns.push(hello);
      }
      const floorRuns = maxRuns.filter((m) => m.label === floorLabel);
      const appRuns = maxRuns.filter((m) => m.label === appSpec.label);
      await listener.end().catch(() => {});
      const appAnswered = appRuns.reduce((n, m) => n + m.counts.requests + m.warmup.requests, 0);
      const notificationsPerReceive = appAnswered > 0 ? appNotifications / appAnswered : 0;
      const floorRate = mean(floorRuns.map((m) => m.requestsPerSecond));
      const appRate = mean(appRuns.map((m) => m.requestsPerSecond));
      const ratio = floorRate > 0 ? appRate / floorRate : 0;
      const helloRuns = maxRuns.filter((m) => m.label === helloSpec.label);

      // --- (b) at half its max rate ---------------------------------------------------------------
      const halfRate = Math.max(1, Math.round(appRate / 2));
      log(`[receive] ${appSpec.label} at half its max rate: ${halfRate} req/s (autocannon overallRate, ${halfConnections} connections)`);
      const halfAutocannon = await measure({ ...appSpec, label: "(b) at ½ max, autocannon overallRate", connections: halfConnections, overallRate: halfRate }, 1);
      log(line(halfAutocannon) + `; autocannon's own p99 ${halfAutocannon.latencyMs.p99} ms`);
      log(`[receive] ${appSpec.label} at ${halfRate} req/s evenly paced (open loop, up to ${halfConnections} sockets)`);
      const halfPaced = await measurePaced(
        {
          label: "(b) at ½ max, evenly paced",
          url,
          headers,
          nextBody: () => receiveBody(),
          rate: halfRate,
          connections: halfConnections,
          warmupSeconds,
          durationSeconds,
          verifyBody: isGoodReceive,
        },
        1,
      );
      log(line(halfPaced));

      const measurements = [...maxRuns, halfAutocannon, halfPaced];
      const problems = measurements.flatMap(problemsOf);

      // Every answered create_receive is a row (requests still in flight when a run stopped may add more).
      const answered = [...appRuns, halfAutocannon, halfPaced].reduce((n, m) => n + m.counts.requests + m.warmup.requests, 0) + 1;
      const stats = await pool.query<{ rows: string; jobs: string; due_jobs: string; pending_deliveries: string }>(
        `SELECT (SELECT count(*) FROM transactions WHERE "walletId" = $1) AS rows,
                (SELECT count(*) FROM jobs) AS jobs,
                (SELECT count(*) FROM jobs WHERE "doneAt" IS NOT NULL OR "runAt" <= now()) AS due_jobs,
                (SELECT count(*) FROM webhook_deliveries) AS pending_deliveries`,
        [appWalletId],
      );
      const appRows = Number(stats.rows[0].rows);
      if (appRows < answered) problems.push(`only ${appRows} transactions in the app's wallet for ${answered} answered create_receive`);
      if (Number(stats.rows[0].due_jobs) > 0) problems.push(`${stats.rows[0].due_jobs} settlement job(s) came due or ran during the benchmark`);

      // The SQL of one create_receive: a second app on the same database, through a recording proxy.
      log(`[receive] capturing the SQL of one create_receive with a second app on the same database, through a recording proxy…`);
      const [traced] = await captureRequests({
        server,
        env: serverEnv,
        log,
        requests: [
          {
            label: "create_receive",
            call: async (baseUrl: string) => {
              const response = await fetch(`${baseUrl}/graphql`, { method: "POST", headers, body: receiveBody() });
              const text = await response.text();
              if (!isGoodReceive(text)) throw new Error(`the capture app answered create_receive wrongly: ${text.slice(0, 300)}`);
            },
          },
        ],
      });
      log(
        `[receive] one create_receive = ${traced.statements.length} statement(s), ${traced.roundTrips} round trip(s):\n` +
          formatStatements(traced.statements).map((l) => `  ${l}`).join("\n"),
      );

      const halfP99 = halfAutocannon.exactLatencyMs.p99;
      const targets: TargetOutcome[] = [
        {
          description: `create_receive req/s ÷ floor (sign + INSERT) req/s ≥ ${fixed(TARGET_RATIO, 2)}`,
          value: ratio,
          threshold: TARGET_RATIO,
          met: ratio >= TARGET_RATIO,
        },
        {
          description: `create_receive p99 at half its max rate (${halfRate} req/s, autocannon overallRate) ≤ ${TARGET_HALF_RATE_P99_MS} ms`,
          value: halfP99,
          threshold: TARGET_HALF_RATE_P99_MS,
          met: halfP99 <= TARGET_HALF_RATE_P99_MS,
        },
      ];

      const notes: string[] = [];
      notes.push(
        `one create_receive sends ${traced.statements.length} statement(s) in ${traced.roundTrips} round trip(s) to PostgreSQL (the floor: 1), captured on a second app (not the measured one); the statements are printed above and kept in the JSON.`,
      );
      if (busyBefore !== null && busyBefore > 0.15) {
        notes.push(`the machine was ${fixed(busyBefore * 100, 0)}% busy before the runs (other processes): the figures are skewed.`);
      }
      const spread = (list: Measurement[]) => {
        const rates = list.map((m) => m.requestsPerSecond);
        return rates.length > 1 ? (Math.max(...rates) - Math.min(...rates)) / mean(rates) : 0;
      };
      for (const [name, list] of [["floor", floorRuns], ["create_receive", appRuns]] as const) {
        if (spread(list) > 0.1) notes.push(`${name} req/s moved by ${fixed(spread(list) * 100, 0)}% between rounds: a noisy machine?`);
      }
      notes.push(
        `latencies are from every 2xx response time (sub-millisecond); autocannon's own histogram (whole ms, and with overallRate its coordinated-omission correction) is in the JSON as latencyMs.`,
        `autocannon's overallRate sends each connection's share of a second back to back at the start of the second (bursts of ${halfRate} requests over ${halfConnections} connections); the evenly paced run spreads the same rate over the second, measuring each request from when it was due.`,
        `the floor runs in the harness process (one core of JS, like the server's) with a pg pool of ${floorPool}; autocannon and the server share the same 2 cores: compare ratios, not absolute figures.`,
        `the in-app worker runs during the runs and finds nothing due (${stats.rows[0].jobs} settlement jobs queued, runAt in 1 h); it polls, and it is woken by every NOTIFY boltrail_work: ${fixed(notificationsPerReceive, 2)} per create_receive in the max-rate runs.`,
      );

      const row = (m: Measurement) => [
        m.label,
        m.round,
        m.overallRate ?? "max",
        m.connections,
        fixed(m.requestsPerSecond),
        fixed(m.exactLatencyMs.p50, 2),
        fixed(m.exactLatencyMs.p99, 2),
        fixed(m.exactLatencyMs.mean, 2),
        m.counts.requests,
        m.counts.non2xx + m.warmup.non2xx,
        m.counts.errors + m.warmup.errors,
        m.counts.mismatches + m.warmup.mismatches,
      ];
      const summary = (list: Measurement[]) => ({
        requestsPerSecond: mean(list.map((m) => m.requestsPerSecond)),
        p50: mean(list.map((m) => m.exactLatencyMs.p50)),
        p99: mean(list.map((m) => m.exactLatencyMs.p99)),
      });
      const floorSummary = summary(floorRuns);
      const appSummary = summary(appRuns);
      const helloSummary = summary(helloRuns);

      return {
        tables: [
          {
            title: "Runs",
            table: {
              columns: ["measurement", "round", "rate", "conn", "req/s", "p50 ms", "p99 ms", "mean ms", "requests", "non-2xx", "errors", "bad bodies"],
              rows: measurements.map(row),
            },
          },
          {
            title: `Max rate, mean of ${rounds} round${rounds > 1 ? "s" : ""}`,
            table: {
              columns: ["measurement", "req/s", "p50 ms", "p99 ms"],
              rows: [
                [floorLabel, fixed(floorSummary.requestsPerSecond), fixed(floorSummary.p50, 2), fixed(floorSummary.p99, 2)],
                [appSpec.label, fixed(appSummary.requestsPerSecond), fixed(appSummary.p50, 2), fixed(appSummary.p99, 2)],
                [helloSpec.label, fixed(helloSummary.requestsPerSecond), fixed(helloSummary.p50, 2), fixed(helloSummary.p99, 2)],
                ["ratio (b) / (a) — the target", fixed(ratio, 3), "", ""],
                ["ratio (b) / { hello }", fixed(helloSummary.requestsPerSecond > 0 ? appRate / helloSummary.requestsPerSecond : 0, 3), "", ""],
                ["ratio { hello } / (a)", fixed(floorRate > 0 ? helloSummary.requestsPerSecond / floorRate : 0, 3), "", ""],
              ],
            },
          },
          {
            title: `Half the max rate (${halfRate} req/s)`,
            table: {
              columns: ["measurement", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "autocannon p99 ms"],
              rows: [halfAutocannon, halfPaced].map((m) => [
                m.label,
                fixed(m.requestsPerSecond),
                fixed(m.exactLatencyMs.p50, 2),
                fixed(m.exactLatencyMs.p90, 2),
                fixed(m.exactLatencyMs.p99, 2),
                fixed(m.exactLatencyMs.max, 2),
                m === halfAutocannon ? m.latencyMs.p99 : "",
              ]),
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
          config: {
            connections,
            warmupSeconds,
            durationSeconds,
            rounds,
            floorPool,
            halfConnections,
            halfRate,
            settleDelayMs: SETTLE_DELAY_MS,
            expirySeconds: EXPIRY_SECONDS,
            mutation: RECEIVE_MUTATION,
          },
          machineBusyBeforeRuns: busyBefore,
          summary: { floor: floorSummary, app: appSummary, hello: helloSummary, ratio, halfRate, halfAutocannon: halfAutocannon.exactLatencyMs, halfPaced: halfPaced.exactLatencyMs },
          database: { appRows, answered, notificationsPerReceive, ...stats.rows[0] },
          statements: { roundTrips: traced.roundTrips, statements: traced.statements.map((x) => ({ sql: x.sql, params: x.params })) },
          measurements,
        },
      };
    } finally {
      await pool.end().catch(() => {});
      await server.stop();
    }
  },
};

export default benchmark;
