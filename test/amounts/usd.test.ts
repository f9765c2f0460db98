// Issue 15 §4, against the real database: USD-priced invoices (amount_usd_cents, converted at
// creation, rounded up, the rate recorded), their bad inputs (service and GraphQL), the USD value
// of every transaction recorded once when it completes (receives, external and internal sends,
// single and batched), and the CSV export's columns. A BTC price with cents makes every
// conversion inexact, so rounding is observable.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "0";
process.env.FEE_BASIS_POINTS = "50";
process.env.SANDBOX_BTC_USD_PRICE = "97345.12";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runSandboxSend } from "@/lib/jobs/handlers";
import { assetRates, priceInUsd, quoteInSats } from "@/lib/assets/prices";
import { centsToDecimal, formatUsdCents, MAX_USD_CENTS, minorFromUsdCents, usdCentsOf } from "@/lib/assets/convert";
import { createReceive } from "@/lib/transactions/create-receive";
import { createSend } from "@/lib/transactions/create-send";
import { CSV_COLUMNS, exportTransactionsCsv } from "@/lib/transactions/export-csv";
import { transition } from "@/lib/transactions/lifecycle";
import { simulateSandboxOutcome } from "@/lib/transactions/simulate";
import { ASSET, fails, gql, mintKey, newSandbox, newTeam, newWallet, ok, type Team } from "../receive/helpers";
import { fund, foreignInvoice, openInvoice } from "../send/helpers";

// Restored for the next test file of this worker (lib/env.ts reads it at first use, per file).
afterAll(() => {
  delete process.env.SANDBOX_BTC_USD_PRICE;
});

const PRICE = "97345.12";
let team: Team;
let environmentId: string;
let key: string;
let btc: string;
let usdt: string;

beforeAll(async () => {
  team = await newTeam("Amounts");
  environmentId = (await newSandbox(team)).id;
  key = await mintKey(team, environmentId);
  btc = (await newWallet(team, environmentId, ASSET.BTC, "BTC wallet")).id;
  usdt = (await newWallet(team, environmentId, ASSET.USDT, "USDT wallet")).id;
});

const RECEIVE = `mutation Receive($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) {
    id status amount_sats exchange_rate amount_usd_cents usd_rate settled_usd_cents settled_usd_rate amount { full_amount display_amount }
  } } }
}`;
const FIND_ONE = `query($id: String!) { payment { transaction { find_one(id: $id) { status amount_usd_cents usd_rate settled_usd_cents settled_usd_rate } } } }`;

describe("conversions (lib/assets/convert.ts)", () => {
  it("rounds a USD price up to the next minor unit, so the merchant never receives less", () => {
    // USD 25.00 at USD 97 345.12 per BTC = 25 681.8… sats → 25 682.
    const sats = minorFromUsdCents(BigInt(2500), 8, PRICE);
    expect(sats).toBe(BigInt(25682));
    // Exact check with integers: 25 682 sats are worth at least USD 25.00, 25 681 less.
    const worthMicroCents = (s: bigint) => s * BigInt(9734512); // sats × price in cents × 10^8 / 10^8 … compared below
    expect(worthMicroCents(sats) >= BigInt(2500) * BigInt(100_000_000)).toBe(true);
    expect(worthMicroCents(sats - BigInt(1)) < BigInt(2500) * BigInt(100_000_000)).toBe(true);
    // An exact conversion is not rounded: USD 1.00 per unit, precision 6.
    expect(minorFromUsdCents(BigInt(1250), 6, "1.00")).toBe(BigInt(12_500_000));
  });

  it("values an amount in whole cents, half up, and formats cents", () => {
    expect(usdCentsOf(BigInt(100_000), 8, PRICE)).toBe(BigInt(9735)); // 97.34512 → 97.35
    expect(usdCentsOf(BigInt(100_000), 8, "100000")).toBe(BigInt(10_000));
    expect(usdCentsOf(BigInt(12_504_999), 6, "1.00")).toBe(BigInt(1250)); // 12.504999 → 12.50
    expect(usdCentsOf(BigInt(12_505_000), 6, "1.00")).toBe(BigInt(1251)); // 12.505 → 12.51
    expect(formatUsdCents(BigInt(123_456_789))).toBe("1,234,567.89");
    expect(formatUsdCents(BigInt(5))).toBe("0.05");
    expect(centsToDecimal(BigInt(123_456_789))).toBe("1234567.89");
  });

  it("gives the dashboard the very prices the services use", () => {
    expect(assetRates({ symbol: "BTC", precision: 8, type: "BASE_ASSET" })).toEqual({ symbol: "BTC", precision: 8, base: true, usdPerUnit: PRICE, btcUsd: PRICE });
    expect(assetRates({ symbol: "USDT", precision: 6, type: "TAPROOT_ASSET" })).toEqual({ symbol: "USDT", precision: 6, base: false, usdPerUnit: "1.00", btcUsd: PRICE });
    expect(priceInUsd(BigInt(2500), { symbol: "BTC", precision: 8 })).toEqual({ ok: true, amount: BigInt(25682), rate: PRICE });
  });
});

