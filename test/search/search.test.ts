// The transactions page's search box (listTransactions `filter.search`, and the CSV export of the
// same filter): by transaction id, payment hash, description, metadata, idempotency key and exact
// amount, combined with the other filters, confined to the caller's environment / team / key
// wallet, with LIKE wildcards taken literally; and the date range's order.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";

import { beforeAll, describe, expect, it } from "vitest";
import { resolveApiKey } from "@/lib/api-keys/resolve-api-key";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createReceive } from "@/lib/transactions/create-receive";
import { exportTransactionsCsv } from "@/lib/transactions/export-csv";
import { transition } from "@/lib/transactions/lifecycle";
import { escapeLike, listTransactions, parseSearch } from "@/lib/transactions/query-transactions";
import { filterFromSearchParams } from "@/app/(dashboard)/pay/[environmentId]/transactions/filters";
import { ASSET, mintKey, newSandbox, newTeam, newWallet, type Team } from "../receive/helpers";

let team: Team;
let other: Team;
let envA: string;
let envB: string;
let otherEnv: string;
let btc: string;
let usdt: string;
let walletKey: Actor;
const t: Record<string, { id: string; paymentHash: string }> = {};

beforeAll(async () => {
  team = await newTeam("Search");
  envA = (await newSandbox(team, "A")).id;
  envB = (await newSandbox(team, "B")).id;
  btc = (await newWallet(team, envA, ASSET.BTC, "btc")).id;
  usdt = (await newWallet(team, envA, ASSET.USDT, "usdt")).id;
  const btcB = (await newWallet(team, envB, ASSET.BTC, "btc B")).id;
  walletKey = await resolveApiKey(await mintKey(team, envA, [{ resource: "PAYMENTS", level: "READ" }], btc));
  other = await newTeam("Other");
  otherEnv = (await newSandbox(other)).id;
  const otherWallet = (await newWallet(other, otherEnv)).id;

  const make = async (name: string, who: Team, walletId: string, amount: string, description: string, metadata: Record<string, string> | null, key: string, createdAt: string) => {
    const tx = await createReceive(who.actor, { wallet_id: walletId, amount, description, metadata: metadata && JSON.stringify(metadata), idempotency_key: key });
    await db.transaction.update({ where: { id: tx.id }, data: { createdAt: new Date(createdAt) } });
    t[name] = { id: tx.id, paymentHash: tx.paymentHash! };
  };
  await make("coffee", team, btc, "50000", "Order #42 coffee", { order_id: "A-1001", customer: "alice@example.com" }, "order-42", "2026-03-01T10:00:00Z");
  await make("tea", team, btc, "123456", "100% organic tea_leaves", { sku: "TEA-01" }, "tea-1", "2026-03-02T10:00:00Z");
  await make("invoice", team, usdt, "12500000", "Invoice 7", { order_id: "B-2002" }, "inv-7", "2026-03-03T10:00:00Z");
  await make("tiny", team, usdt, "500", "tiny", null, "tiny-1", "2026-03-04T10:00:00Z");
  await make("hundred", team, btc, "1000", "Order 100 dollars", null, "hundred-1", "2026-03-05T10:00:00Z");
  await make("teax", team, btc, "1001", "teaXleaves", null, "teax-1", "2026-03-06T10:00:00Z");
  await make("backslash", team, btc, "1002", "backslash", null, "plain-1", "2026-03-07T10:00:00Z");
  await make("escaped", team, btc, "1003", "back\\slash", null, "escaped-1", "2026-03-08T10:00:00Z");
  // The same texts and amounts elsewhere: another environment of the team, another team.
  await make("envB", team, btcB, "50000", "Order #42 coffee", { order_id: "A-1001" }, "order-42", "2026-03-01T10:00:00Z");
  await make("otherTeam", other, otherWallet, "50000", "Order #42 coffee", { order_id: "A-1001" }, "order-42", "2026-03-01T10:00:00Z");
  await transition(t.coffee.id, "COMPLETED");
  await transition(t.tea.id, "FAILED", { error: "no route" });
});

const names = (ids: string[]) => ids.map((id) => Object.entries(t).find(([, v]) => v.id === id)?.[0] ?? id).sort();

