// Benchmark `send` (issue 11): internal sandbox sends through /graphql, measured in the same run as
// create_receive, on the production build.
//
//  (a) create_receive — POST /graphql into the payee wallet, a unique idempotency key per request;
//      every invoice it answers is kept, to be paid by (b);
//  (b) create_send    — POST /graphql from the payer wallet, paying one of those invoices: an
//      internal payment, so each request settles both sides in one database transaction (send
//      and receive COMPLETED, both balances, both timelines, both payment webhooks' events).
//
// Interleaved at max rate (a → b, two rounds, 3 s warm-up + 10 s each), then (b) at half its max
// rate (autocannon overallRate). Targets: req/s (b) ≥ 0.5 × req/s (a); p99 of (b) at half its
// max rate ≤ 50 ms. Afterwards the ledgers are checked: the payer's sent and the payee's received
// equal the sums of the completed transactions, to the unit.
//
// The payer wallet is funded by writing its `received` directly (a fixture: the benchmark
// measures sending, not the receives that would fund it).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { fixed, intFromEnv, type Benchmark, type BenchmarkReport, type TargetOutcome } from "./lib/benchmark.ts";
import { ASSET_IDS, seedTeamWithApiKey } from "./lib/fixtures.ts";
import { mean, measure, problemsOf, type LoadSpec, type Measurement } from "./lib/load.ts";
import { startServer } from "./lib/server.ts";

const TARGET_RATIO = 0.5;
const TARGET_HALF_RATE_P99_MS = 50;
const AMOUNT_SATS = "1000";

const RECEIVE = `mutation Receive($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id status payment_request } } } }`;
const SEND = `mutation Send($input: CreateSendTransactionInput!) { payment { transaction { create_send(input: $input) { id status fee amount { full_amount } } } } }`;

