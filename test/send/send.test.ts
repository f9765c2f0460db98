// create_send (DESIGN.md §5, §6): every refusal of an invoice (nothing written, no balance change),
// internal payments between wallets of this instance (both sides settle in one transaction, both
// webhooks, both balances, the receiver's preimage), sandbox sends to other nodes (the durable job,
// per amb_sandbox_behavior, default expire), replays, stablecoin wallets and the fee reserve.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "0";
process.env.SEND_FEE_RESERVE_BPS = "50";
process.env.SEND_FEE_RESERVE_MIN_SATS = "10";
delete process.env.SANDBOX_BTC_USD_PRICE;

import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runSandboxSend } from "@/lib/jobs/handlers";
import { quoteFromSats } from "@/lib/assets/prices";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createSend } from "@/lib/transactions/create-send";
import { ASSET, fails, gql, mintKey, newSandbox, newTeam, newWallet, ok, rowCounts, TX_ID, type Team } from "../receive/helpers";
import { balanced, CREATE_SEND, foreignInvoice, fund, ledger, openInvoice, tamperSignature, withAmount } from "./helpers";
import type { Json } from "../json";

let payer: Team;
let payee: Team;
let payerEnv: string;
let payeeEnv: string;
let payerKey: string;
let payeeKey: string;
let wallet: string; // the payer's BTC wallet, funded with 1 000 000 sats
let payeeWallet: string;

beforeAll(async () => {
  payer = await newTeam("Payer");
  payee = await newTeam("Payee");
  payerEnv = (await newSandbox(payer)).id;
  payeeEnv = (await newSandbox(payee)).id;
  payerKey = await mintKey(payer, payerEnv);
  payeeKey = await mintKey(payee, payeeEnv);
  wallet = (await newWallet(payer, payerEnv)).id;
  payeeWallet = (await newWallet(payee, payeeEnv)).id;
  await fund(payer, wallet, "1000000");
});

type Send = Json & { id: string; status: string; fee: string; fee_reserve: string | null; payment_preimage: string | null; payment_hash: string };
const send = async (input: Record<string, unknown>, key = payerKey) => gql<Json>(CREATE_SEND, { input: { wallet_id: wallet, ...input } }, key);
const sent = async (input: Record<string, unknown>, key = payerKey) => (ok(await send(input, key)) as { payment: { transaction: { create_send: Send } } }).payment.transaction.create_send;

/** Runs the sandbox job of a send now, as the worker would. */
async function runJobOf(transactionId: string) {
  const job = await db.job.findFirstOrThrow({ where: { type: "sandbox.send", payload: { path: ["transactionId"], equals: transactionId } } });
  await runSandboxSend(job.payload);
}

