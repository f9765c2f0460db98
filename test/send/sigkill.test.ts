// Money under a killed process (DESIGN.md §5): a process making internal payments and sends to
// other nodes (test/send/send-loop.ts) is SIGKILLed at random moments, five times; then the
// ledgers must balance to the unit: the payer's sent and reserved are exactly what its completed
// and pending sends hold, the payee's received exactly its settled receives, the two sides of
// every internal payment agree, and every ended transaction has exactly one webhook event for it.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "0";

import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runSandboxSend } from "@/lib/jobs/handlers";
import { newSandbox, newTeam, newWallet, sleep, type Team } from "../receive/helpers";
import { fund, ledger } from "./helpers";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KILLS = 5;

let payer: Team;
let payee: Team;
let payerWallet: string;
let payeeWallet: string;

beforeAll(async () => {
  payer = await newTeam("Killed payer");
  payee = await newTeam("Killed payee");
  payerWallet = (await newWallet(payer, (await newSandbox(payer)).id)).id;
  payeeWallet = (await newWallet(payee, (await newSandbox(payee)).id)).id;
  await fund(payer, payerWallet, "100000000");
});

function runUntilKilled(afterReadyMs: number): Promise<void> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "test/send/send-loop.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "error", PAYER_USER: payer.userId, PAYER_WALLET: payerWallet, PAYEE_USER: payee.userId, PAYEE_WALLET: payeeWallet },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`send-loop did not start within 20 s:\n${output}`)), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (!chunk.toString().includes("send-loop ready")) return;
      clearTimeout(timer);
      setTimeout(() => child.kill("SIGKILL"), afterReadyMs);
    });
    child.once("exit", (_code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`send-loop exited by itself (${signal ?? _code}):\n${output}`));
    });
  });
}

describe("SIGKILLed while sending", () => {
  it(`${KILLS} kills at random moments; then every ledger balances to the unit`, { timeout: 120_000 }, async () => {
    for (let i = 0; i < KILLS; i++) await runUntilKilled(400 + Math.random() * 1200);

    // What a worker would do after the crash: run the jobs of sends still pending.
    const pending = await db.transaction.findMany({ where: { walletId: payerWallet, direction: "SEND", status: "PENDING", counterpartId: null }, select: { id: true } });
    for (const { id } of pending) {
      const job = await db.job.findFirst({ where: { type: "sandbox.send", payload: { path: ["transactionId"], equals: id } } });
      expect(job, `the job of pending send ${id} was written with it`).not.toBeNull();
      await runSandboxSend(job!.payload);
    }
    await sleep(10);

    const sends = await db.transaction.findMany({ where: { walletId: payerWallet, direction: "SEND" }, select: { id: true, status: true, amount: true, fee: true, reserved: true, counterpartId: true } });
    const completed = sends.filter((s) => s.status === "COMPLETED");
    expect(completed.filter((s) => s.counterpartId).length, "internal payments made before the kills").toBeGreaterThan(0);
    expect(completed.filter((s) => !s.counterpartId).length, "sends to other nodes completed before the kills").toBeGreaterThan(0);

    const payerLedger = await ledger(payerWallet);
    expect(payerLedger.received).toBe(BigInt(100_000_000));
    expect(payerLedger.sent).toBe(completed.reduce((n, s) => n + s.amount + s.fee, BigInt(0)));
    expect(payerLedger.reserved).toBe(sends.filter((s) => s.status === "PENDING").reduce((n, s) => n + s.reserved, BigInt(0)));
    expect(payerLedger.reserved).toBe(BigInt(0));
    expect(sends.filter((s) => s.status !== "PENDING" && s.reserved !== BigInt(0))).toEqual([]);

    const receives = await db.transaction.findMany({ where: { walletId: payeeWallet, direction: "RECEIVE" }, select: { id: true, status: true, settleAmount: true, counterpartId: true } });
    const payeeLedger = await ledger(payeeWallet);
    expect(payeeLedger.received).toBe(receives.filter((r) => r.status === "COMPLETED").reduce((n, r) => n + r.settleAmount!, BigInt(0)));
    // The two sides of every internal payment agree.
    const receiveById = new Map(receives.map((r) => [r.id, r]));
    for (const send of sends.filter((s) => s.counterpartId)) {
      expect(send.status).toBe("COMPLETED");
      expect(receiveById.get(send.counterpartId!)).toMatchObject({ status: "COMPLETED", counterpartId: send.id });
    }
    expect(receives.filter((r) => r.status === "COMPLETED" && !r.counterpartId)).toEqual([]);

    // One webhook event per transaction and status reached.
    const ended = [...sends, ...receives].filter((t) => t.status !== "PENDING");
    const events = await db.webhookEvent.groupBy({ by: ["transactionId", "eventType"], where: { transactionId: { in: ended.map((t) => t.id) } }, _count: true });
    expect(events.filter((e) => e._count !== 1)).toEqual([]);
    for (const t of ended) expect(events.some((e) => e.transactionId === t.id && e.eventType === `payment.${t.status.toLowerCase()}`), t.id).toBe(true);
  });
});
