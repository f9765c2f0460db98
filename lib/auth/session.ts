import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import type { UserActor } from "./actor";

/** How long a dashboard session lasts (the JWT's maxAge and the session row's expiry). */
export const SESSION_MAX_AGE_SECONDS = 14 * 24 * 60 * 60;

/** Starts a dashboard session for a user who just proved their password; its id goes in the JWT (`sid`). */
export async function createSession(userId: string): Promise<string> {
  const id = randomBytes(24).toString("base64url");
  await db.authSession.create({ data: { id, userId, expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000) } });
  return id;
}

/** Ends one session (log out): its token stops working on its next use, cookie or Bearer alike. */
export async function revokeSession(sessionId: unknown): Promise<void> {
  if (typeof sessionId !== "string") return;
  await db.authSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/**
 * Turns a session's claims into an actor, or null when the session no longer stands: it was
 * logged out or expired, the user was removed or left the team, or their token version changed
 * (all their sessions were revoked).
 */
export async function resolveSessionUser(userId: unknown, tokenVersion: unknown, sessionId: unknown): Promise<UserActor | null> {
  if (typeof userId !== "string" || typeof tokenVersion !== "number" || typeof sessionId !== "string") return null;
  const session = await db.authSession.findUnique({
    where: { id: sessionId },
    select: {
      userId: true,
      expiresAt: true,
      revokedAt: true,
      user: { select: { id: true, email: true, tokenVersion: true, membership: { select: { teamId: true, role: true } } } },
    },
  });
  if (!session || session.userId !== userId || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return null;
  const { user } = session;
  if (user.tokenVersion !== tokenVersion || !user.membership) return null;
  return {
    kind: "user",
    userId: user.id,
    teamId: user.membership.teamId,
    isMaster: user.membership.role === "MASTER",
    email: user.email,
  };
}
