"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { findTransaction } from "@/lib/transactions/query-transactions";
import { simulateSandboxOutcome, type SandboxOutcome } from "@/lib/transactions/simulate";
import type { PaymentStatus } from "@/components/ui/status-badge";

export async function getTransactionStatusAction(transactionId: string): Promise<PaymentStatus> {
  const result = await runUserAction(async (actor) => (await findTransaction(actor, transactionId)).status);
  if (!result.ok) throw new Error(result.error.message);
  return result.data;
}

export async function simulateOutcomeAction(environmentId: string, transactionId: string, outcome: SandboxOutcome) {
  const result = await runUserAction(async (actor) => (await simulateSandboxOutcome(actor, transactionId, outcome)).status);
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}
