// transaction.find_one / find_many: the full record with its events, the filters (wallet,
// environment, status, direction, date range from-inclusive / to-exclusive), paging and
// total_count, newest first, and scoping by key environment and key wallet.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createReceive, newTransactionId } from "@/lib/transactions/create-receive";
import { transition } from "@/lib/transactions/lifecycle";
import { listTransactions } from "@/lib/transactions/query-transactions";
import { ASSET, fails, gql, HEX64, ISO, mintKey, newSandbox, newTeam, newWallet, ok, TX_ID, type Team } from "./helpers";

const FIND_MANY = `query($input: ListTransactionsInput!) { payment { transaction { find_many(input: $input) {
  list { id status direction wallet_id created_at amount { full_amount } }
  pagination { limit offset }
  total_count
} } } }`;
const FIND_ONE = `query($id: String!) { payment { transaction { find_one(id: $id) {
  id status direction wallet_id created_at updated_at settled_at expires_at
  description metadata idempotency_key payment_request payment_hash fee error node_id
  amount { display_amount full_amount } amount_sats exchange_rate
  settle_amount { display_amount full_amount }
  asset { id symbol precision type }
  events { id event_type message details created_at }
} } } }`;

let team: Team;
let envA: string;
let envB: string;
let w1: string;
let w2: string;
let w3: string;
let keyA: string;
let keyB: string;
let keyW1: string;
let otherTeamKey: string;
const t: Record<string, string> = {};

beforeAll(async () => {
  team = await newTeam("Queries");
  envA = (await newSandbox(team, "A")).id;
  envB = (await newSandbox(team, "B")).id;
  w1 = (await newWallet(team, envA, ASSET.BTC, "w1")).id;
  w2 = (await newWallet(team, envA, ASSET.USDT, "w2")).id;
  w3 = (await newWallet(team, envB, ASSET.BTC, "w3")).id;
  const read = [{ resource: "PAYMENTS", level: "READ" }] as const;
  keyA = await mintKey(team, envA, [...read]);
  keyB = await mintKey(team, envB, [...read]);
  keyW1 = await mintKey(team, envA, [...read], w1);
  const other = await newTeam("Other");
  const otherEnv = await newSandbox(other);
  await newWallet(other, otherEnv.id);
  otherTeamKey = await mintKey(other, otherEnv.id, [...read]);

  const make = async (name: string, walletId: string, createdAt: string, amount: string) => {
    const tx = await createReceive(team.actor, { wallet_id: walletId, amount, description: `tx ${name}`, metadata: JSON.stringify({ name }), idempotency_key: `idem-${name}` });
    await db.transaction.update({ where: { id: tx.id }, data: { createdAt: new Date(createdAt) } });
    t[name] = tx.id;
  };
  await make("t1", w1, "2026-01-01T00:00:00.000Z", "1000");
  await make("t2", w1, "2026-01-02T00:00:00.000Z", "2000");
  await make("t3", w2, "2026-01-03T00:00:00.000Z", "3000");
  await make("t4", w2, "2026-01-04T00:00:00.000Z", "4000");
  await make("t5", w1, "2026-01-05T00:00:00.000Z", "5000");
  await make("t6", w1, "2026-01-05T00:00:00.000Z", "6000"); // same instant as t5: the id breaks the tie
  await make("t7", w3, "2026-01-03T00:00:00.000Z", "7000");
  await transition(t.t1, "COMPLETED");
  await transition(t.t3, "FAILED", { error: "no route" });
  await transition(t.t4, "EXPIRED");
  // A send, written directly (create_send is not part of this suite).
  t.t8 = newTransactionId();
  await db.transaction.create({
    data: { id: t.t8, walletId: w1, environmentId: envA, assetId: ASSET.BTC, direction: "SEND", status: "COMPLETED", amount: 500n, idempotencyKey: t.t8, createdAt: new Date("2026-01-06T00:00:00.000Z") },
  });
});

type Page = { list: { id: string; status: string; direction: string; wallet_id: string; created_at: string }[]; pagination: { limit: number; offset: number }; total_count: number };
async function findMany(input: Record<string, unknown>, key: string): Promise<Page> {
  return ok(await gql(FIND_MANY, { input }, key)).payment.transaction.find_many;
}
const ids = (page: Page) => page.list.map((x) => Object.entries(t).find(([, id]) => id === x.id)?.[0] ?? x.id);

