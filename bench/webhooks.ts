// Benchmark `webhooks` (issue 5): webhook delivery throughput against a plain HTTP client, and the
// latency from settlement to delivery.
//
// Throughput, in one run against one local receiver (node:http on 127.0.0.1 in this process,
// answering 200 at once):
//  (a) floor — a plain loop in this process POSTing the same N envelopes with `fetch` (undici,
//              keep-alive) at the concurrency Boltrail's worker can use: min(endpoints ×
//              PER_ENDPOINT_CONCURRENCY (4), maxInFlight (64)) = 32 with 8 endpoints;
//  (b) Boltrail — N webhook events with one PENDING delivery each (spread round-robin over the 8
//              endpoints) inserted in ONE statement; the NOTIFY of its trigger wakes the in-app
//              worker; measured from the commit to the arrival of the last of the N at the receiver.
// Interleaved (a) → (b) per round after a warm-up batch; target: deliveries/s (b) ≥ 0.50 × (a).
//
// Latency: K invoices created through GraphQL create_receive, paced (20/s), in a sandbox
// environment whose one endpoint is filtered to payment.completed; SANDBOX_SETTLE_DELAY_MS=0, so
// the settlement job is due at once. Per delivery: receiver arrival − data.settled_at of the
// envelope (the same machine's clock). Targets: p50 ≤ 100 ms, p99 ≤ 1 s.
//
// Every delivery must arrive, with a valid x-webhook-signature, and every delivery row must end
// SUCCESS after one attempt; otherwise the benchmark fails.
//
// BENCH_PG_TRACE=1 (diagnostics): the app reaches PostgreSQL through a proxy that records its
// statements; the statements per delivery of the throughput run are printed (figures then skewed).
import { randomBytes } from "node:crypto";
import http from "node:http";
import pg from "pg";
import { fixed, intFromEnv, type Benchmark, type BenchmarkReport, type Table, type TargetOutcome } from "./lib/benchmark.ts";
import { ASSET_IDS, seedTeamWithApiKey } from "./lib/fixtures.ts";
import { machineBusy, mean, summariseLatencies, type LatencySummary } from "./lib/load.ts";
import { startPgTrace, type PgTrace } from "./lib/pg-trace.ts";
import { cpuBetween, cpuSnapshot, type CpuUse } from "./lib/proc-cpu.ts";
import { startServer } from "./lib/server.ts";
import { completedEnvelopes, insertEventsWithDeliveries, seedEndpoints, seedSignatureValid, type SeededEndpoint } from "./lib/webhook-fixtures.ts";
import { startReceiver, type WebhookReceiver } from "./lib/webhook-receiver.ts";

const TARGET_RATIO = 0.5;
const TARGET_P50_MS = 100;
const TARGET_P99_MS = 1000;

/** lib/webhooks/delivery.ts (server-only, not importable here): per-endpoint cap and DeliveryPool's maxInFlight. */
const PER_ENDPOINT_CONCURRENCY = 4;
const WORKER_MAX_IN_FLIGHT = 64;

const RECEIVE_MUTATION = `mutation Receive($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) { id status } } }
}`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type FloorRun = { label: string; round: number; concurrency: number; requests: number; seconds: number; perSecond: number; non200: number; errors: number };

