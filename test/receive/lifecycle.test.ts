// PENDING → COMPLETED | FAILED | EXPIRED: sandbox settlement by the worker, the balance, the
// transaction events and the webhook outbox (envelope exactly as seed 001), and the race of
// settlement, expiry and retries on one invoice (exactly one transition).
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "0";
process.env.FEE_BASIS_POINTS = "50"; // 0.5 %: makes settle_amount = amount − fee observable

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createReceive } from "@/lib/transactions/create-receive";
import { transition } from "@/lib/transactions/lifecycle";
import { runSandboxSettle, sweepExpired } from "@/lib/jobs/handlers";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { simulateSandboxOutcome, type SandboxOutcome } from "@/lib/transactions/simulate";
import { allowConsoleError } from "../console";
import { ASSET, CREATE_RECEIVE, gql, ISO, mintKey, newSandbox, newTeam, newWallet, ok, waitFor, type Team } from "./helpers";

let team: Team;
let environmentId: string;
let key: string;

beforeAll(async () => {
  team = await newTeam("Lifecycle");
  environmentId = (await newSandbox(team)).id;
  key = await mintKey(team, environmentId);
});

const FIND_ONE = `query($id: String!) { payment { transaction { find_one(id: $id) {
  id status error fee settled_at expires_at exchange_rate amount_sats settle_amount_sats
  amount { display_amount full_amount } settle_amount { display_amount full_amount }
  events { event_type message created_at }
} } } }`;
const WALLET = `query($id: String!) { payment { wallet { find_one(id: $id) { balance { balance received sent } } } } }`;

async function receiveVia(walletId: string, input: Record<string, unknown>) {
  return ok(await gql(CREATE_RECEIVE, { input: { wallet_id: walletId, ...input } }, key)).payment.transaction.create_receive;
}

async function settled(id: string) {
  return waitFor(async () => {
    const row = await db.transaction.findUniqueOrThrow({ where: { id } });
    return row.status !== "PENDING" ? row : null;
  }, 5000, `transaction ${id} to leave PENDING`);
}

