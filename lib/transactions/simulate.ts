import "server-only";
import { AppError, forbidden } from "../errors";
import type { Actor } from "../auth/actor";
import { authorize } from "../auth/permissions";
import { transition, type TerminalStatus } from "./lifecycle";
import { findTransaction } from "./query-transactions";
import type { TransactionView } from "./transaction-view";

const OUTCOMES = { settle: "COMPLETED", fail: "FAILED", expire: "EXPIRED" } as const satisfies Record<string, TerminalStatus>;
export type SandboxOutcome = keyof typeof OUTCOMES;

/** Sandbox only: settle, fail or expire a pending invoice now (the dashboard's buttons). */
export async function simulateSandboxOutcome(actor: Actor, transactionId: string, outcome: SandboxOutcome): Promise<TransactionView> {
  authorize(actor, "PAYMENTS", "WRITE");
  const tx = await findTransaction(actor, transactionId);
  if (tx.environmentType !== "SANDBOX") throw forbidden("Only sandbox payments can be settled, failed or expired by hand");
  const to = Object.hasOwn(OUTCOMES, outcome) ? OUTCOMES[outcome] : undefined;
  if (!to) throw new AppError("BAD_USER_INPUT", "outcome: must be settle, fail or expire", { field: "outcome", detail: "Must be settle, fail or expire" });
  if (tx.status !== "PENDING") {
    throw new AppError("CONFLICT", `This payment is already ${tx.status.toLowerCase()}`);
  }
  const changed = await transition(tx.id, to, {
    message: to === "COMPLETED" ? "Payment settled by hand (sandbox)" : to === "EXPIRED" ? "Invoice expired by hand (sandbox)" : undefined,
    error: to === "FAILED" ? "Payment failed by hand (sandbox)" : undefined,
    details: { source: "dashboard" },
  });
  if (!changed) throw new AppError("CONFLICT", "This payment changed status in the meantime");
  return findTransaction(actor, tx.id);
}
