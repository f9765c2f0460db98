// The reports page's figures (getReport): received and sent volume per UTC day and asset, exact
// bigint sums beyond 2^53, empty days as zero, the 7/30/90-day windows and their UTC edges, each
// wallet's end-of-day balance, counts by status, and the caller's scope.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";
process.env.FEE_BASIS_POINTS = "0";

import { beforeAll, describe, expect, it } from "vitest";
import { resolveApiKey } from "@/lib/api-keys/resolve-api-key";
import type { Actor } from "@/lib/auth/actor";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getReport, reportDays, type Report } from "@/lib/reports/get-report";
import { createReceive } from "@/lib/transactions/create-receive";
import { createSend } from "@/lib/transactions/create-send";
import { transition } from "@/lib/transactions/lifecycle";
import { ASSET, mintKey, newSandbox, newTeam, newWallet, type Team } from "../receive/helpers";
import { foreignInvoice } from "../send/helpers";

/** The report's "now": mid-afternoon UTC, so a day's edges are well away from it. */
const NOW = new Date("2026-06-30T15:00:00.000Z");
const DAY = 86_400_000;
/** The UTC day `n` days before NOW, as YYYY-MM-DD. */
const day = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString().slice(0, 10);
/** An instant on that day. */
const at = (n: number, time: string) => new Date(`${day(n)}T${time}Z`);

const BIG = BigInt("2099999999999999"); // the largest BTC amount less one sat; five of them pass 2^53
let team: Team;
let envA: string;
let emptyEnv: string;
let w: string; // BTC: one receive on each window edge
let b: string; // BTC: big receives and a send with a routing fee
let u: string; // USDT
let c: string; // USDC, never used

async function receive(who: Team, walletId: string, amount: string | number | bigint, settleAt: Date | null, status: "COMPLETED" | "FAILED" | "EXPIRED" | "PENDING" = "COMPLETED", createdAt = settleAt) {
  const tx = await createReceive(who.actor, { wallet_id: walletId, amount: String(amount) });
  if (status !== "PENDING") await transition(tx.id, status);
  await db.transaction.update({ where: { id: tx.id }, data: { createdAt: createdAt!, ...(status === "COMPLETED" ? { settledAt: settleAt } : {}) } });
  return tx.id;
}

beforeAll(async () => {
  team = await newTeam("Reports");
  envA = (await newSandbox(team, "A")).id;
  emptyEnv = (await newSandbox(team, "Empty")).id;
  w = (await newWallet(team, envA, ASSET.BTC, "Edges")).id;
  b = (await newWallet(team, envA, ASSET.BTC, "Big")).id;
  u = (await newWallet(team, envA, ASSET.USDT, "Dollars")).id;
  c = (await newWallet(team, envA, ASSET.USDC, "Unused")).id;

  // w: 1, 2, 4 … 64 sats on each side of the 7-, 30- and 90-day edges.
  await receive(team, w, 1, at(0, "00:00:00.000"));
  await receive(team, w, 2, at(6, "00:00:00.000")); // first instant of the 7-day window
  await receive(team, w, 4, at(7, "23:59:59.999")); // last instant before it
  await receive(team, w, 8, at(29, "12:00:00.000"));
  await receive(team, w, 16, at(30, "23:59:59.999"));
  await receive(team, w, 32, at(89, "00:00:00.000"));
  await receive(team, w, 64, at(90, "23:59:59.999"));
  // Not money: pending, failed and expired receives (counted by status only).
  await receive(team, w, 1000, null, "PENDING", at(2, "08:00:00.000"));
  await receive(team, w, 2000, null, "FAILED", at(10, "08:00:00.000"));
  await receive(team, w, 3000, null, "EXPIRED", at(0, "09:00:00.000"));

  // b: five receives of BIG, then a send of 1 000 000 sats that paid a 7-sat routing fee, all a day ago.
  for (let i = 0; i < 5; i++) await receive(team, b, BIG, at(1, `0${i}:00:00.000`));
  const invoice = foreignInvoice({ amountMsat: BigInt(1_000_000_000) });
  const send = await createSend(team.actor, { wallet_id: b, request: { bolt11: invoice.paymentRequest } });
  await transition(send.id, "COMPLETED", { fee: BigInt(7) });
  await db.transaction.update({ where: { id: send.id }, data: { createdAt: at(1, "12:00:00.000"), settledAt: at(1, "12:00:01.000") } });

  await receive(team, u, "12500000", at(3, "18:30:00.000"));

  // Elsewhere: another environment of the team, another team.
  const envB = (await newSandbox(team, "B")).id;
  await receive(team, (await newWallet(team, envB, ASSET.BTC)).id, 999, at(0, "10:00:00.000"));
  const other = await newTeam("Other");
  const otherEnv = (await newSandbox(other)).id;
  await receive(other, (await newWallet(other, otherEnv, ASSET.BTC)).id, 555, at(0, "10:00:00.000"));
});

