import "server-only";
import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import { db } from "@/lib/db";
import { recordAudit } from "../audit";
import { env } from "../env";
import { unauthenticated } from "../errors";
import { requireMaster, type Actor } from "./actor";
import type { SessionOrigin } from "./session";

/** How long an API session token works: long enough for a working session in GraphiQL or a script, short if it leaks. */
export const API_SESSION_TTL_SECONDS = 60 * 60;

/**
 * The key-derivation salt of API session tokens. It differs from the session cookies' salts
 * (SESSION_COOKIE_NAMES), so such a token is never accepted as a dashboard cookie: it opens the
 * API (`Authorization: Bearer`), not the dashboard.
 */
export const API_SESSION_SALT = "boltrail.api-session-token";

/** What the sessions list shows for an API session token (in place of a browser's User-Agent). */
export function apiSessionLabel(expiresAt: Date): string {
  return `API session token, until ${expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export type ApiSessionToken = { token: string; expiresAt: Date; sessionId: string };

/**
 * A short-lived Bearer token for master-only API operations (creating environments, managing
 * keys), minted on request from the Developers page — instead of copying the dashboard's cookie.
 * It is its own session row (listed on the security page, revocable there, ended by "sign out
 * everywhere else", a password change or a reset like any session) that expires after
 * API_SESSION_TTL_SECONDS; the token is an Auth.js JWT (encrypted with AUTH_SECRET) naming it.
 * Members are refused: their API access is an API key.
 */
export async function createApiSessionToken(actor: Actor, origin: SessionOrigin = {}): Promise<ApiSessionToken> {
  requireMaster(actor, "create an API session token");
  if (actor.mustEnrolTwoFactor) throw unauthenticated("Your team requires two-factor authentication: set it up first");
  const secret = env().AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set: API session tokens cannot be signed");
  const expiresAt = new Date(Date.now() + API_SESSION_TTL_SECONDS * 1000);
  const sessionId = randomBytes(24).toString("base64url");
  const ip = origin.ip && origin.ip !== "unknown" ? origin.ip : null;
  const tokenVersion = await db.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { tokenVersion: true } });
    await tx.authSession.create({ data: { id: sessionId, userId: actor.userId, expiresAt, userAgent: apiSessionLabel(expiresAt), ip, lastSeenAt: null } });
    await recordAudit(tx, actor, "user.api_session_created", { type: "user", id: actor.userId }, { expiresAt: expiresAt.toISOString() });
    return user.tokenVersion;
  });
  const token = await encode({ token: { sub: actor.userId, tv: tokenVersion, sid: sessionId }, secret, salt: API_SESSION_SALT, maxAge: API_SESSION_TTL_SECONDS });
  return { token, expiresAt, sessionId };
}
