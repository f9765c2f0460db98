import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import type { UserActor } from "./actor";

/** How long a dashboard session lasts (the JWT's maxAge and the session row's expiry). */
export const SESSION_MAX_AGE_SECONDS = 14 * 24 * 60 * 60;
/** A session's "last seen" is written at most this often (not on every request). */
export const LAST_SEEN_RESOLUTION_MS = 5 * 60 * 1000;
const USER_AGENT_MAX = 400;

export type SessionOrigin = { userAgent?: string | null; ip?: string | null };

/** Starts a dashboard session for a user who just proved who they are; its id goes in the JWT (`sid`). */
export async function createSession(userId: string, origin: SessionOrigin = {}): Promise<string> {
  const id = randomBytes(24).toString("base64url");
  const userAgent = origin.userAgent?.slice(0, USER_AGENT_MAX) || null;
  const ip = origin.ip && origin.ip !== "unknown" ? origin.ip : null;
  await db.authSession.create({
    data: { id, userId, expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000), userAgent, ip, lastSeenAt: new Date() },
  });
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
 * (all their sessions were revoked). Records the session's last use (every few minutes).
 */
export async function resolveSessionUser(userId: unknown, tokenVersion: unknown, sessionId: unknown): Promise<UserActor | null> {
  if (typeof userId !== "string" || typeof tokenVersion !== "number" || typeof sessionId !== "string") return null;
  const session = await db.authSession.findUnique({
    where: { id: sessionId },
    select: {
      userId: true,
      expiresAt: true,
      revokedAt: true,
      lastSeenAt: true,
      user: {
        select: {
          id: true,
          email: true,
          tokenVersion: true,
          totpEnabledAt: true,
          membership: { select: { teamId: true, role: true, team: { select: { requireTwoFactor: true } } } },
        },
      },
    },
  });
  if (!session || session.userId !== userId || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return null;
  const { user } = session;
  if (user.tokenVersion !== tokenVersion || !user.membership) return null;
  if (!session.lastSeenAt || Date.now() - session.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
    await db.authSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { lastSeenAt: new Date() } });
  }
  const actor: UserActor = {
    kind: "user",
    userId: user.id,
    teamId: user.membership.teamId,
    isMaster: user.membership.role === "MASTER",
    email: user.email,
    sessionId,
  };
  if (user.membership.team.requireTwoFactor && !user.totpEnabledAt) actor.mustEnrolTwoFactor = true;
  return actor;
}
