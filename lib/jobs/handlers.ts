import "server-only";
import { db } from "@/lib/db";
import { transition, transitionInTx, type TerminalStatus } from "../transactions/lifecycle";

export type SandboxBehavior = "complete" | "fail" | "expire";
const OUTCOME: Record<SandboxBehavior, TerminalStatus> = { complete: "COMPLETED", fail: "FAILED", expire: "EXPIRED" };

/**
 * Sandbox settlement: the simulated payer pays (or the payment fails, or the invoice lapses). The
 * job is due no later than the invoice's expiry; if it only runs after that (no worker was up),
 * the invoice expires instead: a payment is never recorded after expires_at.
 */
export async function runSandboxSettle(payload: unknown): Promise<void> {
  const { transactionId, behavior } = payload as { transactionId: string; behavior: SandboxBehavior };
  const tx = await db.transaction.findUnique({ where: { id: transactionId }, select: { expiresAt: true } });
  if (!tx) return;
  const lapsed = tx.expiresAt !== null && tx.expiresAt.getTime() <= Date.now();
  const to: TerminalStatus = lapsed ? "EXPIRED" : Object.hasOwn(OUTCOME, behavior) ? OUTCOME[behavior] : "COMPLETED";
  await transition(transactionId, to, {
    message: to === "COMPLETED" ? "Payment settled (sandbox)" : undefined,
    error: to === "FAILED" ? "Sandbox payment failed (amb_sandbox_behavior: fail)" : undefined,
    details: { source: "sandbox", behavior },
  });
}

/** The routing fee a simulated sandbox payment to another node pays: 0.1 % of the amount, rounded up, within the reserve. */
export const SANDBOX_ROUTING_FEE_BPS = 10;

/**
 * A sandbox send to an invoice of another node: the simulated network settles it per
 * `amb_sandbox_behavior` (default `expire`, as the published Rails SDK documents for sandbox
 * sends). A completed one pays a simulated routing fee; it has no preimage, because only the
 * invoice's issuer knows it (README: "Sending").
 */
export async function runSandboxSend(payload: unknown): Promise<void> {
  const { transactionId, behavior } = payload as { transactionId: string; behavior: SandboxBehavior };
  const tx = await db.transaction.findUnique({ where: { id: transactionId }, select: { expiresAt: true, amount: true, feeReserve: true } });
  if (!tx) return;
  const lapsed = tx.expiresAt !== null && tx.expiresAt.getTime() <= Date.now();
  const to: TerminalStatus = lapsed ? "EXPIRED" : Object.hasOwn(OUTCOME, behavior) ? OUTCOME[behavior] : "EXPIRED";
  const proportional = (tx.amount * BigInt(SANDBOX_ROUTING_FEE_BPS) + BigInt(9_999)) / BigInt(10_000);
  const cap = tx.feeReserve ?? BigInt(0);
  await transition(transactionId, to, {
    fee: to === "COMPLETED" ? (proportional < cap ? proportional : cap) : undefined,
    message:
      to === "COMPLETED"
        ? "Payment sent (sandbox: simulated route)"
        : to === "EXPIRED"
          ? lapsed
            ? "Invoice expired before the payment was made"
            : "Payment expired without settling (sandbox default; set amb_sandbox_behavior to complete or fail)"
          : undefined,
    error: to === "FAILED" ? "Sandbox payment failed (amb_sandbox_behavior: fail)" : undefined,
    details: { source: "sandbox", behavior },
  });
}

/**
 * The expiry sweeper: every pending transaction past its expires_at becomes EXPIRED, except the
 * invoices a live node minted: the node could still settle those at the last moment, so their
 * expiry is decided by asking the node (lib/nodes/subscriptions.ts, reconcileNode). Rows are
 * claimed with SKIP LOCKED, so workers sweeping at once split the work and a settlement holding
 * a row is never waited for (its conditional update decides).
 */
export async function sweepExpired(limit = 50): Promise<number> {
  return db.$transaction(async (tx) => {
    const due = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM transactions
      WHERE status = 'PENDING' AND "expiresAt" <= now() AND "nodeId" IS NULL
      ORDER BY "expiresAt"
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
    let expired = 0;
    for (const { id } of due) if (await transitionInTx(tx, id, "EXPIRED")) expired++;
    return expired;
  });
}
