import "server-only";
import { checkId } from "../validation";
import { db } from "@/lib/db";
import { AppError, forbidden, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { recordAudit } from "../audit";
import { authorize, environmentScope } from "../auth/permissions";

/**
 * Deletes an environment with its keys, wallets, transactions and endpoints. Refused while any
 * wallet in it holds a non-zero balance. Master session, or a key with ENVIRONMENTS WRITE on its
 * own sandbox environment.
 */
export async function deleteEnvironment(actor: Actor, id: string): Promise<true> {
  authorize(actor, "ENVIRONMENTS", "WRITE");
  if (actor.kind === "user" && !actor.isMaster) throw forbidden("Only the team's master account can delete environments");
  const scope = environmentScope(actor);
  if (scope.id && scope.id !== id) throw notFound("Environment");
  await db.$transaction(async (tx) => {
    const env = await tx.environment.findFirst({ where: { ...scope, id: checkId(id, "Environment") }, select: { id: true, type: true, name: true } });
    if (!env) throw notFound("Environment");
    if (env.type === "LIVE" && actor.kind === "key") throw forbidden("LIVE environments can only be deleted with the master account's dashboard session");
    // Lock the wallets so no payment settles into them while we decide.
    const funded = await tx.$queryRaw<{ n: bigint }[]>`
      SELECT count(*)::bigint AS n FROM (
        SELECT id FROM wallets WHERE "environmentId" = ${env.id} AND received - sent <> 0 FOR UPDATE
      ) w`;
    if (Number(funded[0]?.n ?? 0) > 0) {
      throw new AppError("CONFLICT", "id: this environment still has wallets with a balance; move the funds out and delete those wallets first", {
        field: "id",
        detail: "This environment still has wallets with a balance; move the funds out and delete those wallets first",
      });
    }
    await tx.environment.delete({ where: { id: env.id } });
    await recordAudit(tx, actor, "environment.deleted", { type: "environment", id: env.id }, { name: env.name, type: env.type });
  });
  return true;
}