describe("USD-priced invoices", () => {
  it("BTC wallet (service): converted at creation, rounded up, price and rate recorded", async () => {
    const tx = await createReceive(team.actor, { wallet_id: btc, amount_usd_cents: 2500, description: "USD-priced" });
    expect(tx.amount).toBe(BigInt(25682));
    expect(tx.pricedUsdCents).toBe(BigInt(2500));
    expect(tx.pricedUsdRate).toBe(PRICE);
    const row = await db.transaction.findUniqueOrThrow({ where: { id: tx.id } });
    expect(row).toMatchObject({ amount: BigInt(25682), pricedUsdCents: BigInt(2500), pricedUsdRate: PRICE, settledUsdCents: null, settledUsdRate: null, fee: BigInt(128) });
  });

  it("BTC wallet (GraphQL extension): amount given as \"\", amount_usd_cents as Int; find_one returns the price", async () => {
    const created = ok(await gql<{ payment: { transaction: { create_receive: Record<string, unknown> & { id: string } } } }>(RECEIVE, { input: { wallet_id: btc, amount: "", amount_usd_cents: 1 } }, key)).payment.transaction.create_receive;
    // USD 0.01 = 10.27… sats → 11.
    expect(created).toMatchObject({ status: "PENDING", amount: { full_amount: "11" }, amount_sats: "11", amount_usd_cents: "1", usd_rate: PRICE, settled_usd_cents: null, settled_usd_rate: null });
    const found = ok(await gql<{ payment: { transaction: { find_one: unknown } } }>(FIND_ONE, { id: created.id }, key)).payment.transaction.find_one;
    expect(found).toEqual({ status: "PENDING", amount_usd_cents: "1", usd_rate: PRICE, settled_usd_cents: null, settled_usd_rate: null });
  });

  it("USDT wallet: the asset amount from the price, then the sats the payer pays (both rounded up)", async () => {
    const created = ok(await gql<{ payment: { transaction: { create_receive: Record<string, unknown> } } }>(RECEIVE, { input: { wallet_id: usdt, amount: "", amount_usd_cents: 1250 } }, key)).payment.transaction.create_receive;
    const quote = quoteInSats(BigInt(12_500_000), 6, "USDT");
    expect(quote.amountSats).toBe(BigInt(12841)); // 12.5 / 97 345.12 BTC = 12 840.8… sats
    expect(created).toMatchObject({ amount: { full_amount: "12500000", display_amount: "12.5" }, amount_sats: "12841", exchange_rate: quote.exchangeRate, amount_usd_cents: "1250", usd_rate: "1.00" });
  });

  it("an invoice priced in the asset records no USD price", async () => {
    const created = ok(await gql<{ payment: { transaction: { create_receive: Record<string, unknown> } } }>(RECEIVE, { input: { wallet_id: btc, amount: "1000" } }, key)).payment.transaction.create_receive;
    expect(created).toMatchObject({ amount: { full_amount: "1000" }, amount_usd_cents: null, usd_rate: null });
  });

  it("a replayed idempotency key replays by the price; another price is refused naming amount_usd_cents", async () => {
    const first = await createReceive(team.actor, { wallet_id: btc, amount_usd_cents: 990, idempotency_key: "usd-replay" });
    const again = await createReceive(team.actor, { wallet_id: btc, amount_usd_cents: 990, idempotency_key: "usd-replay" });
    expect(again.id).toBe(first.id);
    await expect(createReceive(team.actor, { wallet_id: btc, amount_usd_cents: 991, idempotency_key: "usd-replay" })).rejects.toMatchObject({ code: "BAD_USER_INPUT", field: "input.idempotency_key", message: expect.stringContaining("amount_usd_cents") });
    await expect(createReceive(team.actor, { wallet_id: btc, amount: first.amount.toString(), idempotency_key: "usd-replay" })).rejects.toMatchObject({ code: "BAD_USER_INPUT", field: "input.idempotency_key" });
  });
});