describe("refusals: each is BAD_USER_INPUT naming the field, and writes nothing", () => {
  const cases: [string, () => Promise<Record<string, unknown>>, string, RegExp][] = [
    ["not an invoice at all", async () => ({ request: { bolt11: "hello world" } }), "input.request.bolt11", /not a BOLT11 invoice/],
    ["an empty invoice", async () => ({ request: { bolt11: "  " } }), "input.request.bolt11", /is empty/],
    [
      "a changed character (bad checksum)",
      async () => {
        const pr = foreignInvoice({}).paymentRequest;
        const i = pr.length - 10;
        return { request: { bolt11: pr.slice(0, i) + (pr[i] === "q" ? "p" : "q") + pr.slice(i + 1) } };
      },
      "input.request.bolt11",
      /checksum/,
    ],
    ["a tampered signature (the invoice names its payee)", async () => ({ request: { bolt11: tamperSignature(foreignInvoice({ withPayeeKey: true }).paymentRequest) } }), "input.request.bolt11", /invalid signature/],
    ["a mainnet invoice in a sandbox", async () => ({ request: { bolt11: foreignInvoice({ network: "mainnet" }).paymentRequest } }), "input.request.bolt11", /mainnet invoice; a sandbox environment pays only regtest, testnet, signet/],
    [
      "an expired invoice",
      async () => ({ request: { bolt11: foreignInvoice({ timestamp: Math.floor(Date.now() / 1000) - 7200, expirySeconds: 3600 }).paymentRequest } }),
      "input.request.bolt11",
      /expired at/,
    ],
    ["an invoice without an amount", async () => ({ request: { bolt11: foreignInvoice({ amountMsat: null }).paymentRequest } }), "input.request.bolt11", /has no amount/],
    [
      "an invoice issued by the paying wallet itself",
      async () => ({ request: { bolt11: (await openInvoice(payer, wallet, "1000")).paymentRequest } }),
      "input.request.bolt11",
      /issued by this wallet/,
    ],
    [
      "an invoice of this instance with its amount changed (signature kept)",
      async () => ({ request: { bolt11: withAmount((await openInvoice(payee, payeeWallet, "1000")).paymentRequest, "20u") } }),
      "input.request.bolt11",
      /altered/,
    ],
    [
      "an invoice of this instance that was already paid",
      async () => {
        const receive = await openInvoice(payee, payeeWallet, "1000");
        await db.transaction.update({ where: { id: receive.id }, data: { status: "COMPLETED" } });
        return { request: { bolt11: receive.paymentRequest } };
      },
      "input.request.bolt11",
      /already paid/,
    ],
    [
      "an invoice of this instance that expired",
      async () => {
        const receive = await openInvoice(payee, payeeWallet, "1000");
        await db.transaction.update({ where: { id: receive.id }, data: { status: "EXPIRED" } });
        return { request: { bolt11: receive.paymentRequest } };
      },
      "input.request.bolt11",
      /has expired without payment/,
    ],
    [
      "an invoice of this instance that failed",
      async () => {
        const receive = await openInvoice(payee, payeeWallet, "1000");
        await db.transaction.update({ where: { id: receive.id }, data: { status: "FAILED" } });
        return { request: { bolt11: receive.paymentRequest } };
      },
      "input.request.bolt11",
      /failed and can no longer be paid/,
    ],
    [
      "amount + fee reserve above the available balance",
      async () => ({ request: { bolt11: foreignInvoice({ amountMsat: BigInt(995_100_000) }).paymentRequest } }),
      "input.request.bolt11",
      /needs 0\.01000076 BTC \(0\.009951 BTC \+ up to 0\.00004976 BTC in fees\) but the wallet has 0\.01 BTC available/,
    ],
    ["both request and address", async () => ({ request: { bolt11: foreignInvoice({}).paymentRequest }, address: { lightning_address: "a@example.com", amount: "1" } }), "input.address", /not both/],
    ["neither request nor address", async () => ({}), "input.request", /is required/],
    ["metadata that is not a JSON object", async () => ({ request: { bolt11: foreignInvoice({}).paymentRequest }, metadata: "[1]" }), "input.metadata", /JSON object/],
    ["an unknown sandbox behavior", async () => ({ request: { bolt11: foreignInvoice({}).paymentRequest }, metadata: '{"amb_sandbox_behavior":"explode"}' }), "input.metadata.amb_sandbox_behavior", /one of/],
  ];

  it.each(cases)("%s", async (_name, build, field, message) => {
    const input = await build();
    const before = { counts: await rowCounts(), payer: await ledger(wallet), payee: await ledger(payeeWallet) };
    const error = fails(await send(input), "BAD_USER_INPUT", field);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/at .*\.ts:|Error:/); // no stack trace
    expect({ counts: await rowCounts(), payer: await ledger(wallet), payee: await ledger(payeeWallet) }).toEqual(before);
  });

  it("a live wallet (no Lightning node attached yet) is FORBIDDEN, saying why, and nothing is written", async () => {
    const live = await createEnvironment(payer.actor, { name: "Production", type: "LIVE" });
    const liveWallet = (await newWallet(payer, live.environment.id)).id;
    const before = await rowCounts();
    // The dashboard session of the master (a LIVE environment's keys would be refused the same way).
    await expect(createSend(payer.actor, { wallet_id: liveWallet, request: { bolt11: foreignInvoice({}).paymentRequest } })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/no Lightning node attached/),
    });
    expect(await rowCounts()).toEqual(before);
  });

  it("a wallet of another team is NOT_FOUND, and nothing is written", async () => {
    const before = await rowCounts();
    fails(await gql(CREATE_SEND, { input: { wallet_id: payeeWallet, request: { bolt11: foreignInvoice({}).paymentRequest } } }, payerKey), "NOT_FOUND");
    expect(await rowCounts()).toEqual(before);
  });
});