describe("transaction.find_one", () => {
  it("returns the full record with its events timeline", async () => {
    const one = ok(await gql(FIND_ONE, { id: t.t1 }, keyA)).payment.transaction.find_one;
    const row = await db.transaction.findUniqueOrThrow({ where: { id: t.t1 } });
    expect(one).toEqual({
      id: t.t1,
      status: "COMPLETED",
      direction: "RECEIVE",
      wallet_id: w1,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: expect.stringMatching(ISO),
      settled_at: row.settledAt!.toISOString(),
      expires_at: row.expiresAt!.toISOString(),
      description: "tx t1",
      metadata: '{"name":"t1"}',
      idempotency_key: "idem-t1",
      payment_request: expect.stringMatching(/^lnbcrt10u1/),
      payment_hash: expect.stringMatching(HEX64),
      fee: "0",
      error: null,
      node_id: null,
      amount: { display_amount: "0.00001", full_amount: "1000" },
      amount_sats: "1000",
      exchange_rate: null,
      settle_amount: { display_amount: "0.00001", full_amount: "1000" },
      asset: { id: ASSET.BTC, symbol: "BTC", precision: 8, type: "BASE_ASSET" },
      events: [
        { id: expect.any(String), event_type: "payment.pending", message: expect.any(String), details: expect.any(String), created_at: expect.stringMatching(ISO) },
        { id: expect.any(String), event_type: "payment.completed", message: expect.any(String), details: null, created_at: expect.stringMatching(ISO) },
      ],
    });
    expect(JSON.parse(one.events[0].details)).toEqual({ expires_in_seconds: 600 });
    const failed = ok(await gql(FIND_ONE, { id: t.t3 }, keyA)).payment.transaction.find_one;
    expect(failed).toMatchObject({ status: "FAILED", error: "no route", settle_amount: null, settled_at: null, amount_sats: "3", exchange_rate: "1000" });
    expect(failed.events.map((e: { event_type: string }) => e.event_type)).toEqual(["payment.pending", "payment.failed"]);
  });

  it("is NOT_FOUND outside the key's environment, team or wallet, and for unknown ids", async () => {
    fails(await gql(FIND_ONE, { id: t.t7 }, keyA), "NOT_FOUND");
    fails(await gql(FIND_ONE, { id: t.t1 }, keyB), "NOT_FOUND");
    fails(await gql(FIND_ONE, { id: t.t1 }, otherTeamKey), "NOT_FOUND");
    fails(await gql(FIND_ONE, { id: t.t3 }, keyW1), "NOT_FOUND"); // w2's
    expect(ok(await gql(FIND_ONE, { id: t.t1 }, keyW1)).payment.transaction.find_one.id).toBe(t.t1);
    fails(await gql(FIND_ONE, { id: "tx_01HX9YQK7P8MVZ3FN4G2RWS6CD" }, keyA), "NOT_FOUND");
    fails(await gql(FIND_ONE, { id: "" }, keyA), "NOT_FOUND");
  });
});