describe("bad USD prices: BAD_USER_INPUT naming the field, nothing written", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["both amount and amount_usd_cents", { amount: "1000", amount_usd_cents: 1000 }, "input.amount_usd_cents", /not.*together with amount|cannot be given together/],
    ["negative cents", { amount_usd_cents: -5 }, "input.amount_usd_cents", /at least 1/],
    ["zero cents", { amount_usd_cents: 0 }, "input.amount_usd_cents", /at least 1/],
    ["a fraction of a cent", { amount_usd_cents: 12.5 }, "input.amount_usd_cents", /whole number of US cents/],
    ["cents as a string", { amount_usd_cents: "2500" }, "input.amount_usd_cents", /whole number of US cents/],
    ["too large", { amount_usd_cents: MAX_USD_CENTS + 1 }, "input.amount_usd_cents", /at most 1000000000/],
    ["not a number at all", { amount_usd_cents: Number.NaN }, "input.amount_usd_cents", /whole number of US cents/],
    ["neither amount", {}, "input.amount", /amount_usd_cents/],
    ["an empty amount and no price", { amount: "" }, "input.amount", /amount_usd_cents/],
  ];
  it.each(cases)("%s (service)", async (_, extra, field, message) => {
    const before = await db.transaction.count({ where: { walletId: btc } });
    const error = await createReceive(team.actor, { wallet_id: btc, ...extra }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(String((error as Error).message)).toMatch(message);
    expect(await db.transaction.count({ where: { walletId: btc } })).toBe(before);
  });

  it("through GraphQL: both fields, negative, too large (service check) and a fraction (GraphQL Int), each naming the field", async () => {
    fails(await gql(RECEIVE, { input: { wallet_id: btc, amount: "1000", amount_usd_cents: 1000 } }, key), "BAD_USER_INPUT", "input.amount_usd_cents");
    fails(await gql(RECEIVE, { input: { wallet_id: btc, amount: "", amount_usd_cents: -5 } }, key), "BAD_USER_INPUT", "input.amount_usd_cents");
    fails(await gql(RECEIVE, { input: { wallet_id: btc, amount: "", amount_usd_cents: MAX_USD_CENTS + 1 } }, key), "BAD_USER_INPUT", "input.amount_usd_cents");
    const fraction = await gql(RECEIVE, { input: { wallet_id: btc, amount: "", amount_usd_cents: 12.5 } }, key);
    expect(fraction.errors?.[0]?.extensions?.code, fraction.text).toBe("BAD_USER_INPUT");
    expect(fraction.errors?.[0]?.message, fraction.text).toContain("amount_usd_cents");
    const tooBigForInt = await gql(RECEIVE, { input: { wallet_id: btc, amount: "", amount_usd_cents: 3_000_000_000 } }, key);
    expect(tooBigForInt.errors?.[0]?.extensions?.code, tooBigForInt.text).toBe("BAD_USER_INPUT");
    expect(tooBigForInt.errors?.[0]?.message, tooBigForInt.text).toContain("amount_usd_cents");
  });
});