describe("an invoice of another wallet of this instance (internal payment)", () => {
  it("settles both sides at once: statuses, fee 0, the receiver's preimage, both balances, both timelines, both webhooks", async () => {
    const receive = await openInvoice(payee, payeeWallet, "25000");
    const before = { payer: await ledger(wallet), payee: await ledger(payeeWallet) };
    const result = await sent({ request: { bolt11: `LIGHTNING:${receive.paymentRequest.toUpperCase()}` }, idempotency_key: "internal-1", metadata: '{"order":"7"}' });

    expect(result).toMatchObject({ status: "COMPLETED", direction: "SEND", fee: "0", fee_reserve: "0", payment_hash: receive.paymentHash, counterpart_id: receive.id, idempotency_key: "internal-1", metadata: '{"order":"7"}' });
    expect(result.id).toMatch(TX_ID);
    expect(result.amount).toEqual({ full_amount: "25000" });
    expect(createHash("sha256").update(Buffer.from(result.payment_preimage!, "hex")).digest("hex")).toBe(receive.paymentHash);
    expect((result.events as { event_type: string }[]).map((e) => e.event_type)).toEqual(["payment.pending", "payment.completed"]);

    const receiveAfter = ok(await gql<Json>(`query($id: String!) { payment { transaction { find_one(id: $id) { status settle_amount { full_amount } counterpart_id events { event_type } } } } }`, { id: receive.id }, payeeKey));
    expect(receiveAfter).toEqual({ payment: { transaction: { find_one: { status: "COMPLETED", settle_amount: { full_amount: "25000" }, counterpart_id: result.id, events: [{ event_type: "payment.pending" }, { event_type: "payment.completed" }] } } } });

    expect(await ledger(wallet)).toEqual({ ...before.payer, sent: before.payer.sent + BigInt(25000), available: before.payer.available - BigInt(25000) });
    expect(await ledger(payeeWallet)).toEqual({ ...before.payee, received: before.payee.received + BigInt(25000), available: before.payee.available + BigInt(25000) });

    const events = await db.webhookEvent.findMany({ where: { transactionId: { in: [result.id, receive.id] }, eventType: "payment.completed" } });
    const byEnv = Object.fromEntries(events.map((e) => [e.environmentId, JSON.parse(e.payload)]));
    expect(byEnv[payerEnv]).toMatchObject({ event_type: "payment.completed", data: { id: result.id, direction: "send", status: "completed" } });
    expect(byEnv[payeeEnv]).toMatchObject({ event_type: "payment.completed", data: { id: receive.id, direction: "receive", status: "completed" } });

    // The payer's wallet in the API: available, and reserved (nothing pending).
    const balance = ok(await gql<Json>(`query($id: String!) { payment { wallet { find_one(id: $id) { balance { balance received sent reserved } } } } }`, { id: wallet }, payerKey));
    const now = await ledger(wallet);
    expect(balance).toEqual({ payment: { wallet: { find_one: { balance: { balance: now.available.toString(), received: now.received.toString(), sent: now.sent.toString(), reserved: "0" } } } } });
  });

  it("paying the same invoice again returns the completed send (the SDK's already-paid check), with or without a key", async () => {
    const receive = await openInvoice(payee, payeeWallet, "3000");
    const first = await sent({ request: { bolt11: receive.paymentRequest } });
    const before = await ledger(wallet);
    const again = await sent({ request: { bolt11: receive.paymentRequest } });
    const keyed = await sent({ request: { bolt11: receive.paymentRequest }, idempotency_key: "another-key" });
    expect([again.id, keyed.id]).toEqual([first.id, first.id]);
    expect(again.status).toBe("COMPLETED");
    expect(await ledger(wallet)).toEqual(before);
  });

  it("an idempotency key replayed returns the original; the same key for another payment is refused", async () => {
    const a = await openInvoice(payee, payeeWallet, "1000");
    const b = await openInvoice(payee, payeeWallet, "1000");
    const first = await sent({ request: { bolt11: a.paymentRequest }, idempotency_key: "k-replay" });
    expect((await sent({ request: { bolt11: a.paymentRequest }, idempotency_key: "k-replay" })).id).toBe(first.id);
    const before = { counts: await rowCounts(), ledger: await ledger(wallet) };
    const error = fails(await send({ request: { bolt11: b.paymentRequest }, idempotency_key: "k-replay" }), "BAD_USER_INPUT", "input.idempotency_key");
    expect(error.message).toContain(first.id);
    expect({ counts: await rowCounts(), ledger: await ledger(wallet) }).toEqual(before);
  });

  it("a USDT wallet pays a sats invoice at the receive rate, debiting the asset amount rounded up", async () => {
    const usdt = (await newWallet(payer, payerEnv, ASSET.USDT, "USDT")).id;
    await fund(payer, usdt, "100000000"); // 100 USDT
    const receive = await openInvoice(payee, payeeWallet, "12345"); // sats
    const result = await sent({ wallet_id: usdt, request: { bolt11: receive.paymentRequest } });
    const quote = quoteFromSats(BigInt(12345), 6, "USDT");
    expect(result).toMatchObject({ status: "COMPLETED", amount_sats: "12345", exchange_rate: quote.exchangeRate, amount: { full_amount: quote.amount.toString() }, asset: { symbol: "USDT" } });
    // 12 345 sats at USD 100 000 per BTC = 12.345 USDT exactly.
    expect(quote.amount).toBe(BigInt(12_345_000));
    expect((await ledger(usdt)).sent).toBe(BigInt(12_345_000));
    const odd = await openInvoice(payee, payeeWallet, "1");
    // 1 sat = 0.001 USDT = 1000 minor units; rounding up is visible with a rate that does not divide.
    expect((await sent({ wallet_id: usdt, request: { bolt11: odd.paymentRequest } })).amount).toEqual({ full_amount: "1000" });
  });

  it("two payments crossing each other between two wallets both complete (no deadlock)", async () => {
    const other = (await newWallet(payee, payeeEnv, ASSET.BTC, "Second")).id;
    await fund(payee, other, "100000");
    const results = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        if (i % 2 === 0) {
          const inv = await openInvoice(payee, other, "100");
          return sent({ request: { bolt11: inv.paymentRequest } });
        }
        const inv = await openInvoice(payer, wallet, "100");
        return sent({ wallet_id: other, request: { bolt11: inv.paymentRequest } }, payeeKey);
      }),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill("COMPLETED"));
    // (payeeWallet is not checked: the refusal table marked some of its receives paid by hand.)
    await balanced(other);
    await balanced(wallet);
  });
});