const report = (days: number | undefined, actor: Actor = team.actor, environmentId = envA) => getReport(actor, { environment_id: environmentId, days }, NOW);
const volumeOf = (r: Report, symbol: string) => r.volume.find((v) => v.asset.symbol === symbol)!;
const balanceOf = (r: Report, walletId: string) => r.balances.find((x) => x.wallet.id === walletId)!;
const dayMap = <T extends { day: string }>(days: T[]) => new Map(days.map((d) => [d.day, d]));

describe("the period", () => {
  it("is 7, 30 or 90 UTC days ending today, every day present once, oldest first", async () => {
    for (const period of [7, 30, 90] as const) {
      const r = await report(period);
      expect(r.period).toBe(period);
      expect(r.from).toBe(day(period - 1));
      expect(r.to).toBe(day(0));
      const expected = reportDays(period, NOW);
      expect(expected).toHaveLength(period);
      expect(new Set(expected).size).toBe(period);
      for (const v of r.volume) expect(v.days.map((d) => d.day)).toEqual(expected);
      for (const x of r.balances) expect(x.days.map((d) => d.day)).toEqual(expected);
    }
    expect((await report(undefined)).period).toBe(30);
  });

  it("counts each payment in its UTC settlement day, and only within the window", async () => {
    const received = async (period: number) => (await report(period)).volume.find((v) => v.asset.symbol === "BTC")!.days;
    // The edges wallet alone (b's payments are all on day 1): 7 → 1 + 2, 30 → + 4 + 8, 90 → + 16 + 32.
    const edges = async (period: number) => (await received(period)).reduce((sum, d) => sum + (d.day === day(1) ? BigInt(0) : d.received), BigInt(0));
    expect(await edges(7)).toBe(BigInt(3));
    expect(await edges(30)).toBe(BigInt(15));
    expect(await edges(90)).toBe(BigInt(63));
    const days90 = dayMap(await received(90));
    expect(days90.get(day(0))!.received).toBe(BigInt(1));
    expect(days90.get(day(6))!.received).toBe(BigInt(2));
    expect(days90.get(day(7))!.received).toBe(BigInt(4));
    expect(days90.get(day(89))!.received).toBe(BigInt(32));
    expect(days90.has(day(90))).toBe(false);
  });

  it("refuses another period, naming the field", async () => {
    for (const days of [14, 0, -7, 7.5]) {
      const err = await report(days).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: "BAD_USER_INPUT", field: "input.days" });
    }
    const notNumber = await getReport(team.actor, { environment_id: envA, days: "30" }, NOW).catch((e: unknown) => e);
    expect(notNumber).toMatchObject({ code: "BAD_USER_INPUT", field: "input.days" });
  });
});

