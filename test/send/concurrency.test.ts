// Money under concurrency (DESIGN.md §5): 100 sends racing for one balance never take it below
// zero and the ledger balances to the unit (received = available + sent + reserved); 50 concurrent
// replays of one idempotency key, or of one invoice, make exactly one send.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "0";
process.env.SEND_FEE_RESERVE_BPS = "50";
process.env.SEND_FEE_RESERVE_MIN_SATS = "10";

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runSandboxSend } from "@/lib/jobs/handlers";
import { gql, mintKey, newSandbox, newTeam, newWallet, type Team } from "../receive/helpers";
import { balanced, CREATE_SEND, foreignInvoice, fund, ledger, openInvoice } from "./helpers";
import type { Json } from "../json";

let team: Team;
let payee: Team;
let key: string;
let payeeWallet: string;
let envId: string;

beforeAll(async () => {
  team = await newTeam("Concurrent payer");
  payee = await newTeam("Concurrent payee");
  envId = (await newSandbox(team)).id;
  key = await mintKey(team, envId);
  payeeWallet = (await newWallet(payee, (await newSandbox(payee)).id)).id;
});

type Answer = { data?: { payment: { transaction: { create_send: { id: string; status: string } } } } | null; errors?: { message: string; extensions?: { code?: string } }[] };
const send = (input: Record<string, unknown>) => gql<Json>(CREATE_SEND, { input }, key) as Promise<Answer & { status: number }>;

describe("100 concurrent sends against one balance", () => {
  it("to other nodes: exactly as many as the balance covers are accepted, the rest refused for the balance; then all settle", async () => {
    const wallet = (await newWallet(team, envId, undefined, "Race")).id;
    await fund(team, wallet, "100000");
    // 1500 sats + a 10 sat reserve each: 66 fit in 100 000.
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        send({ wallet_id: wallet, request: { bolt11: foreignInvoice({ amountMsat: BigInt(1_500_000) }).paymentRequest }, metadata: JSON.stringify({ amb_sandbox_behavior: i % 3 === 0 ? "fail" : "complete" }) }),
      ),
    );
    const accepted = answers.filter((a) => a.data?.payment.transaction.create_send.status === "PENDING");
    const refused = answers.filter((a) => a.errors);
    expect(accepted).toHaveLength(66);
    expect(refused).toHaveLength(34);
    for (const a of refused) {
      expect(a.errors![0].extensions?.code).toBe("BAD_USER_INPUT");
      expect(a.errors![0].message).toMatch(/available/);
    }
    const during = await balanced(wallet);
    expect(during.reserved).toBe(BigInt(66 * 1510));

    await Promise.all(
      accepted.map(async (a) => {
        const id = a.data!.payment.transaction.create_send.id;
        const job = await db.job.findFirstOrThrow({ where: { type: "sandbox.send", payload: { path: ["transactionId"], equals: id } } });
        await runSandboxSend(job.payload);
      }),
    );
    const after = await balanced(wallet);
    expect(after.reserved).toBe(BigInt(0));
    const completed = await db.transaction.count({ where: { walletId: wallet, direction: "SEND", status: "COMPLETED" } });
    expect(completed).toBeGreaterThan(0);
    expect(after.sent).toBe(BigInt(completed * (1500 + 2))); // simulated fee: 0.1 % of 1500, rounded up
  });

  it("to invoices of this instance: they settle at once, and the balance covers exactly as many", async () => {
    const wallet = (await newWallet(team, envId, undefined, "Race internal")).id;
    await fund(team, wallet, "50000");
    const invoices = await Promise.all(Array.from({ length: 100 }, () => openInvoice(payee, payeeWallet, "1000")));
    const before = await ledger(payeeWallet);
    const answers = await Promise.all(invoices.map((inv) => send({ wallet_id: wallet, request: { bolt11: inv.paymentRequest } })));
    const paid = answers.filter((a) => a.data?.payment.transaction.create_send.status === "COMPLETED");
    expect(paid).toHaveLength(50);
    expect(answers.filter((a) => a.errors?.[0].extensions?.code === "BAD_USER_INPUT")).toHaveLength(50);
    const after = await balanced(wallet);
    expect(after).toMatchObject({ available: BigInt(0), sent: BigInt(50_000), reserved: BigInt(0) });
    expect((await ledger(payeeWallet)).received - before.received).toBe(BigInt(50_000));
    expect(await db.transaction.count({ where: { id: { in: invoices.map((i) => i.id) }, status: "COMPLETED" } })).toBe(50);
  });
});

describe("50 concurrent replays", () => {
  it("of one idempotency key: one send, every answer is it", async () => {
    const wallet = (await newWallet(team, envId, undefined, "Replays")).id;
    await fund(team, wallet, "100000");
    const invoice = foreignInvoice({ amountMsat: BigInt(1_000_000) }).paymentRequest;
    const answers = await Promise.all(Array.from({ length: 50 }, () => send({ wallet_id: wallet, request: { bolt11: invoice }, idempotency_key: "pay-once" })));
    const ids = new Set(answers.map((a) => a.data?.payment.transaction.create_send.id));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    expect(ids.size).toBe(1);
    expect(await db.transaction.count({ where: { walletId: wallet, direction: "SEND" } })).toBe(1);
    expect((await balanced(wallet)).reserved).toBe(BigInt(1010));
  });

  it("of one invoice of this instance, without keys: one payment, every answer is it", async () => {
    const wallet = (await newWallet(team, envId, undefined, "Replays internal")).id;
    await fund(team, wallet, "100000");
    const invoice = await openInvoice(payee, payeeWallet, "777");
    const answers = await Promise.all(Array.from({ length: 50 }, () => send({ wallet_id: wallet, request: { bolt11: invoice.paymentRequest } })));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    expect(new Set(answers.map((a) => a.data?.payment.transaction.create_send.id)).size).toBe(1);
    expect((await balanced(wallet)).sent).toBe(BigInt(777));
  });
});
