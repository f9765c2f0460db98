import "server-only";
import { randomUUID } from "node:crypto";
import { db, sql, type Prisma, type Tx } from "@/lib/db";

/**
 * Durable jobs: rows in PostgreSQL, enqueued in the transaction that creates the work, claimed
 * with FOR UPDATE SKIP LOCKED and a lease, so several workers share them, a crash loses nothing
 * (the lease runs out and another worker takes the job) and a job is never run by two at once.
 */
export type JobType = "sandbox.settle" | "sandbox.send" | "live.send";

export async function enqueueJob(tx: Tx, type: JobType, payload: Prisma.InputJsonValue, runAt: Date): Promise<void> {
  await tx.job.create({ data: { type, payload, runAt } });
}

export type ClaimedJob = { id: string; type: string; payload: unknown; attempts: number };

export const LEASE_MS = 30_000;
export const MAX_ATTEMPTS = 10;

export async function claimDueJobs(workerId: string, limit: number): Promise<ClaimedJob[]> {
  return sql<ClaimedJob>(
    `UPDATE jobs SET "lockedUntil" = now() + ($1::int * interval '1 millisecond'), "lockedBy" = $2, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM jobs
       WHERE "doneAt" IS NULL AND "runAt" <= now() AND ("lockedUntil" IS NULL OR "lockedUntil" < now())
       ORDER BY "runAt"
       LIMIT $3
       FOR UPDATE SKIP LOCKED
     )
     RETURNING id, type, payload, attempts`,
    [LEASE_MS, workerId, limit],
  );
}

/** Marks a job done, only if this worker still holds its lease. */
export async function completeJob(id: string, workerId: string): Promise<void> {
  await db.job.updateMany({ where: { id, lockedBy: workerId }, data: { doneAt: new Date(), lockedUntil: null } });
}

/** Releases a failed job for a later retry with backoff, or gives up after MAX_ATTEMPTS. */
export async function failJob(job: ClaimedJob, workerId: string, error: string): Promise<void> {
  const giveUp = job.attempts >= MAX_ATTEMPTS;
  await db.job.updateMany({
    where: { id: job.id, lockedBy: workerId },
    data: {
      lastError: error.slice(0, 2000),
      lockedUntil: null,
      lockedBy: null,
      runAt: new Date(Date.now() + Math.min(60_000, 1000 * 2 ** job.attempts)),
      ...(giveUp ? { doneAt: new Date() } : {}),
    },
  });
}

export const newWorkerId = () => `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
