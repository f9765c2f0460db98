import "server-only";
import { checkId } from "../validation";
import { db } from "@/lib/db";
import { AppError, forbidden, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { recordAudit } from "../audit";
import { assertEnvironmentInKeyScope, authorize, environmentScope, refuseWalletScopedKey } from "../auth/permissions";

/**
 * Deletes an environment with its keys, wallets, transactions, webhook events and endpoints (the
 * schema cascades; pending jobs of its transactions find nothing and end). Master session, or a
 * key with ENVIRONMENTS WRITE on its own sandbox or one it created (not a wallet-scoped key).
 * DESIGN.md §4: a SANDBOX goes whatever its (fake) balance; a LIVE environment only once every
 * wallet in it is empty.
 */
export async function deleteEnvironment(actor: Actor, id: string): Promise<true> {
  authorize(actor, "ENVIRONMENTS", "WRITE");
  refuseWalletScopedKey(actor, "delete environments");
  if (actor.kind === "user" && !actor.isMaster) throw forbidden("Only the team's master account can delete environments");
  assertEnvironmentInKeyScope(actor, id);
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findFirst({
      where: { AND: [environmentScope(actor), { id: checkId(id, "Environment") }] },
      select: { id: true, type: true, name: true },
    });
    if (!env) throw notFound("Environment");
    if (env.type === "LIVE") {
      if (actor.kind === "key") throw forbidden("LIVE environments can only be deleted with the master account's dashboard session");
      // Lock the wallets so no payment settles into them while we decide.
      const funded = await tx.$queryRaw<{ n: bigint }[]>`
        SELECT count(*)::bigint AS n FROM (
          SELECT id FROM wallets WHERE "environmentId" = ${env.id} AND (received - sent <> 0 OR reserved <> 0) FOR UPDATE
        ) w`;
      if (Number(funded[0]?.n ?? 0) > 0) {
        throw new AppError("CONFLICT", "id: this LIVE environment still has wallets with a balance; move the funds out and delete those wallets first", {
          field: "id",
          detail: "This LIVE environment still has wallets with a balance; move the funds out and delete those wallets first",
        });
      }
    }
    await tx.environment.delete({ where: { id: env.id } });
    await recordAudit(tx, actor, "environment.deleted", { type: "environment", id: env.id }, { name: env.name, type: env.type });
  });
  return true;
}