/** A closed loop of `concurrency` workers POSTing `payloads` (each once) to `url`. */
async function floorLoop(
  label: string,
  round: number,
  url: string,
  payloads: string[],
  concurrency: number,
  post: (body: string) => Promise<number>,
): Promise<FloorRun> {
  let next = 0;
  let non200 = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < payloads.length) {
        const body = payloads[next++];
        try {
          if ((await post(body)) !== 200) non200++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { label, round, concurrency, requests: payloads.length, seconds, perSecond: payloads.length / seconds, non200, errors };
}

/** undici (global fetch): keep-alive connections, as a plain client would. */
const fetchPost = (url: string) => async (body: string) => {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  await response.arrayBuffer();
  return response.status;
};

/** node:http with a new connection per request (`agent: false`, `connection: close`): a sender without connection reuse. */
const closePost = (url: string) => (body: string) =>
  new Promise<number>((resolve, reject) => {
    const payload = Buffer.from(body, "utf8");
    const req = http.request(url, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", "content-length": String(payload.length), connection: "close" },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.end(payload);
  });

type AppRun = {
  round: number;
  deliveries: number;
  /** From the insert's commit to the arrival of the last delivery. */
  seconds: number;
  perSecond: number;
  /** Insert statement (sent → committed), ms. */
  insertMs: number;
  /** Commit → first arrival, ms. */
  firstArrivalMs: number;
  /** Last arrival → every delivery row SUCCESS, ms. */
  recordedAfterMs: number;
  statuses: Record<string, number>;
  attempts: number;
  non200Attempts: number;
  duplicates: number;
  badSignatures: number;
  /** From webhook_attempts: HTTP exchanges in flight (mean over the run, and the most at once). */
  inFlightMean: number;
  inFlightMax: number;
  /** Mean duration of one HTTP exchange as recorded by the app (durationMs). */
  exchangeMeanMs: number;
  cpu: CpuUse | null;
};

async function waitForStatuses(pool: pg.Pool, deliveryIds: string[], timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM webhook_deliveries WHERE id = ANY($1::text[]) GROUP BY status`,
      [deliveryIds],
    );
    const statuses = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    if ((statuses.SUCCESS ?? 0) + (statuses.FAILED ?? 0) === deliveryIds.length || Date.now() > deadline) return statuses;
    await sleep(20);
  }
}

/** Mean and maximum number of intervals [start, end] (ms) open at once over their span. */
function concurrencyOf(intervals: { start: number; end: number }[]): { mean: number; max: number } {
  if (!intervals.length) return { mean: 0, max: 0 };
  const span = Math.max(...intervals.map((i) => i.end)) - Math.min(...intervals.map((i) => i.start));
  const busy = intervals.reduce((n, i) => n + (i.end - i.start), 0);
  const edges = intervals.flatMap((i) => [
    [i.start, 1],
    [i.end, -1],
  ]);
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (open += d));
  return { mean: span > 0 ? busy / span : 0, max };
}

/** Statements of the traced window, normalised (whitespace, schema prefix) and counted, most frequent first. */
function statementShapes(trace: PgTrace): { sql: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of trace.statements) {
    const sql = s.sql.replace(/\s+/g, " ").replace(/"public"\./g, "").trim();
    const key = sql.length > 140 ? `${sql.slice(0, 140)}…` : sql;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([sql, count]) => ({ sql, count })).sort((a, b) => b.count - a.count);
}

type Stage = { stage: string; summary: LatencySummary };

const benchmark: Benchmark = {
  name: "webhooks",
  description: "webhook deliveries/s vs. a plain undici loop to the same receiver, and settle-to-delivered latency",
  async run({ log }): Promise<BenchmarkReport> {
    const events = intFromEnv("BENCH_WEBHOOK_EVENTS", 3000);
    const endpointCount = intFromEnv("BENCH_WEBHOOK_ENDPOINTS", 8);
    const rounds = intFromEnv("BENCH_ROUNDS", 2);
    const warmupEvents = intFromEnv("BENCH_WEBHOOK_WARMUP", 1000);
    const invoices = intFromEnv("BENCH_WEBHOOK_INVOICES", 200);
    const invoiceRate = intFromEnv("BENCH_WEBHOOK_RATE", 20);
    const concurrency = intFromEnv("BENCH_FLOOR_CONCURRENCY", Math.min(endpointCount * PER_ENDPOINT_CONCURRENCY, WORKER_MAX_IN_FLIGHT));
    const tracing = Boolean(process.env.BENCH_PG_TRACE?.trim());
    let trace: PgTrace | undefined;

    const encryptionKey = randomBytes(32);
    const receiver: WebhookReceiver = await startReceiver();
    const server = await startServer({
      log,
      env: {
        APP_ENCRYPTION_KEY: encryptionKey.toString("hex"),
        WEBHOOK_URL_ALLOWLIST: "127.0.0.1/32",
        SANDBOX_SETTLE_DELAY_MS: "0",
      },
      ...(tracing ? { appDatabaseUrl: async (databaseUrl: string) => (trace = await startPgTrace(databaseUrl)).url } : {}),
    });
    const pool = new pg.Pool({ connectionString: server.databaseUrl, max: 4, application_name: "boltrail-bench-webhooks" });
    const pgPort = Number(new URL(server.databaseUrl).port);
    const problems: string[] = [];
    const notes: string[] = [];
    try {
      // --- Throughput fixtures ---------------------------------------------------------------------
      const seeded = await seedTeamWithApiKey(server.databaseUrl, {
        permissions: [{ resource: "WEBHOOKS", level: "READ" }],
        environmentName: "Bench webhooks (throughput)",
        nodeKeyEncryptionKey: encryptionKey,
        wallets: [{ assetId: ASSET_IDS.BTC, name: "Bench BTC" }],
      });
      const walletId = seeded.walletIds[0];
      const endpoints = await seedEndpoints(server.databaseUrl, { environmentId: seeded.environmentId, url: receiver.url, count: endpointCount, encryptionKey });
      const batch = (count: number) =>
        completedEnvelopes({
          count,
          environmentId: seeded.environmentId,
          walletId,
          assetId: ASSET_IDS.BTC,
          nodePrivateKey: seeded.node!.privateKey,
          nodePubkey: seeded.node!.pubkey,
        });
      const bodyBytes = mean(batch(50).map((e) => Buffer.byteLength(e.payload)));
      log(
        `[webhooks] seeded environment ${seeded.environmentId}, ${endpointCount} endpoints → ${receiver.url}; ` +
          `${events} events per run (~${fixed(bodyBytes, 0)} bytes each), concurrency ${concurrency}`,
      );

      /** Inserts `list` (delivery i → endpoint i mod E), waits for every arrival and every row SUCCESS, checks signatures. */
      const deliverBatch = async (list: ReturnType<typeof batch>, round: number, what: string): Promise<AppRun> => {
        receiver.reset();
        const ids = list.map((e) => e.idempotencyKey);
        const secretOf = new Map<string, SeededEndpoint>(ids.map((id, i) => [id, endpoints[i % endpoints.length]]));
        trace?.reset();
        const cpuBefore = await cpuSnapshot(server.pid, pgPort);
        const sent = performance.now();
        const { deliveryIds } = await insertEventsWithDeliveries(pool, { environmentId: seeded.environmentId, walletId, events: list, endpointIds: endpoints.map((e) => e.id) });
        const committed = performance.now();
        try {
          await receiver.waitFor(ids, Math.max(60_000, list.length * 100));
        } catch (error) {
          problems.push(`${what}: ${(error as Error).message}`);
        }
        const arrivals = [...receiver.arrivals.values()];
        const last = arrivals.length ? Math.max(...arrivals.map((a) => a.atPerf)) : performance.now();
        const first = arrivals.length ? Math.min(...arrivals.map((a) => a.atPerf)) : Number.NaN;
        const cpuAfter = await cpuSnapshot(server.pid, pgPort);
        const statuses = await waitForStatuses(pool, deliveryIds, 30_000);
        const recorded = performance.now();
        const attemptRows = await pool.query<{ end_ms: string; duration: number; status: number | null }>(
          `SELECT (extract(epoch FROM "createdAt") * 1000)::text AS end_ms, "durationMs" AS duration, "responseStatus" AS status
           FROM webhook_attempts WHERE "deliveryId" = ANY($1::text[])`,
          [deliveryIds],
        );
        const intervals = attemptRows.rows.map((r) => ({ start: Number(r.end_ms) - r.duration, end: Number(r.end_ms) }));
        const flight = concurrencyOf(intervals);
        let badSignatures = 0;
        for (const [id, arrival] of receiver.arrivals) {
          const endpoint = secretOf.get(id);
          if (!endpoint || !seedSignatureValid(endpoint.secret, arrival.timestamp, arrival.rawBody, arrival.signature)) badSignatures++;
        }
        const seconds = (last - committed) / 1000;
        const run: AppRun = {
          round,
          deliveries: receiver.arrivals.size,
          seconds,
          perSecond: receiver.arrivals.size / seconds,
          insertMs: committed - sent,
          firstArrivalMs: first - committed,
          recordedAfterMs: recorded - last,
          statuses,
          attempts: attemptRows.rowCount ?? 0,
          non200Attempts: attemptRows.rows.filter((r) => r.status !== 200).length,
          duplicates: receiver.duplicates(),
          badSignatures,
          inFlightMean: flight.mean,
          inFlightMax: flight.max,
          exchangeMeanMs: mean(attemptRows.rows.map((r) => r.duration)),
          cpu: cpuBetween(cpuBefore, cpuAfter),
        };
        if ((statuses.SUCCESS ?? 0) !== list.length) problems.push(`${what}: delivery rows by status ${JSON.stringify(statuses)}, expected ${list.length} SUCCESS`);
        if (run.attempts !== list.length || run.non200Attempts) problems.push(`${what}: ${run.attempts} attempts recorded (${run.non200Attempts} not HTTP 200) for ${list.length} deliveries`);
        if (badSignatures) problems.push(`${what}: ${badSignatures} deliveries with a wrong x-webhook-signature`);
        if (receiver.badBodies()) problems.push(`${what}: ${receiver.badBodies()} bodies without an envelope id`);
        return run;
      };

      // --- Warm-up: the delivery path of the server (JIT, pools, connections) -----------------------
      log(`[webhooks] warm-up: ${warmupEvents} deliveries, and the floor loops over the same envelopes`);
      const warmList = batch(warmupEvents);
      const warm = await deliverBatch(warmList, 0, "warm-up");
      log(`[webhooks]   warm-up: ${fixed(warm.perSecond)} deliveries/s`);
      // The floor loops (this process's fetch / http client, unmeasured) are warmed up too.
      receiver.reset();
      await floorLoop("warm-up", 0, receiver.url, warmList.map((e) => e.payload), concurrency, fetchPost(receiver.url));
      receiver.reset();
      await floorLoop("warm-up", 0, receiver.url, warmList.map((e) => e.payload), concurrency, closePost(receiver.url));

      const busyBefore = await machineBusy(2000);
      if (busyBefore !== null) log(`[webhooks] machine CPU busy before the runs: ${fixed(busyBefore * 100, 0)}%`);

      // --- (a) / (b), interleaved ------------------------------------------------------------------
      const floorRuns: FloorRun[] = [];
      const refRuns: FloorRun[] = [];
      const appRuns: AppRun[] = [];
      let traced: { statements: number; roundTrips: number; shapes: { sql: string; count: number }[] } | undefined;
      for (let round = 1; round <= rounds; round++) {
        const list = batch(events);
        const payloads = list.map((e) => e.payload);

        receiver.reset();
        log(`[webhooks] round ${round}/${rounds}: (a) floor — ${events} POSTs with fetch (undici), concurrency ${concurrency}`);
        const floor = await floorLoop("(a) floor: fetch (undici, keep-alive)", round, receiver.url, payloads, concurrency, fetchPost(receiver.url));
        if (receiver.arrivals.size !== events || floor.non200 || floor.errors) {
          problems.push(`(a) round ${round}: ${receiver.arrivals.size}/${events} arrived, ${floor.non200} non-200, ${floor.errors} errors`);
        }
        log(`[webhooks]   ${fixed(floor.perSecond)} requests/s (${fixed(floor.seconds, 2)} s)`);
        floorRuns.push(floor);

        receiver.reset();
        log(`[webhooks] round ${round}/${rounds}: (ref) ${events} POSTs with node:http, a new connection each (as safe-fetch), concurrency ${concurrency}`);
        const ref = await floorLoop("(ref) node:http, connection: close", round, receiver.url, payloads, concurrency, closePost(receiver.url));
        if (receiver.arrivals.size !== events || ref.non200 || ref.errors) {
          problems.push(`(ref) round ${round}: ${receiver.arrivals.size}/${events} arrived, ${ref.non200} non-200, ${ref.errors} errors`);
        }
        log(`[webhooks]   ${fixed(ref.perSecond)} requests/s (${fixed(ref.seconds, 2)} s)`);
        refRuns.push(ref);

        log(`[webhooks] round ${round}/${rounds}: (b) Boltrail — ${events} events inserted in one statement, ${endpointCount} endpoints`);
        const app = await deliverBatch(list, round, `(b) round ${round}`);
        log(
          `[webhooks]   ${fixed(app.perSecond)} deliveries/s (${fixed(app.seconds, 2)} s; first after ${fixed(app.firstArrivalMs, 1)} ms; ` +
            `HTTP exchanges in flight: mean ${fixed(app.inFlightMean, 1)}, max ${app.inFlightMax})`,
        );
        appRuns.push(app);
        if (trace && !traced) {
          traced = { statements: trace.statements.length, roundTrips: trace.roundTrips(), shapes: statementShapes(trace) };
        }
      }

      const floorRate = mean(floorRuns.map((r) => r.perSecond));
      const refRate = mean(refRuns.map((r) => r.perSecond));
      const appRate = mean(appRuns.map((r) => r.perSecond));
      const ratio = floorRate > 0 ? appRate / floorRate : 0;

      // --- Latency: create_receive → sandbox settlement → payment.completed delivery ----------------
      const latencySeed = await seedTeamWithApiKey(server.databaseUrl, {
        permissions: [{ resource: "PAYMENTS", level: "WRITE" }],
        environmentName: "Bench webhooks (latency)",
        nodeKeyEncryptionKey: encryptionKey,
        wallets: [{ assetId: ASSET_IDS.BTC, name: "Bench BTC (latency)" }],
      });
      const [latencyEndpoint] = await seedEndpoints(server.databaseUrl, {
        environmentId: latencySeed.environmentId,
        url: receiver.url,
        count: 1,
        encryptionKey,
        eventFilters: ["payment.completed"],
      });
      const graphqlUrl = `${server.baseUrl}/graphql`;
      const runTag = randomBytes(4).toString("hex");
      let sequence = 0;
      const createReceive = async (): Promise<string> => {
        const response = await fetch(graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": latencySeed.apiKey },
          body: JSON.stringify({
            query: RECEIVE_MUTATION,
            variables: { input: { wallet_id: latencySeed.walletIds[0], amount: "21000", description: "Bench invoice", idempotency_key: `bench-${runTag}-${++sequence}` } },
          }),
        });
        const text = await response.text();
        const tx = (JSON.parse(text) as { data?: { payment?: { transaction?: { create_receive?: { id: string; status: string } } } } }).data?.payment?.transaction
          ?.create_receive;
        if (response.status !== 200 || !tx?.id.startsWith("tx_") || tx.status !== "PENDING") throw new Error(`create_receive failed: HTTP ${response.status}, ${text.slice(0, 300)}`);
        return tx.id;
      };

      // Warm-up of create_receive and of the settlement path (not measured).
      receiver.reset();
      const warmIds: string[] = [];
      for (let i = 0; i < 10; i++) warmIds.push(await createReceive());
      await receiver.waitFor(
        warmIds.map((id) => `payment.completed:${id}`),
        30_000,
      );

      receiver.reset();
      log(`[webhooks] latency: ${invoices} create_receive at ${invoiceRate}/s, endpoint filtered to payment.completed, SANDBOX_SETTLE_DELAY_MS=0`);
      const latencyCpuBefore = await cpuSnapshot(server.pid, pgPort);
      const created: Promise<string | null>[] = [];
      const paceStart = performance.now();
      for (let i = 0; i < invoices; i++) {
        const due = paceStart + (i * 1000) / invoiceRate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        created.push(
          createReceive().catch((error: unknown) => {
            problems.push(`latency: ${(error as Error).message}`);
            return null;
          }),
        );
      }
      const txIds = (await Promise.all(created)).filter((id): id is string => id !== null);
      try {
        await receiver.waitFor(
          txIds.map((id) => `payment.completed:${id}`),
          60_000,
        );
      } catch (error) {
        problems.push(`latency: ${(error as Error).message}`);
      }
      const latencyCpu = cpuBetween(latencyCpuBefore, await cpuSnapshot(server.pid, pgPort));

      const latencies: number[] = [];
      let latencyBadSignatures = 0;
      const arrivalOf = new Map<string, number>();
      for (const id of txIds) {
        const arrival = receiver.arrivals.get(`payment.completed:${id}`);
        if (!arrival) continue;
        const envelope = JSON.parse(arrival.rawBody) as { event_type?: string; data?: { id?: string; status?: string; settled_at?: string | null } };
        if (envelope.event_type !== "payment.completed" || envelope.data?.id !== id || envelope.data.status !== "completed" || !envelope.data.settled_at) {
          problems.push(`latency: unexpected envelope for ${id}: ${arrival.rawBody.slice(0, 200)}`);
          continue;
        }
        if (!seedSignatureValid(latencyEndpoint.secret, arrival.timestamp, arrival.rawBody, arrival.signature)) latencyBadSignatures++;
        latencies.push(arrival.at - Date.parse(envelope.data.settled_at));
        arrivalOf.set(id, arrival.at);
      }
      if (latencyBadSignatures) problems.push(`latency: ${latencyBadSignatures} deliveries with a wrong x-webhook-signature`);
      if (receiver.requests() !== txIds.length) {
        notes.push(`latency: the receiver got ${receiver.requests()} requests for ${txIds.length} payment.completed events (${receiver.duplicates()} duplicates).`);
      }
      const latency = summariseLatencies(latencies);

      // Where the time goes, per delivery, from the rows the app wrote (ms, same clock).
      const { rows: timeline } = await pool.query<{
        tx: string;
        created: string;
        settled: string;
        event_written: string;
        delivery_status: string;
        attempt_recorded: string | null;
        duration: number | null;
        attempts: string;
      }>(
        `SELECT t.id AS tx,
                (extract(epoch FROM t."createdAt") * 1000)::text AS created,
                (extract(epoch FROM t."settledAt") * 1000)::text AS settled,
                (extract(epoch FROM e."createdAt") * 1000)::text AS event_written,
                d.status AS delivery_status,
                (extract(epoch FROM a."createdAt") * 1000)::text AS attempt_recorded,
                a."durationMs" AS duration,
                (SELECT count(*) FROM webhook_attempts x WHERE x."deliveryId" = d.id)::text AS attempts
         FROM transactions t
         JOIN webhook_events e ON e."transactionId" = t.id AND e."eventType" = 'payment.completed'
         JOIN webhook_deliveries d ON d."eventId" = e.id
         LEFT JOIN webhook_attempts a ON a."deliveryId" = d.id AND a."attemptNumber" = 1
         WHERE t.id = ANY($1::text[])`,
        [txIds],
      );
      const notSuccess = timeline.filter((r) => r.delivery_status !== "SUCCESS" || r.attempts !== "1").length;
      if (timeline.length !== txIds.length || notSuccess) {
        problems.push(`latency: ${timeline.length} delivery rows for ${txIds.length} transactions, ${notSuccess} not SUCCESS after exactly one attempt`);
      }
      const stageOf = (f: (r: (typeof timeline)[number]) => number | null): LatencySummary =>
        summariseLatencies(timeline.map(f).filter((v): v is number => v !== null && Number.isFinite(v)));
      const arrived = (r: (typeof timeline)[number]) => arrivalOf.get(r.tx) ?? null;
      const attemptStart = (r: (typeof timeline)[number]) => (r.attempt_recorded === null || r.duration === null ? null : Number(r.attempt_recorded) - r.duration);
      const stages: Stage[] = [
        { stage: "created → settled_at (job pickup; not in the target)", summary: stageOf((r) => Number(r.settled) - Number(r.created)) },
        { stage: "settled_at → webhook event row written (same transaction)", summary: stageOf((r) => Number(r.event_written) - Number(r.settled)) },
        { stage: "settled_at → HTTP attempt starts (commit, wake, claim, 3 reads, sign)", summary: stageOf((r) => (attemptStart(r) === null ? null : attemptStart(r)! - Number(r.settled))) },
        { stage: "HTTP attempt starts → arrival at the receiver", summary: stageOf((r) => (attemptStart(r) === null || arrived(r) === null ? null : arrived(r)! - attemptStart(r)!)) },
        { stage: "HTTP exchange (durationMs, as the app records it)", summary: stageOf((r) => r.duration) },
        { stage: "settled_at → arrival (the target)", summary: latency },
        { stage: "arrival → attempt row written", summary: stageOf((r) => (r.attempt_recorded === null || arrived(r) === null ? null : Number(r.attempt_recorded) - arrived(r)!)) },
      ];

      // --- Targets, notes, tables ------------------------------------------------------------------
      const targets: TargetOutcome[] = [
        {
          description: `Boltrail deliveries/s ÷ floor (undici loop, concurrency ${concurrency}) requests/s ≥ ${fixed(TARGET_RATIO, 2)}`,
          value: ratio,
          threshold: TARGET_RATIO,
          met: ratio >= TARGET_RATIO,
        },
        {
          description: `settle-to-delivered latency p50 ≤ ${TARGET_P50_MS} ms (ms)`,
          value: latency.p50,
          threshold: TARGET_P50_MS,
          met: latency.samples > 0 && latency.p50 <= TARGET_P50_MS,
        },
        {
          description: `settle-to-delivered latency p99 ≤ ${TARGET_P99_MS} ms (ms)`,
          value: latency.p99,
          threshold: TARGET_P99_MS,
          met: latency.samples > 0 && latency.p99 <= TARGET_P99_MS,
        },
      ];

      const duplicates = appRuns.reduce((n, r) => n + r.duplicates, 0);
      if (duplicates) notes.push(`(b) the receiver got ${duplicates} duplicate deliveries (at least once; with one worker and no failures there should be none).`);
      if (busyBefore !== null && busyBefore > 0.15) notes.push(`the machine was ${fixed(busyBefore * 100, 0)}% busy before the runs (other processes): the figures are skewed.`);
      const spread = (rates: number[]) => (rates.length > 1 ? (Math.max(...rates) - Math.min(...rates)) / mean(rates) : 0);
      for (const [name, rates] of [
        ["floor", floorRuns.map((r) => r.perSecond)],
        ["Boltrail", appRuns.map((r) => r.perSecond)],
      ] as const) {
        if (spread(rates) > 0.1) notes.push(`${name} rate moved by ${fixed(spread(rates) * 100, 0)}% between rounds: a noisy machine?`);
      }
      const cpuPerDelivery = (run: AppRun) =>
        run.cpu
          ? `server ${fixed((run.cpu.serverSeconds * 1000) / run.deliveries, 2)} ms, PostgreSQL ${fixed((run.cpu.postgresSeconds * 1000) / run.deliveries, 2)} ms, harness (receiver) ${fixed((run.cpu.harnessSeconds * 1000) / run.deliveries, 2)} ms; cores busy ${fixed((run.cpu.serverSeconds + run.cpu.postgresSeconds + run.cpu.harnessSeconds) / run.cpu.wallSeconds, 2)} of 2`
          : "n/a";
      for (const run of appRuns) notes.push(`(b) round ${run.round}: CPU per delivery: ${cpuPerDelivery(run)}.`);
      if (latencyCpu) {
        notes.push(
          `latency phase CPU per invoice (create_receive + settlement + delivery): server ${fixed((latencyCpu.serverSeconds * 1000) / invoices, 2)} ms, PostgreSQL ${fixed((latencyCpu.postgresSeconds * 1000) / invoices, 2)} ms, harness ${fixed((latencyCpu.harnessSeconds * 1000) / invoices, 2)} ms.`,
        );
      }
      notes.push(
        `concurrency of (a): min(${endpointCount} endpoints × ${PER_ENDPOINT_CONCURRENCY} per endpoint, ${WORKER_MAX_IN_FLIGHT} per worker) = ${concurrency}; Boltrail's measured HTTP exchanges in flight (webhook_attempts intervals): mean ${appRuns.map((r) => fixed(r.inFlightMean, 1)).join(" / ")}, max ${appRuns.map((r) => r.inFlightMax).join(" / ")}.`,
        `(b) is timed from the commit of the insert (NOTIFY sent) to the arrival of the last delivery at the receiver; recording the last attempts takes a little longer (see recordedAfterMs in the JSON).`,
        `the floor and the receiver run in this process (one core of JS); Boltrail's worker runs in the server process; PostgreSQL and everything share 2 cores: compare the ratio, not absolute figures.`,
        `(ref) is the floor's loop with a new TCP connection per request (agent: false, connection: close), a sender without connection reuse: information only.`,
      );
      if (traced) {
        const perDelivery = traced.statements / events;
        notes.push(
          `BENCH_PG_TRACE: the (b) run of round 1 sent ${traced.statements} statements (${fixed(perDelivery, 2)} per delivery) in ${traced.roundTrips} round trips (${fixed(traced.roundTrips / events, 2)} per delivery); figures of this run are skewed by the proxy.`,
        );
      }

      const appRow = (r: AppRun): (string | number)[] => [
        "(b) Boltrail",
        r.round,
        r.deliveries,
        fixed(r.seconds, 2),
        fixed(r.perSecond),
        `${fixed(r.inFlightMean, 1)} (max ${r.inFlightMax})`,
        fixed(r.firstArrivalMs, 1),
        fixed(r.exchangeMeanMs, 2),
      ];
      const floorRow = (r: FloorRun): (string | number)[] => [r.label, r.round, r.requests, fixed(r.seconds, 2), fixed(r.perSecond), r.concurrency, "", ""];
      const runs: (string | number)[][] = [];
      for (let round = 1; round <= rounds; round++) {
        runs.push(floorRow(floorRuns[round - 1]), floorRow(refRuns[round - 1]), appRow(appRuns[round - 1]));
      }
      const tables: { title: string; table: Table }[] = [
        {
          title: "Throughput runs",
          table: { columns: ["measurement", "round", "requests", "seconds", "per s", "concurrency", "1st arrival ms", "exchange ms"], rows: runs },
        },
        {
          title: `Throughput, mean of ${rounds} round${rounds > 1 ? "s" : ""}`,
          table: {
            columns: ["measurement", "per s"],
            rows: [
              ["(a) floor: fetch (undici, keep-alive)", fixed(floorRate)],
              ["(b) Boltrail deliveries", fixed(appRate)],
              ["ratio (b) / (a) — the target", fixed(ratio, 3)],
              ["(ref) node:http, new connection each", fixed(refRate)],
              ["ratio (b) / (ref)", fixed(refRate > 0 ? appRate / refRate : 0, 3)],
            ],
          },
        },
        {
          title: `Latency: ${invoices} invoices at ${invoiceRate}/s, settle → delivered (ms)`,
          table: {
            columns: ["stage", "samples", "p50", "p95", "p99", "max", "mean"],
            rows: stages.map(({ stage, summary: s }) => [stage, s.samples, fixed(s.p50, 1), fixed(s.p95, 1), fixed(s.p99, 1), fixed(s.max, 1), fixed(s.mean, 1)]),
          },
        },
      ];
      if (traced) {
        tables.push({
          title: `BENCH_PG_TRACE: statements of (b) round 1, per delivery`,
          table: { columns: ["statement", "count", "per delivery"], rows: traced.shapes.slice(0, 20).map((s) => [s.sql, s.count, fixed(s.count / events, 2)]) },
        });
      }

      return {
        tables,
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
            events,
            endpoints: endpointCount,
            rounds,
            warmupEvents,
            concurrency,
            perEndpointConcurrency: PER_ENDPOINT_CONCURRENCY,
            workerMaxInFlight: WORKER_MAX_IN_FLIGHT,
            bodyBytes,
            invoices,
            invoiceRate,
            settleDelayMs: 0,
            tracing,
          },
          machineBusyBeforeRuns: busyBefore,
          summary: { floorRate, appRate, refRate, ratio, latency },
          warmup: warm,
          floorRuns,
          refRuns,
          appRuns,
          latency: { summary: latency, stages, cpu: latencyCpu, samples: latencies },
          ...(traced ? { trace: traced } : {}),
        },
      };
    } finally {
      await pool.end().catch(() => {});
      await server.stop();
      await receiver.close();
      await trace?.close();
    }
  },
};

export default benchmark;