const benchmark: Benchmark = {
  name: "send",
  description: "internal create_send over GraphQL vs. create_receive in the same run, and its p99 at half its max rate",
  async run({ log }): Promise<BenchmarkReport> {
    const connections = intFromEnv("BENCH_CONNECTIONS", 32);
    const warmupSeconds = intFromEnv("BENCH_WARMUP", 3);
    const durationSeconds = intFromEnv("BENCH_DURATION", 10);
    const rounds = intFromEnv("BENCH_ROUNDS", 2);

    const encryptionKey = randomBytes(32);
    const serverEnv = { APP_ENCRYPTION_KEY: encryptionKey.toString("hex"), SANDBOX_SETTLE_DELAY_MS: "3600000" };
    const server = await startServer({ log, env: serverEnv });
    const pool = new pg.Pool({ connectionString: server.databaseUrl, max: 2 });
    try {
      const seeded = await seedTeamWithApiKey(server.databaseUrl, {
        permissions: [{ resource: "PAYMENTS", level: "WRITE" }],
        nodeKeyEncryptionKey: encryptionKey,
        wallets: [
          { assetId: ASSET_IDS.BTC, name: "Bench payer" },
          { assetId: ASSET_IDS.BTC, name: "Bench payee" },
        ],
      });
      const [payerId, payeeId] = seeded.walletIds;
      await pool.query(`UPDATE wallets SET received = 1000000000000000 WHERE id = $1`, [payerId]);
      const url = `${server.baseUrl}/graphql`;
      const headers = { "content-type": "application/json", "x-api-key": seeded.apiKey };
      const tag = randomBytes(4).toString("hex");
      let sequence = 0;

      const invoices: string[] = [];
      const receiveBody = () =>
        JSON.stringify({ query: RECEIVE, variables: { input: { wallet_id: payeeId, amount: AMOUNT_SATS, expires_in_seconds: 86_400, idempotency_key: `r-${tag}-${++sequence}` } } });
      const keepInvoice = (body: string) => {
        try {
          const t = JSON.parse(body).data?.payment?.transaction?.create_receive;
          if (t?.status !== "PENDING" || !t.payment_request?.startsWith("lnbcrt")) return false;
          invoices.push(t.payment_request);
          return true;
        } catch {
          return false;
        }
      };
      let starved = 0;
      const sendBody = () => {
        const bolt11 = invoices.pop();
        if (!bolt11) starved++;
        return JSON.stringify({ query: SEND, variables: { input: { wallet_id: payerId, request: { bolt11: bolt11 ?? "lnbcrt-none-left" } } } });
      };
      const goodSend = (body: string) => {
        try {
          const t = JSON.parse(body).data?.payment?.transaction?.create_send;
          return t?.status === "COMPLETED" && t.fee === "0" && t.amount?.full_amount === AMOUNT_SATS;
        } catch {
          return false;
        }
      };

      // Sanity: one of each, by hand.
      const post = async (body: string) => (await fetch(url, { method: "POST", headers, body })).text();
      if (!keepInvoice(await post(receiveBody()))) throw new Error("sanity check of create_receive failed");
      const sanity = await post(sendBody());
      if (!goodSend(sanity)) throw new Error(`sanity check of create_send failed: ${sanity.slice(0, 400)}`);

      const receiveSpec: LoadSpec = { label: "(a) create_receive", url, method: "POST", headers, nextBody: receiveBody, connections, warmupSeconds, durationSeconds, verifyBody: keepInvoice };
      const sendSpec: LoadSpec = { label: "(b) create_send (internal)", url, method: "POST", headers, nextBody: sendBody, connections, warmupSeconds, durationSeconds, verifyBody: goodSend };
      const line = (m: Measurement) =>
        `[send]   ${fixed(m.requestsPerSecond)} req/s, p50 ${fixed(m.exactLatencyMs.p50, 2)} ms, p99 ${fixed(m.exactLatencyMs.p99, 2)} ms` + (problemsOf(m).length ? `  (${problemsOf(m).join("; ")})` : "");

      const runs: Measurement[] = [];
      for (let round = 1; round <= rounds; round++) {
        log(`[send] round ${round}/${rounds}: ${receiveSpec.label}`);
        const r = await measure(receiveSpec, round);
        log(line(r));
        runs.push(r);
        log(`[send] round ${round}/${rounds}: ${sendSpec.label} (${invoices.length} invoices to pay)`);
        const s = await measure(sendSpec, round);
        log(line(s));
        runs.push(s);
      }
      const receiveRate = mean(runs.filter((m) => m.label === receiveSpec.label).map((m) => m.requestsPerSecond));
      const sendRate = mean(runs.filter((m) => m.label === sendSpec.label).map((m) => m.requestsPerSecond));
      const ratio = receiveRate > 0 ? sendRate / receiveRate : 0;

      // Enough invoices for the half-rate run (plus a margin), made by create_receive at max rate.
      const halfRate = Math.max(1, Math.round(sendRate / 2));
      const needed = Math.ceil(halfRate * (warmupSeconds + durationSeconds) * 1.3);
      while (invoices.length < needed) {
        log(`[send] topping up invoices: ${invoices.length} of ${needed}`);
        await measure({ ...receiveSpec, label: "top-up", warmupSeconds: 0, durationSeconds: Math.max(2, Math.ceil((needed - invoices.length) / Math.max(1, receiveRate))) }, 0);
      }
      log(`[send] ${sendSpec.label} at half its max rate: ${halfRate} req/s`);
      const half = await measure({ ...sendSpec, label: "(b) at ½ max, autocannon overallRate", overallRate: halfRate }, 1);
      log(line(half));

      const problems = [...runs, half].flatMap(problemsOf);
      if (starved > 0) problems.push(`${starved} create_send request(s) found no invoice left to pay (the run outpaced the invoices made)`);
      const ledger = await pool.query<{ payer_sent: string; payer_reserved: string; sends: string; payee_received: string; receives: string }>(
        `SELECT (SELECT sent FROM wallets WHERE id = $1) AS payer_sent, (SELECT reserved FROM wallets WHERE id = $1) AS payer_reserved,
                (SELECT coalesce(sum(amount + fee), 0) FROM transactions WHERE "walletId" = $1 AND direction = 'SEND' AND status = 'COMPLETED') AS sends,
                (SELECT received FROM wallets WHERE id = $2) AS payee_received,
                (SELECT coalesce(sum("settleAmount"), 0) FROM transactions WHERE "walletId" = $2 AND status = 'COMPLETED') AS receives`,
        [payerId, payeeId],
      );
      const l = ledger.rows[0];
      if (l.payer_sent !== l.sends || l.payee_received !== l.receives || l.payer_reserved !== "0") problems.push(`ledger mismatch after the run: ${JSON.stringify(l)}`);

      const halfP99 = half.exactLatencyMs.p99;
      const targets: TargetOutcome[] = [
        { description: `create_send req/s ÷ create_receive req/s ≥ ${TARGET_RATIO}`, value: ratio, threshold: TARGET_RATIO, met: ratio >= TARGET_RATIO },
        { description: `create_send p99 at half its max rate (${halfRate} req/s) ≤ ${TARGET_HALF_RATE_P99_MS} ms`, value: halfP99, threshold: TARGET_HALF_RATE_P99_MS, met: halfP99 <= TARGET_HALF_RATE_P99_MS },
      ];
      const row = (m: Measurement) => [m.label, m.round, m.overallRate ?? "max", fixed(m.requestsPerSecond), fixed(m.exactLatencyMs.p50, 2), fixed(m.exactLatencyMs.p99, 2), m.counts.requests, m.counts.non2xx + m.warmup.non2xx, m.counts.errors + m.warmup.errors, m.counts.mismatches + m.warmup.mismatches];
      return {
        tables: [
          { title: "Runs", table: { columns: ["measurement", "round", "rate", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx", "errors", "bad bodies"], rows: [...runs, half].map(row) } },
          { title: "Summary", table: { columns: ["", "value"], rows: [["create_receive req/s", fixed(receiveRate)], ["create_send req/s", fixed(sendRate)], ["ratio", fixed(ratio, 3)], [`p99 at ${halfRate} req/s`, fixed(halfP99, 2)]] } },
        ],
        target: { description: `targets met (of ${targets.length})`, value: targets.filter((t) => t.met).length, threshold: targets.length, met: targets.every((t) => t.met) },
        targets,
        problems,
        notes: [
          "each create_send pays an invoice create_receive made in this run (internal payment: one database transaction settles both sides and records both payment.completed events).",
          `ledger after the run: payer sent ${l.payer_sent} = completed sends ${l.sends}; payee received ${l.payee_received} = settled receives ${l.receives}.`,
        ],
        data: { config: { connections, warmupSeconds, durationSeconds, rounds, halfRate }, summary: { receiveRate, sendRate, ratio, half: half.exactLatencyMs }, ledger: l, measurements: [...runs, half] },
      };
    } finally {
      await pool.end().catch(() => {});
      await server.stop();
    }
  },
};

export default benchmark;