async function webhookEnvelopes(transactionId: string) {
  const rows = await db.webhookEvent.findMany({ where: { transactionId }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => ({ row: r, envelope: JSON.parse(r.payload) }));
}

const money = (amount: string, asset: { id: string; symbol: string; precision: number }) => ({
  amount,
  asset_id: asset.id,
  asset_symbol: asset.symbol,
  precision: asset.precision,
});
const BTC = { id: ASSET.BTC, symbol: "BTC", precision: 8 };
const USDT = { id: ASSET.USDT, symbol: "USDT", precision: 6 };

describe("sandbox settlement by the worker (delay 0)", () => {
  let worker: RunningWorker;
  beforeAll(() => {
    worker = startWorker({ pollMs: 20, sweepMs: 100, log: () => {} });
  });
  afterAll(async () => {
    await worker.stop();
  });

  it("completes a BTC invoice: status, balance = amount − fee, events, webhook envelopes exactly per seed 001", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const created = await receiveVia(wallet.id, { amount: "100000", description: "Order #42", expires_in_seconds: 3600, metadata: '{"order_id":"42"}' });
    const row = await settled(created.id);
    expect(row.status).toBe("COMPLETED");
    expect(row.fee).toBe(500n);
    expect(row.settleAmount).toBe(99500n);

    const view = ok(await gql(FIND_ONE, { id: created.id }, key)).payment.transaction.find_one;
    expect(view).toMatchObject({
      status: "COMPLETED",
      error: null,
      fee: "500",
      settled_at: expect.stringMatching(ISO),
      amount: { display_amount: "0.001", full_amount: "100000" },
      settle_amount: { display_amount: "0.000995", full_amount: "99500" },
      settle_amount_sats: "99500",
    });
    expect(view.events.map((e: { event_type: string }) => e.event_type)).toEqual(["payment.pending", "payment.completed"]);

    const balance = ok(await gql(WALLET, { id: wallet.id }, key)).payment.wallet.find_one.balance;
    expect(balance).toEqual({ balance: "99500", received: "99500", sent: "0" });

    const hooks = await webhookEnvelopes(created.id);
    expect(hooks.map((h) => h.row.eventType)).toEqual(["payment.pending", "payment.completed"]);
    const completed = hooks[1];
    expect(completed.row).toMatchObject({ environmentId, walletId: wallet.id, transactionId: created.id, idempotencyKey: `payment.completed:${created.id}` });
    expect(completed.envelope).toStrictEqual({
      id: `payment.completed:${created.id}`,
      event_type: "payment.completed",
      environment: "sandbox",
      environment_id: environmentId,
      wallet_id: wallet.id,
      node_id: null,
      data: {
        id: created.id,
        direction: "receive",
        status: "completed",
        payment_details: { payment_type: "bolt11", payment_request: created.payment_request, payment_hash: created.payment_hash },
        amount: money("100000", BTC),
        fee: money("500", BTC),
        settle_amount: money("99500", BTC),
        exchange_rate: null,
        description: "Order #42",
        settled_at: row.settledAt!.toISOString(),
        expires_at: created.expires_at,
        metadata: { order_id: "42" },
      },
    });
    expect(hooks[0].envelope).toStrictEqual({
      ...completed.envelope,
      id: `payment.pending:${created.id}`,
      event_type: "payment.pending",
      data: { ...completed.envelope.data, status: "pending", settle_amount: null, settled_at: null },
    });
  });

  it("completes a USDT invoice in USDT minor units, with the exchange rate in the envelope", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.USDT);
    const created = await receiveVia(wallet.id, { amount: "2000000", metadata: '{"amb_sandbox_behavior":"complete","cart":[1,2]}' }); // 2 USDT
    const row = await settled(created.id);
    expect(row.status).toBe("COMPLETED");
    expect(row.amountSats).toBe(2000n);
    const balance = ok(await gql(WALLET, { id: wallet.id }, key)).payment.wallet.find_one.balance;
    expect(balance).toEqual({ balance: "1990000", received: "1990000", sent: "0" });
    const [, completed] = await webhookEnvelopes(created.id);
    expect(completed.envelope.data).toMatchObject({
      status: "completed",
      amount: money("2000000", USDT),
      fee: money("10000", USDT),
      settle_amount: money("1990000", USDT),
      exchange_rate: "1000",
      description: null,
      metadata: { amb_sandbox_behavior: "complete", cart: [1, 2] },
    });
  });

  it("amb_sandbox_behavior fail → FAILED with an error, balance unchanged", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const created = await receiveVia(wallet.id, { amount: "100000", metadata: '{"amb_sandbox_behavior":"fail"}' });
    const row = await settled(created.id);
    expect(row).toMatchObject({ status: "FAILED", settledAt: null, settleAmount: null });
    expect(row.error).toMatch(/fail/i);
    const view = ok(await gql(FIND_ONE, { id: created.id }, key)).payment.transaction.find_one;
    expect(view).toMatchObject({ status: "FAILED", error: row.error, settle_amount: null, settled_at: null });
    expect(view.events.map((e: { event_type: string }) => e.event_type)).toEqual(["payment.pending", "payment.failed"]);
    expect(ok(await gql(WALLET, { id: wallet.id }, key)).payment.wallet.find_one.balance).toEqual({ balance: "0", received: "0", sent: "0" });
    const hooks = await webhookEnvelopes(created.id);
    expect(hooks.map((h) => h.envelope.id)).toEqual([`payment.pending:${created.id}`, `payment.failed:${created.id}`]);
    expect(hooks[1].envelope.data).toMatchObject({ status: "failed", settle_amount: null, settled_at: null, metadata: { amb_sandbox_behavior: "fail" } });
  });

  it("amb_sandbox_behavior expire → EXPIRED, balance unchanged", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const created = await receiveVia(wallet.id, { amount: "100000", metadata: '{"amb_sandbox_behavior":"expire"}' });
    const row = await settled(created.id);
    expect(row).toMatchObject({ status: "EXPIRED", settledAt: null, settleAmount: null, error: null });
    const view = ok(await gql(FIND_ONE, { id: created.id }, key)).payment.transaction.find_one;
    expect(view.events.map((e: { event_type: string }) => e.event_type)).toEqual(["payment.pending", "payment.expired"]);
    expect(ok(await gql(WALLET, { id: wallet.id }, key)).payment.wallet.find_one.balance).toEqual({ balance: "0", received: "0", sent: "0" });
    const hooks = await webhookEnvelopes(created.id);
    expect(hooks.map((h) => h.row.eventType)).toEqual(["payment.pending", "payment.expired"]);
    expect(hooks[1].envelope.data.status).toBe("expired");
  });

  it("the settlement job is marked done", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const created = await receiveVia(wallet.id, { amount: "1000" });
    await settled(created.id);
    const job = await waitFor(async () => {
      const j = await db.job.findFirst({ where: { payload: { path: ["transactionId"], equals: created.id } } });
      return j?.doneAt ? j : null;
    });
    expect(job).toMatchObject({ type: "sandbox.settle", payload: { transactionId: created.id, behavior: "complete" } });
    expect(job.attempts).toBeGreaterThanOrEqual(1);
  });
});

