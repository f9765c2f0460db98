import "server-only";
import type { Prisma } from "@/lib/db";
import type { Actor } from "./auth/actor";

type Tx = Pick<Prisma.TransactionClient, "auditLog">;

/** Appends an audit record in the caller's transaction. */
export async function recordAudit(
  tx: Tx,
  actor: Actor,
  action: string,
  target: { type: string; id: string },
  details?: Prisma.InputJsonValue,
): Promise<void> {
  await tx.auditLog.create({
    data: {
      teamId: actor.teamId,
      actorUserId: actor.kind === "user" ? actor.userId : null,
      actorKeyId: actor.kind === "key" ? actor.keyId : null,
      action,
      targetType: target.type,
      targetId: target.id,
      details,
    },
  });
}
