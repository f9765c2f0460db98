import "server-only";
import { db } from "@/lib/db";
import type { UserActor } from "./actor";

/**
 * Turns a session's claims into an actor, or null when the session no longer stands: the user was
 * removed, left the team, or their token version changed (all their sessions were revoked).
 */
export async function resolveSessionUser(userId: unknown, tokenVersion: unknown): Promise<UserActor | null> {
  if (typeof userId !== "string" || typeof tokenVersion !== "number") return null;
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, tokenVersion: true, membership: { select: { teamId: true, role: true } } },
  });
  if (!user || user.tokenVersion !== tokenVersion || !user.membership) return null;
  return {
    kind: "user",
    userId: user.id,
    teamId: user.membership.teamId,
    isMaster: user.membership.role === "MASTER",
    email: user.email,
  };
}
