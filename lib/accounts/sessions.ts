import "server-only";
import { db } from "@/lib/db";
import { badInput, notFound } from "../errors";
import type { UserActor } from "../auth/actor";
import { recordAudit } from "../audit";
import { checkId } from "../validation";

export type SessionView = {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date | null;
  expiresAt: Date;
  /** The session this request came through. */
  current: boolean;
};

/** The actor's signed-in sessions (not logged out, not expired), this one first, then the most recently used. */
export async function listSessions(actor: UserActor): Promise<SessionView[]> {
  const rows = await db.authSession.findMany({
    where: { userId: actor.userId, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { id: true, userAgent: true, ip: true, createdAt: true, lastSeenAt: true, expiresAt: true },
    orderBy: [{ lastSeenAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
  });
  return rows
    .map((r) => ({ ...r, current: r.id === actor.sessionId }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/** Signs one of the actor's other sessions out; it stops working on its next request. */
export async function revokeOwnSession(actor: UserActor, sessionId: unknown): Promise<void> {
  const id = checkId(sessionId, "Session");
  if (id === actor.sessionId) throw badInput("sessionId", "This is the session you are using: log out instead");
  await db.$transaction(async (tx) => {
    const { count } = await tx.authSession.updateMany({ where: { id, userId: actor.userId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count !== 1) throw notFound("Session");
    await recordAudit(tx, actor, "user.session_revoked", { type: "user", id: actor.userId });
  });
}

/** "Sign out everywhere else": every session of the actor but this one ends. */
export async function revokeOtherSessions(actor: UserActor): Promise<{ endedSessions: number }> {
  return db.$transaction(async (tx) => {
    const others = actor.sessionId ? { id: { not: actor.sessionId } } : {};
    const { count } = await tx.authSession.updateMany({ where: { userId: actor.userId, revokedAt: null, ...others }, data: { revokedAt: new Date() } });
    await recordAudit(tx, actor, "user.other_sessions_revoked", { type: "user", id: actor.userId }, { endedSessions: count });
    return { endedSessions: count };
  });
}