/** What the transactions page lists for this search (and filters), by fixture name. */
async function search(text: string, filter: Record<string, unknown> = {}, actor: Actor = team.actor, extra: Record<string, unknown> = {}) {
  const page = await listTransactions(actor, { environment_id: envA, filter: { search: text, ...filter }, page: { limit: 100, offset: 0 }, ...extra });
  const found = names(page.list.map((x) => x.id));
  // The count and the CSV export apply the very same search.
  expect(await page.totalCount()).toBe(found.length);
  let csv = "";
  for await (const chunk of exportTransactionsCsv(actor, { environment_id: envA, filter: { search: text, ...filter }, ...extra })) csv += chunk;
  const exported = csv.trim().split("\r\n").slice(1).map((line) => line.split(",")[0]);
  expect(names(exported)).toEqual(found);
  return found;
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("search by each kind of field", () => {
  it("finds a transaction by its id, in any case, and only by the whole id", async () => {
    expect(await search(t.coffee.id)).toEqual(["coffee"]);
    expect(await search(t.coffee.id.toLowerCase())).toEqual(["coffee"]);
    expect(await search(`  ${t.invoice.id}  `)).toEqual(["invoice"]);
    expect(await search(t.coffee.id.slice(0, 20))).toEqual([]);
  });

  it("finds a transaction by its payment hash, in any case", async () => {
    expect(await search(t.tea.paymentHash)).toEqual(["tea"]);
    expect(await search(t.tea.paymentHash.toUpperCase())).toEqual(["tea"]);
  });

  it("finds text anywhere in the description, case-insensitively", async () => {
    expect(await search("coffee")).toEqual(["coffee"]);
    expect(await search("COFFEE")).toEqual(["coffee"]);
    expect(await search("organic")).toEqual(["tea"]);
    expect(await search("order")).toEqual(["coffee", "hundred", "invoice"]); // "Order …" twice, and invoice's metadata order_id
  });

  it("finds text in the metadata", async () => {
    expect(await search("alice@example")).toEqual(["coffee"]);
    expect(await search("B-2002")).toEqual(["invoice"]);
    expect(await search('"sku":"TEA-01"')).toEqual(["tea"]);
  });

  it("finds text in the idempotency key", async () => {
    expect(await search("tea-1")).toEqual(["tea"]);
    expect(await search("INV-7")).toEqual(["invoice"]);
  });

  it("finds an exact amount typed in the asset's display unit, in sats, or with the asset's symbol", async () => {
    // 0.0005 is 50 000 sats on BTC and 500 minor units on USDT.
    expect(await search("0.0005")).toEqual(["coffee", "tiny"]);
    expect(await search("0.00050")).toEqual(["coffee", "tiny"]);
    expect(await search("0.0005 BTC")).toEqual(["coffee"]);
    expect(await search("0.0005 usdt")).toEqual(["tiny"]);
    expect(await search("50000 sats")).toEqual(["coffee"]);
    expect(await search("50000 sat")).toEqual(["coffee"]);
    expect(await search("12.5")).toEqual(["invoice"]);
    expect(await search("12.50 USDT")).toEqual(["invoice"]);
    expect(await search("0.00123456")).toEqual(["tea"]);
    // Exact, not approximate: neither a neighbour nor a prefix.
    expect(await search("0.00123457")).toEqual([]);
    expect(await search("0.0012")).toEqual([]);
    expect(await search("12.5 BTC")).toEqual([]);
  });
});

describe("search combined with the filters", () => {
  it("narrows by status, direction, wallet and date range", async () => {
    expect(await search("order", { status: "COMPLETED" })).toEqual(["coffee"]);
    expect(await search("order", { status: "PENDING" })).toEqual(["hundred", "invoice"]);
    expect(await search("order", { direction: "SEND" })).toEqual([]);
    expect(await search("order", {}, team.actor, { wallet_id: usdt })).toEqual(["invoice"]);
    expect(await search("0.0005", {}, team.actor, { wallet_id: btc })).toEqual(["coffee"]);
    expect(await search("order", { date_range: { from: "2026-03-02T00:00:00Z", to: "2026-03-06T00:00:00Z" } })).toEqual(["hundred", "invoice"]);
    expect(await search("order", { status: "FAILED", date_range: { from: "2026-03-01T00:00:00Z" } })).toEqual([]);
  });

  it("treats an empty or blank search as no search", async () => {
    const all = await search("");
    expect(all).toEqual(["backslash", "coffee", "escaped", "hundred", "invoice", "tea", "teax", "tiny"]);
    expect(await search("   ")).toEqual(all);
  });

  it("the dashboard's URL parameters carry the search to the service", async () => {
    const params = new URLSearchParams({ q: "coffee", status: "COMPLETED" });
    const page = await listTransactions(team.actor, filterFromSearchParams(envA, params, 1));
    expect(names(page.list.map((x) => x.id))).toEqual(["coffee"]);
  });
});

describe("scope", () => {
  it("never finds another environment's or another team's transactions, whatever matches", async () => {
    expect(await search("coffee")).toEqual(["coffee"]);
    expect(await search(t.envB.id)).toEqual([]);
    expect(await search(t.otherTeam.paymentHash)).toEqual([]);
    const everywhere = await listTransactions(team.actor, { filter: { search: "coffee" } });
    expect(names(everywhere.list.map((x) => x.id))).toEqual(["coffee", "envB"]);
    const theirs = await listTransactions(other.actor, { filter: { search: "coffee" } });
    expect(names(theirs.list.map((x) => x.id))).toEqual(["otherTeam"]);
    expect(await search(t.coffee.id, {}, other.actor, { environment_id: otherEnv })).toEqual([]);
    expect((await refusal(listTransactions(other.actor, { environment_id: envA, filter: { search: "coffee" } }))).code).toBe("NOT_FOUND");
  });

  it("keeps a wallet-scoped key inside its wallet", async () => {
    expect(await search("0.0005", {}, walletKey)).toEqual(["coffee"]);
    expect(await search(t.invoice.id, {}, walletKey)).toEqual([]);
    expect(await search("order", {}, walletKey)).toEqual(["coffee", "hundred"]);
    expect((await refusal(listTransactions(walletKey, { wallet_id: usdt, filter: { search: "order" } }))).code).toBe("NOT_FOUND");
  });
});

describe("LIKE wildcards are literal", () => {
  it("escapes %, _ and the backslash", () => {
    expect(escapeLike("100%_a\\b")).toBe("100\\%\\_a\\\\b");
    expect(parseSearch("50%")?.pattern).toBe("%50\\%%");
  });

  it("matches % and _ only as themselves", async () => {
    expect(await search("100%")).toEqual(["tea"]); // not "Order 100 dollars"
    expect(await search("%")).toEqual(["tea"]);
    expect(await search("tea_")).toEqual(["tea"]); // not "teaXleaves"
    expect(await search("%coffee%")).toEqual([]);
    expect(await search("o_der")).toEqual([]);
  });

  it("matches a backslash only as itself", async () => {
    expect(await search("k\\s")).toEqual(["escaped"]); // not "backslash"
    expect(await search("\\")).toEqual(["escaped"]);
  });
});

describe("bad input", () => {
  it("refuses a date range whose start is not before its end, naming the field", async () => {
    const inverted = await refusal(listTransactions(team.actor, { environment_id: envA, filter: { date_range: { from: "2026-03-05T00:00:00Z", to: "2026-03-04T00:00:00Z" } } }));
    expect(inverted).toMatchObject({ code: "BAD_USER_INPUT", field: "input.filter.date_range.from" });
    expect(inverted.message).toContain("input.filter.date_range.from");
    expect(inverted.message).toContain("input.filter.date_range.to");
    const empty = await refusal(listTransactions(team.actor, { environment_id: envA, filter: { date_range: { from: "2026-03-05T00:00:00Z", to: "2026-03-05T00:00:00Z" } } }));
    expect(empty.field).toBe("input.filter.date_range.from");
    // The export refuses it the same way.
    const exported = await refusal(exportTransactionsCsv(team.actor, { environment_id: envA, filter: { date_range: { from: "2026-03-05", to: "2026-03-01" } } }).next());
    expect(exported.field).toBe("input.filter.date_range.from");
  });

  it("the dashboard's inclusive 'to' day: the same day is a one-day range, the day before is refused", async () => {
    const same = await listTransactions(team.actor, filterFromSearchParams(envA, new URLSearchParams({ from: "2026-03-05", to: "2026-03-05" }), 1));
    expect(names(same.list.map((x) => x.id))).toEqual(["hundred"]);
    const inverted = await refusal(listTransactions(team.actor, filterFromSearchParams(envA, new URLSearchParams({ from: "2026-03-05", to: "2026-03-04" }), 1)));
    expect(inverted.field).toBe("input.filter.date_range.from");
  });

  it("refuses a search longer than 200 characters or that is not a string, naming the field", async () => {
    const long = await refusal(listTransactions(team.actor, { environment_id: envA, filter: { search: "x".repeat(201) } }));
    expect(long).toMatchObject({ code: "BAD_USER_INPUT", field: "input.filter.search" });
    const notText = await refusal(listTransactions(team.actor, { environment_id: envA, filter: { search: 42 } }));
    expect(notText).toMatchObject({ code: "BAD_USER_INPUT", field: "input.filter.search" });
    expect(await search("x".repeat(200))).toEqual([]);
  });
});
