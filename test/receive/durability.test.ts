// Sandbox settlement is a durable job (DESIGN.md §6): it survives a restart, a crashed worker's
// lease runs out and another worker takes the job, and workers running side by side settle each
// invoice exactly once.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "1500";

import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createReceive } from "@/lib/transactions/create-receive";
import { claimDueJobs, completeJob, LEASE_MS, MAX_ATTEMPTS } from "@/lib/jobs/queue";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { runSandboxSettle } from "@/lib/jobs/handlers";
import { ASSET, newSandbox, newTeam, newWallet, sleep, waitFor, type Team } from "./helpers";

let team: Team;
let walletId: string;

beforeAll(async () => {
  team = await newTeam("Durability");
  const env = await newSandbox(team);
  walletId = (await newWallet(team, env.id, ASSET.BTC)).id;
});

const running: RunningWorker[] = [];
function worker(options: Parameters<typeof startWorker>[0] = {}) {
  const w = startWorker({ pollMs: 20, sweepMs: 50, log: () => {}, ...options });
  running.push(w);
  return w;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});

const jobOf = (transactionId: string) => db.job.findFirstOrThrow({ where: { payload: { path: ["transactionId"], equals: transactionId } } });
const statusOf = async (id: string) => (await db.transaction.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;
/** The job row once it is marked done (completeJob runs just after the transition commits). */
const doneJob = (where: { id: string } | { transactionId: string }) =>
  waitFor(async () => {
    const j = "id" in where ? await db.job.findUniqueOrThrow({ where: { id: where.id } }) : await jobOf(where.transactionId);
    return j.doneAt ? j : null;
  }, 3000, "the job to be marked done");
const completedEvents = (transactionId: string) => db.transactionEvent.count({ where: { transactionId, eventType: "payment.completed" } });

describe("durable sandbox settlement", () => {
  it("a pending settlement survives a restart: not run early, not lost while no worker runs, run by the next worker", async () => {
    const tx = await createReceive(team.actor, { wallet_id: walletId, amount: "1000", expires_in_seconds: 3600 });
    const job = await jobOf(tx.id);
    expect(job.runAt.getTime() - tx.createdAt.getTime()).toBeGreaterThanOrEqual(1400);
    expect(job.runAt.getTime() - tx.createdAt.getTime()).toBeLessThanOrEqual(1600);

    // A worker runs before the delay is up, then the process "stops".
    const first = worker();
    await sleep(400);
    expect(await statusOf(tx.id)).toBe("PENDING");
    await first.stop();
    running.splice(running.indexOf(first), 1);
    expect(await jobOf(tx.id)).toMatchObject({ attempts: 0, doneAt: null, lockedBy: null });

    // Down past the settlement time: nothing happens, nothing is lost.
    await waitFor(async () => Date.now() > job.runAt.getTime() + 100, 3000, "the settlement time to pass");
    expect(await statusOf(tx.id)).toBe("PENDING");

    // "Restart": a new worker settles it.
    worker();
    await waitFor(async () => (await statusOf(tx.id)) === "COMPLETED", 3000, "settlement after restart");
    expect(await completedEvents(tx.id)).toBe(1);
    // Claimed once after the restart (a transient failure under load would retry: at least once).
    expect((await doneJob({ transactionId: tx.id })).attempts).toBeGreaterThanOrEqual(1);
  });

  it("a job held by a worker that crashed (lease run out) is picked up by another worker", async () => {
    const tx = await createReceive(team.actor, { wallet_id: walletId, amount: "1000", expires_in_seconds: 3600 });
    const past = new Date(Date.now() - 5000);
    const { id: jobId } = await jobOf(tx.id);
    await db.job.update({ where: { id: jobId }, data: { runAt: past, lockedBy: "worker-crashed", lockedUntil: new Date(Date.now() - 1000), attempts: 1, doneAt: null } });

    const rescuer = worker();
    await waitFor(async () => (await statusOf(tx.id)) === "COMPLETED", 3000, "the crashed worker's job to be taken over");
    const job = await doneJob({ id: jobId });
    expect(job.lockedBy).toBe(rescuer.id);
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(await completedEvents(tx.id)).toBe(1);
  });

  it("a job whose lease is still running is left alone by other workers", async () => {
    const tx = await createReceive(team.actor, { wallet_id: walletId, amount: "1000", expires_in_seconds: 3600 });
    const { id: jobId } = await jobOf(tx.id);
    await db.job.update({ where: { id: jobId }, data: { runAt: new Date(Date.now() - 5000), lockedBy: "worker-busy", lockedUntil: new Date(Date.now() + 60_000), attempts: 1 } });
    worker();
    await sleep(300);
    expect(await statusOf(tx.id)).toBe("PENDING");
    expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ attempts: 1, lockedBy: "worker-busy", doneAt: null });
    // The lease runs out → taken over.
    await db.job.update({ where: { id: jobId }, data: { lockedUntil: new Date(Date.now() - 1) } });
    await waitFor(async () => (await statusOf(tx.id)) === "COMPLETED", 3000, "settlement after the lease ran out");
  });

  it("claims carry a lease; a worker that lost its lease cannot mark the job done", async () => {
    const tx = await createReceive(team.actor, { wallet_id: walletId, amount: "1000", expires_in_seconds: 3600 });
    const { id: jobId } = await jobOf(tx.id);
    await db.job.update({ where: { id: jobId }, data: { runAt: new Date(Date.now() - 1000) } });
    // Only this job is due (every other job of this file is done or not yet due)…
    await db.job.updateMany({ where: { id: { not: jobId }, doneAt: null }, data: { runAt: new Date(Date.now() + 3600_000) } });

    const a = await claimDueJobs("worker-a", 10);
    expect(a.map((j) => j.id)).toEqual([jobId]);
    const leased = await db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(leased.lockedBy).toBe("worker-a");
    expect(leased.lockedUntil!.getTime() - Date.now()).toBeGreaterThan(LEASE_MS - 5000);
    expect(await claimDueJobs("worker-b", 10)).toEqual([]); // leased: nobody else gets it

    await db.job.update({ where: { id: jobId }, data: { lockedUntil: new Date(Date.now() - 1) } });
    const b = await claimDueJobs("worker-b", 10);
    expect(b).toEqual([expect.objectContaining({ id: jobId, attempts: 2 })]);

    await completeJob(jobId, "worker-a"); // too late: the lease is worker-b's now
    expect((await db.job.findUniqueOrThrow({ where: { id: jobId } })).doneAt).toBeNull();
    await completeJob(jobId, "worker-b");
    expect((await db.job.findUniqueOrThrow({ where: { id: jobId } })).doneAt).not.toBeNull();
    expect(await claimDueJobs("worker-c", 10)).toEqual([]);
  });

  it("a failing job is retried later with backoff, given up after MAX_ATTEMPTS, and blocks nothing", async () => {
    const failing = await db.job.create({ data: { type: "no.such.handler", payload: { n: 1 }, runAt: new Date(Date.now() - 1000) } });
    const exhausted = await db.job.create({ data: { type: "no.such.handler", payload: { n: 2 }, runAt: new Date(Date.now() - 1000), attempts: MAX_ATTEMPTS - 1 } });
    const tx = await createReceive(team.actor, { wallet_id: walletId, amount: "1000", expires_in_seconds: 3600 });
    await db.job.updateMany({ where: { payload: { path: ["transactionId"], equals: tx.id } }, data: { runAt: new Date(Date.now() - 1000) } });
    const logs: string[] = [];
    worker({ log: (m) => logs.push(m) });
    await waitFor(async () => (await statusOf(tx.id)) === "COMPLETED", 3000, "the settlement beside failing jobs");
    const retried = await waitFor(async () => {
      const j = await db.job.findUniqueOrThrow({ where: { id: failing.id } });
      return j.lastError ? j : null;
    });
    expect(retried).toMatchObject({ attempts: 1, doneAt: null, lockedBy: null, lockedUntil: null });
    expect(retried.lastError).toContain("no handler for job type no.such.handler");
    expect(retried.runAt.getTime()).toBeGreaterThan(Date.now() + 500); // backoff, not a hot loop
    const gaveUp = await waitFor(async () => {
      const j = await db.job.findUniqueOrThrow({ where: { id: exhausted.id } });
      return j.doneAt ? j : null;
    });
    expect(gaveUp.attempts).toBe(MAX_ATTEMPTS);
    expect(logs.some((m) => m.includes(failing.id))).toBe(true);
  });

  it("two workers running at once on 30 invoices settle each exactly once", async () => {
    const wallet = await newWallet(team, (await db.wallet.findUniqueOrThrow({ where: { id: walletId } })).environmentId, ASSET.BTC, "Two workers");
    const txs = [];
    for (let i = 0; i < 30; i++) txs.push(await createReceive(team.actor, { wallet_id: wallet.id, amount: String(1000 + i), expires_in_seconds: 3600 }));
    const ids = txs.map((t) => t.id);
    // Due now rather than in 1.5 s.
    await db.job.updateMany({ where: { doneAt: null, OR: ids.map((id) => ({ payload: { path: ["transactionId"], equals: id } })) }, data: { runAt: new Date(Date.now() - 10) } });

    worker({ batch: 3 });
    worker({ batch: 3 });
    await waitFor(async () => (await db.transaction.count({ where: { id: { in: ids }, status: "COMPLETED" } })) === 30, 8000, "all 30 settled");
    await waitFor(async () => (await db.job.count({ where: { doneAt: null, OR: ids.map((id) => ({ payload: { path: ["transactionId"], equals: id } })) } })) === 0, 3000, "all 30 jobs done");

    const completed = await db.transactionEvent.groupBy({ by: ["transactionId"], where: { transactionId: { in: ids }, eventType: "payment.completed" }, _count: { _all: true } });
    expect(completed).toHaveLength(30);
    expect(completed.every((c) => c._count._all === 1)).toBe(true);
    const hooks = await db.webhookEvent.count({ where: { transactionId: { in: ids }, eventType: "payment.completed" } });
    expect(hooks).toBe(30);
    const jobs = await db.job.findMany({ where: { OR: ids.map((id) => ({ payload: { path: ["transactionId"], equals: id } })) } });
    expect(jobs).toHaveLength(30);
    // Done, each by one worker; only a transient failure (none expected) would add an attempt.
    expect(jobs.every((j) => j.doneAt !== null && j.attempts >= 1)).toBe(true);
    const expected = txs.reduce((sum, t) => sum + t.amount - t.fee, 0n);
    expect((await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } })).received).toBe(expected);
  });

  // Regression test: runSandboxSettle (lib/jobs/handlers.ts) used to complete an invoice whose
  // expiry had passed before the job ran (no worker up at that moment, a restart, a backlog),
  // recording settled_at > expires_at; the worker also claims jobs before it sweeps.
  it("a settlement job run after the invoice expired never records a payment after expires_at", async () => {
    const tx = await createReceive(team.actor, { wallet_id: walletId, amount: "1000", expires_in_seconds: 1 });
    const job = await jobOf(tx.id);
    expect(job.runAt.getTime()).toBe(tx.expiresAt!.getTime()); // min(now + 1500 ms, expires_at)
    // No worker ran at that moment: fast-forward the expiry 300 ms into the past, then run the job's handler.
    await db.transaction.update({ where: { id: tx.id }, data: { expiresAt: new Date(Date.now() - 300) } });
    await runSandboxSettle(job.payload);
    const row = await db.transaction.findUniqueOrThrow({ where: { id: tx.id } });
    if (row.status === "COMPLETED") expect(row.settledAt!.getTime()).toBeLessThanOrEqual(row.expiresAt!.getTime());
    else expect(row.status).toBe("EXPIRED");
  });
});