describe("an invoice of another node (sandbox: settled by the durable job)", () => {
  it("reserves amount + fee reserve while pending; by default it expires and releases everything", async () => {
    const invoice = foreignInvoice({ amountMsat: BigInt(100_000_000) }); // 100 000 sats
    const before = await ledger(wallet);
    const pending = await sent({ request: { bolt11: invoice.paymentRequest } });
    expect(pending).toMatchObject({ status: "PENDING", fee: "0", fee_reserve: "500", payment_preimage: null, payment_hash: invoice.paymentHash });
    expect(await ledger(wallet)).toEqual({ ...before, reserved: before.reserved + BigInt(100_500), available: before.available - BigInt(100_500) });
    await runJobOf(pending.id);
    const row = await db.transaction.findUniqueOrThrow({ where: { id: pending.id } });
    expect(row).toMatchObject({ status: "EXPIRED", reserved: BigInt(0), fee: BigInt(0) });
    expect(await ledger(wallet)).toEqual(before);
  });

  it("amb_sandbox_behavior complete: books amount + a fee within the reserve, no preimage (only the payee knows it)", async () => {
    const invoice = foreignInvoice({ amountMsat: BigInt(2_000_500) }); // 2000.5 sats → 2001 debited
    const before = await ledger(wallet);
    const pending = await sent({ request: { bolt11: invoice.paymentRequest }, metadata: '{"amb_sandbox_behavior":"complete"}' });
    expect(pending).toMatchObject({ status: "PENDING", amount: { full_amount: "2001" }, fee_reserve: "11" });
    await runJobOf(pending.id);
    const done = ok(await gql<Json>(`query($id: String!) { payment { transaction { find_one(id: $id) { status fee fee_reserve payment_preimage settle_amount { full_amount } } } } }`, { id: pending.id }, payerKey));
    expect(done).toEqual({ payment: { transaction: { find_one: { status: "COMPLETED", fee: "3", fee_reserve: "11", payment_preimage: null, settle_amount: { full_amount: "2001" } } } } });
    expect(await ledger(wallet)).toEqual({ ...before, sent: before.sent + BigInt(2004), available: before.available - BigInt(2004) });
  });

  it("amb_sandbox_behavior fail: FAILED with the reason, everything released", async () => {
    const before = await ledger(wallet);
    const pending = await sent({ request: { bolt11: foreignInvoice({ network: "testnet" }).paymentRequest }, metadata: '{"amb_sandbox_behavior":"fail"}' });
    await runJobOf(pending.id);
    expect(await db.transaction.findUniqueOrThrow({ where: { id: pending.id }, select: { status: true, error: true } })).toEqual({ status: "FAILED", error: "Sandbox payment failed (amb_sandbox_behavior: fail)" });
    expect(await ledger(wallet)).toEqual(before);
  });

  it("a pending send of an invoice is returned again; once it failed, the invoice can be paid anew", async () => {
    const invoice = foreignInvoice({ network: "signet" });
    const first = await sent({ request: { bolt11: invoice.paymentRequest }, metadata: '{"amb_sandbox_behavior":"fail"}' });
    expect((await sent({ request: { bolt11: invoice.paymentRequest } })).id).toBe(first.id);
    await runJobOf(first.id);
    const second = await sent({ request: { bolt11: invoice.paymentRequest } });
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe("PENDING");
  });

  it("a send whose job runs after the invoice expired becomes EXPIRED", async () => {
    const invoice = foreignInvoice({ expirySeconds: 2 });
    const pending = await sent({ request: { bolt11: invoice.paymentRequest }, metadata: '{"amb_sandbox_behavior":"complete"}' });
    await db.transaction.update({ where: { id: pending.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await runJobOf(pending.id);
    expect((await db.transaction.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("EXPIRED");
  });
});