describe("transaction.find_many", () => {
  it("lists the key's environment newest first (ties by id), with pagination and total_count", async () => {
    const page = await findMany({}, keyA);
    expect(ids(page)).toEqual(["t8", "t6", "t5", "t4", "t3", "t2", "t1"]);
    expect(page.pagination).toEqual({ limit: 20, offset: 0 });
    expect(page.total_count).toBe(7);
    for (const item of page.list) expect(item.id).toMatch(TX_ID);
    expect(ids(await findMany({ environment_id: envA }, keyA))).toEqual(["t8", "t6", "t5", "t4", "t3", "t2", "t1"]);
  });

  it("filters by wallet, status, direction", async () => {
    expect(ids(await findMany({ wallet_id: w1 }, keyA))).toEqual(["t8", "t6", "t5", "t2", "t1"]);
    expect(ids(await findMany({ wallet_id: w2 }, keyA))).toEqual(["t4", "t3"]);
    expect(ids(await findMany({ filter: { status: "PENDING" } }, keyA))).toEqual(["t6", "t5", "t2"]);
    expect(ids(await findMany({ filter: { status: "COMPLETED" } }, keyA))).toEqual(["t8", "t1"]);
    const sends = await findMany({ filter: { direction: "SEND" } }, keyA);
    expect(ids(sends)).toEqual(["t8"]);
    expect(sends.total_count).toBe(1);
    expect(ids(await findMany({ filter: { direction: "RECEIVE", status: "COMPLETED" }, wallet_id: w1 }, keyA))).toEqual(["t1"]);
  });

  it("filters by date range: from inclusive, to exclusive", async () => {
    const range = (from?: string, to?: string) => findMany({ filter: { date_range: { from, to } } }, keyA);
    expect(ids(await range("2026-01-02T00:00:00.000Z", "2026-01-04T00:00:00.000Z"))).toEqual(["t3", "t2"]);
    expect(ids(await range("2026-01-05T00:00:00.000Z"))).toEqual(["t8", "t6", "t5"]);
    expect(ids(await range(undefined, "2026-01-02T00:00:00.000Z"))).toEqual(["t1"]);
    expect(ids(await range("2026-01-01T00:00:00.001Z", "2026-01-02T00:00:00.001Z"))).toEqual(["t2"]);
    const page = await range("2026-01-05", "2026-01-06");
    expect(ids(page)).toEqual(["t6", "t5"]);
    expect(page.total_count).toBe(2);
  });

  it("pages with limit / offset; total_count counts the whole filtered set", async () => {
    const p1 = await findMany({ page: { limit: 2, offset: 0 } }, keyA);
    expect(ids(p1)).toEqual(["t8", "t6"]);
    expect(p1.pagination).toEqual({ limit: 2, offset: 0 });
    expect(p1.total_count).toBe(7);
    expect(ids(await findMany({ page: { limit: 2, offset: 2 } }, keyA))).toEqual(["t5", "t4"]);
    expect(ids(await findMany({ page: { limit: 100, offset: 6 } }, keyA))).toEqual(["t1"]);
    const beyond = await findMany({ page: { limit: 5, offset: 100 } }, keyA);
    expect(beyond.list).toEqual([]);
    expect(beyond.total_count).toBe(7);
    const filtered = await findMany({ wallet_id: w1, page: { limit: 1, offset: 1 } }, keyA);
    expect(ids(filtered)).toEqual(["t6"]);
    expect(filtered.total_count).toBe(5);
  });

  it.each([
    [{ page: { limit: 0, offset: 0 } }, "input.page.limit"],
    [{ page: { limit: 101, offset: 0 } }, "input.page.limit"],
    [{ page: { limit: 1.5, offset: 0 } }, "input.page.limit"],
    [{ page: { limit: 10, offset: -1 } }, "input.page.offset"],
    [{ filter: { date_range: { from: "yesterday" } } }, "input.filter.date_range.from"],
    [{ filter: { date_range: { to: "2026-13-45" } } }, "input.filter.date_range.to"],
    [{ filter: { date_range: { from: "2026-02-31" } } }, "input.filter.date_range.from"],
  ])("refuses %j with BAD_USER_INPUT on %s", async (input, field) => {
    fails(await gql(FIND_MANY, { input }, keyA), "BAD_USER_INPUT", field);
  });

  it("is scoped to the key's environment: another environment's id or wallet is NOT_FOUND", async () => {
    expect(ids(await findMany({}, keyB))).toEqual(["t7"]);
    fails(await gql(FIND_MANY, { input: { environment_id: envB } }, keyA), "NOT_FOUND");
    fails(await gql(FIND_MANY, { input: { wallet_id: w3 } }, keyA), "NOT_FOUND");
    const otherTeam = await findMany({}, otherTeamKey);
    expect(otherTeam.list).toEqual([]);
    expect(otherTeam.total_count).toBe(0);
    fails(await gql(FIND_MANY, { input: { environment_id: envA } }, otherTeamKey), "NOT_FOUND");
  });

  it("a wallet-scoped key sees only its wallet's transactions", async () => {
    const page = await findMany({}, keyW1);
    expect(ids(page)).toEqual(["t8", "t6", "t5", "t2", "t1"]);
    expect(page.total_count).toBe(5);
    expect(ids(await findMany({ filter: { status: "FAILED" } }, keyW1))).toEqual([]);
    fails(await gql(FIND_MANY, { input: { wallet_id: w2 } }, keyW1), "NOT_FOUND");
  });

  it("a dashboard user sees every environment of the team, and only its team", async () => {
    const page = await listTransactions(team.actor, {});
    expect(page.list.map((x) => x.id).sort()).toEqual(Object.values(t).sort());
    expect(await page.totalCount()).toBe(8);
    const envBPage = await listTransactions(team.actor, { environment_id: envB });
    expect(envBPage.list.map((x) => x.id)).toEqual([t.t7]);
    // Another team's environment is NOT_FOUND, not an empty list; without an environment id a
    // stranger's own (empty) scope is listed.
    const stranger = await newTeam("Stranger");
    await expect(listTransactions(stranger.actor, { environment_id: envA })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listTransactions(stranger.actor, {})).list).toEqual([]);
  });
});