describe("expiry by the worker's sweeper", () => {
  it("the worker's sweeper expires a pending invoice past its expires_at", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const created = await receiveVia(wallet.id, { amount: "1000", expires_in_seconds: 60 });
    // Keep the settlement job back, and let the invoice lapse; only then start a worker.
    await db.job.updateMany({ where: { payload: { path: ["transactionId"], equals: created.id } }, data: { runAt: new Date(Date.now() + 3600_000) } });
    await db.transaction.update({ where: { id: created.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    const worker = startWorker({ pollMs: 20, sweepMs: 20, log: () => {} });
    const row = await settled(created.id).finally(() => worker.stop());
    expect(row.status).toBe("EXPIRED");
    const events = await db.transactionEvent.findMany({ where: { transactionId: created.id }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.eventType)).toEqual(["payment.pending", "payment.expired"]);
    expect((await webhookEnvelopes(created.id)).map((h) => h.envelope.data.status)).toEqual(["pending", "expired"]);
    expect((await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).received).toBe(0n);
  });

});

describe("transitions happen once", () => {
  it("a second transition of a final transaction changes nothing", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const tx = await createReceive(team.actor, { wallet_id: wallet.id, amount: "1000" });
    expect(await transition(tx.id, "COMPLETED")).toBe(true);
    const counts = [await db.transactionEvent.count(), await db.webhookEvent.count()];
    for (const to of ["COMPLETED", "EXPIRED", "FAILED"] as const) expect(await transition(tx.id, to)).toBe(false);
    expect([await db.transactionEvent.count(), await db.webhookEvent.count()]).toEqual(counts);
    expect((await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).received).toBe(995n);
    expect(await transition("tx_00000000000000000000000000", "COMPLETED")).toBe(false);
  });

  it("status, balance, transaction event and webhook event are one unit: a failing outbox write rolls all back", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const tx = await createReceive(team.actor, { wallet_id: wallet.id, amount: "10000" });
    await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_fail_outbox() RETURNS trigger AS $$
      BEGIN IF NEW."transactionId" = '${tx.id}' AND NEW."eventType" = 'payment.completed' THEN RAISE EXCEPTION 'outbox unavailable'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe(`CREATE TRIGGER test_fail_outbox BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION test_fail_outbox()`);
    try {
      allowConsoleError();
      await expect(transition(tx.id, "COMPLETED")).rejects.toThrow();
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER test_fail_outbox ON webhook_events`);
    }
    const row = await db.transaction.findUniqueOrThrow({ where: { id: tx.id } });
    expect(row).toMatchObject({ status: "PENDING", settledAt: null, settleAmount: null });
    expect((await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).received).toBe(0n);
    expect((await db.transactionEvent.findMany({ where: { transactionId: tx.id } })).map((e) => e.eventType)).toEqual(["payment.pending"]);
    expect((await db.webhookEvent.findMany({ where: { transactionId: tx.id } })).map((e) => e.eventType)).toEqual(["payment.pending"]);
    // Once the outbox is back, the transition goes through, once.
    expect(await transition(tx.id, "COMPLETED")).toBe(true);
    expect((await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).received).toBe(9950n);
  });

  it("create_receive is one unit too: when enqueuing the settlement job fails, no transaction, event or webhook event remains", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_fail_jobs() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'queue unavailable'; END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe(`CREATE TRIGGER test_fail_jobs BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION test_fail_jobs()`);
    try {
      allowConsoleError();
      await expect(createReceive(team.actor, { wallet_id: wallet.id, amount: "10000", idempotency_key: "atomic" })).rejects.toThrow();
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER test_fail_jobs ON jobs`);
    }
    expect(await db.transaction.count({ where: { walletId: wallet.id } })).toBe(0);
    expect(await db.webhookEvent.count({ where: { walletId: wallet.id } })).toBe(0);
    // The key was not consumed: the retry creates the invoice.
    const tx = await createReceive(team.actor, { wallet_id: wallet.id, amount: "10000", idempotency_key: "atomic" });
    expect(tx.status).toBe("PENDING");
    expect(await db.transactionEvent.count({ where: { transactionId: tx.id } })).toBe(1);
  });

  it("settlement, expiry, the sweeper and a retried job racing on one invoice: one terminal status, once (20 rounds)", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Race");
    const rounds = 20;
    const outcomes: string[] = [];
    let expectedReceived = 0n;
    for (let i = 0; i < rounds; i++) {
      const tx = await createReceive(team.actor, { wallet_id: wallet.id, amount: String(10_000 + i) });
      // Past its expiry, so the sweeper contends too.
      await db.transaction.update({ where: { id: tx.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const results = await Promise.all([
        transition(tx.id, "COMPLETED"),
        transition(tx.id, "EXPIRED"),
        sweepExpired(),
        transition(tx.id, "COMPLETED"),
        runSandboxSettle({ transactionId: tx.id, behavior: "complete" }).then(() => null),
        sweepExpired(),
        transition(tx.id, "FAILED", { error: "late failure" }),
      ]);
      const wins = results.filter((r) => r === true).length + results.filter((r): r is number => typeof r === "number").reduce((a, b) => a + b, 0);
      expect(wins, `round ${i}: transitions reported as made`).toBeLessThanOrEqual(1);

      const row = await db.transaction.findUniqueOrThrow({ where: { id: tx.id } });
      expect(row.status).not.toBe("PENDING");
      outcomes.push(row.status);
      const events = await db.transactionEvent.findMany({ where: { transactionId: tx.id } });
      const terminalEvents = events.filter((e) => e.eventType !== "payment.pending");
      expect(terminalEvents.map((e) => e.eventType)).toEqual([`payment.${row.status.toLowerCase()}`]);
      const hooks = await db.webhookEvent.findMany({ where: { transactionId: tx.id } });
      expect(hooks.filter((h) => h.eventType !== "payment.pending").map((h) => h.eventType)).toEqual([`payment.${row.status.toLowerCase()}`]);
      expect(hooks.filter((h) => h.eventType === "payment.pending")).toHaveLength(1);
      if (row.status === "COMPLETED") expectedReceived += row.amount - row.fee;
      const current = await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } });
      expect(current.received, `round ${i}: balance credited at most once`).toBe(expectedReceived);
      expect(current.sent).toBe(0n);
    }
    expect(outcomes).toHaveLength(rounds);
  });

  it("many invoices swept at once by concurrent sweepers and settlements: each ends exactly once", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Bulk race");
    const txs = [];
    for (let i = 0; i < 20; i++) txs.push(await createReceive(team.actor, { wallet_id: wallet.id, amount: String(1000 + i) }));
    await db.transaction.updateMany({ where: { walletId: wallet.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await Promise.all([sweepExpired(), sweepExpired(), ...txs.map((t) => transition(t.id, "COMPLETED")), sweepExpired()]);
    const rows = await db.transaction.findMany({ where: { walletId: wallet.id } });
    expect(rows.every((r) => r.status === "COMPLETED" || r.status === "EXPIRED")).toBe(true);
    const terminal = await db.webhookEvent.groupBy({ by: ["transactionId"], where: { walletId: wallet.id, eventType: { not: "payment.pending" } }, _count: { _all: true } });
    expect(terminal).toHaveLength(20);
    expect(terminal.every((t) => t._count._all === 1)).toBe(true);
    const credited = rows.filter((r) => r.status === "COMPLETED").reduce((sum, r) => sum + r.amount - r.fee, 0n);
    expect((await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).received).toBe(credited);
  });
});