describe("volume", () => {
  it("sums exactly, beyond what a float can hold, per asset, received net and sent with fees", async () => {
    const r = await report(7);
    expect(r.volume.map((v) => v.asset.symbol)).toEqual(["BTC", "USDC", "USDT"]);
    const btc = volumeOf(r, "BTC");
    const bigTotal = BIG * BigInt(5);
    expect(bigTotal > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(btc.received).toBe(bigTotal + BigInt(3));
    expect(btc.received.toString()).toBe("10499999999999998");
    expect(btc.sent).toBe(BigInt(1_000_007));
    expect(btc.fees).toBe(BigInt(7));
    expect(btc.receivedCount).toBe(7);
    expect(btc.sentCount).toBe(1);
    const byDay = dayMap(btc.days);
    expect(byDay.get(day(1))).toEqual({ day: day(1), received: bigTotal, sent: BigInt(1_000_007) });
    expect(btc.days.reduce((s, d) => s + d.received, BigInt(0))).toBe(btc.received);
    const usdt = volumeOf(r, "USDT");
    expect(usdt).toMatchObject({ asset: { symbol: "USDT", precision: 6 }, received: BigInt(12_500_000), sent: BigInt(0), receivedCount: 1, sentCount: 0 });
    expect(dayMap(usdt.days).get(day(3))!.received).toBe(BigInt(12_500_000));
  });

  it("fills days without payments with zero, for an asset with no payments at all too", async () => {
    const r = await report(30);
    const btc = volumeOf(r, "BTC");
    const quiet = btc.days.filter((d) => ![day(0), day(1), day(6), day(7), day(29)].includes(d.day));
    expect(quiet).toHaveLength(25);
    for (const d of quiet) expect(d).toEqual({ day: d.day, received: BigInt(0), sent: BigInt(0) });
    const usdc = volumeOf(r, "USDC");
    expect(usdc.days).toHaveLength(30);
    expect(usdc.days.every((d) => d.received === BigInt(0) && d.sent === BigInt(0))).toBe(true);
    expect(usdc).toMatchObject({ received: BigInt(0), sent: BigInt(0), fees: BigInt(0), receivedCount: 0, sentCount: 0 });
  });

  it("is empty for an environment without wallets", async () => {
    const r = await report(7, team.actor, emptyEnv);
    expect(r.volume).toEqual([]);
    expect(r.balances).toEqual([]);
    expect(r.statusCounts.every((s) => s.receive === 0 && s.send === 0)).toBe(true);
  });
});

describe("balance over time", () => {
  it("is each wallet's received − sent at the end of each UTC day, ending at its balance now", async () => {
    const r7 = await report(7);
    expect(r7.balances.map((x) => x.wallet.name)).toEqual(["Edges", "Big", "Unused", "Dollars"]);
    expect(balanceOf(r7, w).days.map((d) => d.balance)).toEqual([126, 126, 126, 126, 126, 126, 127].map(BigInt));
    const bigBalance = BIG * BigInt(5) - BigInt(1_000_007);
    expect(balanceOf(r7, b).days.map((d) => d.balance)).toEqual([0, 0, 0, 0, 0].map(BigInt).concat([bigBalance, bigBalance]));
    expect(balanceOf(r7, u).days.map((d) => d.balance)).toEqual([0, 0, 0].map(BigInt).concat(Array(4).fill(BigInt(12_500_000))));
    expect(balanceOf(r7, c).days.every((d) => d.balance === BigInt(0))).toBe(true);
    // The last day is the wallet's ledger now.
    for (const id of [w, b, u, c]) {
      const wallet = await db.wallet.findUniqueOrThrow({ where: { id } });
      expect(balanceOf(r7, id).days.at(-1)!.balance).toBe(wallet.received - wallet.sent);
    }
    // The first day of longer periods: what had settled by its end.
    expect(balanceOf(await report(30), w).days[0].balance).toBe(BigInt(8 + 16 + 32 + 64));
    expect(balanceOf(await report(90), w).days[0].balance).toBe(BigInt(32 + 64));
  });
});

describe("counts by status", () => {
  it("counts the transactions created in the period, by status and direction", async () => {
    const counts = (r: Report) => Object.fromEntries(r.statusCounts.map((s) => [s.status, [s.receive, s.send]]));
    expect(counts(await report(7))).toEqual({ PENDING: [1, 0], COMPLETED: [8, 1], FAILED: [0, 0], EXPIRED: [1, 0] });
    expect(counts(await report(30))).toEqual({ PENDING: [1, 0], COMPLETED: [10, 1], FAILED: [1, 0], EXPIRED: [1, 0] });
    expect(counts(await report(90))).toEqual({ PENDING: [1, 0], COMPLETED: [12, 1], FAILED: [1, 0], EXPIRED: [1, 0] });
  });
});

describe("scope", () => {
  it("never counts another environment's or another team's payments; another team's environment is NOT_FOUND", async () => {
    const r = await report(7);
    expect(dayMap(volumeOf(r, "BTC").days).get(day(0))!.received).toBe(BigInt(1)); // not 1 + 999 (env B) or + 555 (other team)
    const other = await newTeam("Stranger");
    await expect(report(7, other.actor)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a wallet-scoped key sees its wallet only; a key of another environment is NOT_FOUND; PAYMENTS READ is required", async () => {
    const walletKey = await resolveApiKey(await mintKey(team, envA, [{ resource: "PAYMENTS", level: "READ" }], w));
    const r = await report(7, walletKey);
    expect(r.volume.map((v) => v.asset.symbol)).toEqual(["BTC"]);
    expect(volumeOf(r, "BTC")).toMatchObject({ received: BigInt(3), sent: BigInt(0) });
    expect(r.balances.map((x) => x.wallet.id)).toEqual([w]);
    expect(Object.fromEntries(r.statusCounts.map((s) => [s.status, s.receive]))).toEqual({ PENDING: 1, COMPLETED: 2, FAILED: 0, EXPIRED: 1 });
    const emptyKey = await resolveApiKey(await mintKey(team, emptyEnv, [{ resource: "PAYMENTS", level: "READ" }]));
    await expect(report(7, emptyKey)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const noPayments = await resolveApiKey(await mintKey(team, envA, [{ resource: "WALLETS", level: "READ" }]));
    await expect(report(7, noPayments)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
