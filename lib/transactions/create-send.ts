import "server-only";
import { db } from "@/lib/db";
import { AppError, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { assertWalletInKeyScope, authorize } from "../auth/permissions";
import { parseInput } from "../validation";
import { CreateSendInput } from "./schemas";

/**
 * create_send: sending over Lightning needs a node that can pay (DESIGN.md §6), which this version
 * does not attach yet. The caller is still checked exactly like create_receive (PAYMENTS WRITE, the
 * wallet within the key's environment and wallet scope), so a caller without access learns nothing,
 * and an allowed caller gets a clear NOT_IMPLEMENTED.
 */
export async function createSend(actor: Actor, raw: unknown): Promise<never> {
  authorize(actor, "PAYMENTS", "WRITE");
  const input = parseInput(CreateSendInput, raw, "input");
  assertWalletInKeyScope(actor, input.wallet_id);
  const wallet = await db.wallet.findFirst({
    where: { id: input.wallet_id, environment: { teamId: actor.teamId, ...(actor.kind === "key" ? { id: actor.environmentId } : {}) } },
    select: { id: true },
  });
  if (!wallet) throw notFound("Wallet");
  throw new AppError("NOT_IMPLEMENTED", "payment.transaction.create_send is not available in this version of Boltrail yet: sending payments needs a Lightning node that can pay");
}