describe("sandbox buttons: settle / fail / expire now (simulateSandboxOutcome)", () => {
  it.each<[SandboxOutcome, string, string]>([
    ["settle", "COMPLETED", "payment.completed"],
    ["fail", "FAILED", "payment.failed"],
    ["expire", "EXPIRED", "payment.expired"],
  ])("%s → %s, once; a second press is a CONFLICT", async (outcome, status, eventType) => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const tx = await createReceive(team.actor, { wallet_id: wallet.id, amount: "10000" });
    const view = await simulateSandboxOutcome(team.actor, tx.id, outcome);
    expect(view.status).toBe(status);
    expect(view.events.map((e) => e.eventType)).toEqual(["payment.pending", eventType]);
    expect((await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).received).toBe(status === "COMPLETED" ? 10000n - 50n : 0n);
    await expect(simulateSandboxOutcome(team.actor, tx.id, outcome)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await db.webhookEvent.count({ where: { transactionId: tx.id } })).toBe(2);
  });

  it("refuses an unknown outcome with BAD_USER_INPUT and a read-only key with FORBIDDEN", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const tx = await createReceive(team.actor, { wallet_id: wallet.id, amount: "10000" });
    await expect(simulateSandboxOutcome(team.actor, tx.id, "pay" as SandboxOutcome)).rejects.toMatchObject({ code: "BAD_USER_INPUT", field: "outcome" });
    const reader = { kind: "key" as const, keyId: "k", teamId: team.teamId, environmentId, environmentType: "SANDBOX" as const, permissions: [{ resource: "PAYMENTS" as const, level: "READ" as const }], walletId: null };
    await expect(simulateSandboxOutcome(reader, tx.id, "settle")).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await db.transaction.findUniqueOrThrow({ where: { id: tx.id } })).status).toBe("PENDING");
  });

  // Regression test: simulate.ts looked the outcome up with `OUTCOMES[outcome]`, through the
  // prototype, so "constructor", "toString" or "__proto__" (the dashboard action passes the
  // client's value) reached Prisma as a status: an unexpected error instead of BAD_USER_INPUT.
  it("refuses prototype keys as outcomes with BAD_USER_INPUT", async () => {
    allowConsoleError();
    const wallet = await newWallet(team, environmentId, ASSET.BTC);
    const tx = await createReceive(team.actor, { wallet_id: wallet.id, amount: "10000" });
    for (const outcome of ["constructor", "toString", "__proto__"]) {
      await expect(simulateSandboxOutcome(team.actor, tx.id, outcome as SandboxOutcome)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    }
  });
});