describe("the USD value at settlement, recorded once with the status change", () => {
  it("a receive: settled by hand, its amount valued at the price of that moment; a second transition changes nothing", async () => {
    const tx = await createReceive(team.actor, { wallet_id: btc, amount: "100000", metadata: JSON.stringify({ amb_sandbox_behavior: "expire" }) });
    expect((await db.transaction.findUniqueOrThrow({ where: { id: tx.id } })).settledUsdCents).toBeNull();
    const settled = await simulateSandboxOutcome(team.actor, tx.id, "settle");
    expect(settled).toMatchObject({ status: "COMPLETED", settledUsdCents: BigInt(9735), settledUsdRate: PRICE });
    // Once: a later transition (a racing retry, expiry) is refused and leaves the recorded value as it was.
    await db.transaction.update({ where: { id: tx.id }, data: { settledUsdCents: BigInt(1) } });
    expect(await transition(tx.id, "COMPLETED")).toBe(false);
    expect(await transition(tx.id, "EXPIRED")).toBe(false);
    expect((await db.transaction.findUniqueOrThrow({ where: { id: tx.id } })).settledUsdCents).toBe(BigInt(1));
  });

  it("a receive that fails or expires has no USD value at settlement", async () => {
    const failed = await createReceive(team.actor, { wallet_id: btc, amount: "5000" });
    await simulateSandboxOutcome(team.actor, failed.id, "fail");
    const expired = await createReceive(team.actor, { wallet_id: btc, amount: "5000" });
    await simulateSandboxOutcome(team.actor, expired.id, "expire");
    const rows = await db.transaction.findMany({ where: { id: { in: [failed.id, expired.id] } } });
    expect(rows.map((r) => [r.status, r.settledUsdCents, r.settledUsdRate]).sort()).toEqual([
      ["EXPIRED", null, null],
      ["FAILED", null, null],
    ]);
  });

  it("a stablecoin receive is valued in its own asset (USD 1.00 per USDT)", async () => {
    const tx = await createReceive(team.actor, { wallet_id: usdt, amount: "12505000" });
    expect(await simulateSandboxOutcome(team.actor, tx.id, "settle")).toMatchObject({ settledUsdCents: BigInt(1251), settledUsdRate: "1.00" });
  });

  it("a send to another node: valued when the simulated network completes it, once", async () => {
    const payer = (await newWallet(team, environmentId, ASSET.BTC, "Payer")).id;
    await fund(team, payer, "1000000");
    const send = await createSend(team.actor, { wallet_id: payer, request: { bolt11: foreignInvoice({ amountMsat: BigInt(200_000_000) }).paymentRequest }, metadata: JSON.stringify({ amb_sandbox_behavior: "complete" }) });
    expect(send).toMatchObject({ status: "PENDING", settledUsdCents: null });
    const job = await db.job.findFirstOrThrow({ where: { type: "sandbox.send", payload: { path: ["transactionId"], equals: send.id } } });
    await runSandboxSend(job.payload);
    await runSandboxSend(job.payload); // a retried job: no second transition
    const row = await db.transaction.findUniqueOrThrow({ where: { id: send.id } });
    // 200 000 sats = 0.002 BTC = USD 194.69024 → 194.69.
    expect(row).toMatchObject({ status: "COMPLETED", settledUsdCents: BigInt(19469), settledUsdRate: PRICE });
    const events = await db.transactionEvent.count({ where: { transactionId: send.id, eventType: "payment.completed" } });
    expect(events).toBe(1);
  });

  it("an internal payment: both sides valued in the statement that completes them, one at a time and batched", async () => {
    const payer = (await newWallet(team, environmentId, ASSET.BTC, "Internal payer")).id;
    const payee = (await newWallet(team, environmentId, ASSET.BTC, "Internal payee")).id;
    const payeeUsdt = (await newWallet(team, environmentId, ASSET.USDT, "Internal USDT payee")).id;
    await fund(team, payer, "5000000");
    const one = await openInvoice(team, payee, "300000");
    const alone = await createSend(team.actor, { wallet_id: payer, request: { bolt11: one.paymentRequest } });
    expect(alone).toMatchObject({ status: "COMPLETED", settledUsdCents: BigInt(29204), settledUsdRate: PRICE }); // 0.003 × 97 345.12 = 292.03536
    // Several at the same moment: written by the batched statement (lib/transactions/write-send.ts).
    const invoices = await Promise.all([openInvoice(team, payee, "100000"), openInvoice(team, payee, "200000"), openInvoice(team, payeeUsdt, "2000000")]);
    const sends = await Promise.all(invoices.map((invoice) => createSend(team.actor, { wallet_id: payer, request: { bolt11: invoice.paymentRequest } })));
    const rows = await db.transaction.findMany({ where: { id: { in: [one.id, alone.id, ...invoices.map((i) => i.id), ...sends.map((s) => s.id)] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(one.id)).toMatchObject({ status: "COMPLETED", settledUsdCents: BigInt(29204), settledUsdRate: PRICE });
    expect(byId.get(alone.id)).toMatchObject({ status: "COMPLETED", settledUsdCents: BigInt(29204), settledUsdRate: PRICE });
    expect(invoices.map((i) => [byId.get(i.id)?.status, byId.get(i.id)?.settledUsdCents, byId.get(i.id)?.settledUsdRate])).toEqual([
      ["COMPLETED", BigInt(9735), PRICE],
      ["COMPLETED", BigInt(19469), PRICE],
      ["COMPLETED", BigInt(200), "1.00"], // 2 USDT, in the payee's own asset
    ]);
    // The BTC payer's side of the USDT invoice: the sats it paid, valued in BTC.
    const usdtSats = quoteInSats(BigInt(2_000_000), 6, "USDT").amountSats;
    expect(sends.map((s) => [byId.get(s.id)?.status, byId.get(s.id)?.settledUsdCents, byId.get(s.id)?.settledUsdRate])).toEqual([
      ["COMPLETED", BigInt(9735), PRICE],
      ["COMPLETED", BigInt(19469), PRICE],
      ["COMPLETED", usdCentsOf(usdtSats, 8, PRICE), PRICE],
    ]);
  });
});

describe("CSV export", () => {
  const BEFORE = ["id", "created_at", "direction", "status", "asset", "amount", "display_amount", "fee", "settle_amount", "amount_sats", "exchange_rate", "description", "wallet_id", "payment_hash", "settled_at", "expires_at", "metadata"];

  it("keeps every earlier column in its place and adds the USD columns at the end", () => {
    expect(CSV_COLUMNS.slice(0, BEFORE.length)).toEqual(BEFORE);
    expect(CSV_COLUMNS.slice(BEFORE.length)).toEqual(["amount_usd", "usd_rate", "settled_usd", "settled_usd_rate"]);
  });

  it("carries a USD-priced invoice's price and rate, and the USD value at settlement", async () => {
    const wallet = (await newWallet(team, environmentId, ASSET.BTC, "CSV wallet")).id;
    const priced = await createReceive(team.actor, { wallet_id: wallet, amount_usd_cents: 123456, description: "priced" });
    await simulateSandboxOutcome(team.actor, priced.id, "settle");
    const plain = await createReceive(team.actor, { wallet_id: wallet, amount: "100000", description: "plain" });
    let csv = "";
    for await (const chunk of exportTransactionsCsv(team.actor, { environment_id: environmentId, wallet_id: wallet })) csv += chunk;
    const [header, ...lines] = csv.trim().split("\r\n");
    expect(header.split(",")).toEqual([...CSV_COLUMNS]);
    const rows = new Map(lines.map((line) => [line.split(",")[0], Object.fromEntries(line.split(",").map((v, n) => [CSV_COLUMNS[n], v]))]));
    // USD 1 234.56 at 97 345.12 = 1 268 229.6… sats → 1 268 230, worth 1 234.5603… → 1 234.56 at settlement.
    expect(rows.get(priced.id)).toMatchObject({ status: "COMPLETED", amount: "1268230", amount_usd: "1234.56", usd_rate: PRICE, settled_usd: "1234.56", settled_usd_rate: PRICE, description: "priced" });
    expect(rows.get(plain.id)).toMatchObject({ status: "PENDING", amount: "100000", amount_usd: "", usd_rate: "", settled_usd: "", settled_usd_rate: "" });
  });
});
