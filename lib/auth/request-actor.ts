import "server-only";
import { decode } from "next-auth/jwt";
import { unauthenticated } from "../errors";
import { env } from "../env";
import { resolveApiKey } from "../api-keys/resolve-api-key";
import type { Actor, UserActor } from "./actor";
import { SESSION_COOKIE_NAMES } from "./session-cookie";
import { API_SESSION_SALT } from "./api-session";
import { resolveSessionUser } from "./session";


/**
 * A dashboard session token (the session cookie's value, or an API session token from the
 * Developers page, lib/auth/api-session.ts) → the user, or UNAUTHENTICATED. Auth.js encrypts the
 * cookie salted with its name, which depends on http/https, so both are tried, then the API salt.
 */
export async function resolveBearerToken(token: string): Promise<UserActor> {
  const secret = env().AUTH_SECRET;
  if (!secret || !token) throw unauthenticated("Invalid session token");
  for (const salt of [...SESSION_COOKIE_NAMES, API_SESSION_SALT]) {
    let claims: { sub?: unknown; tv?: unknown; sid?: unknown } | null = null;
    try {
      claims = await decode<{ sub?: unknown; tv?: unknown; sid?: unknown }>({ token, secret, salt });
    } catch {
      continue;
    }
    if (!claims) continue;
    const user = await resolveSessionUser(claims.sub, claims.tv, claims.sid);
    if (!user) throw unauthenticated("This session has ended; log in again and use the new session token");
    if (user.mustEnrolTwoFactor) throw unauthenticated("Your team requires two-factor authentication: set it up in the dashboard, then use this session token");
    return user;
  }
  throw unauthenticated("Invalid or expired session token");
}

/**
 * The credentials of an API request: `x-api-key` (service key) or `Authorization: Bearer` (the
 * dashboard session token). None → null (only public fields answer); bad ones → UNAUTHENTICATED.
 */
export async function resolveRequestActor(headers: { get(name: string): string | null }): Promise<Actor | null> {
  const apiKey = headers.get("x-api-key");
  if (apiKey !== null) return resolveApiKey(apiKey);
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated("The Authorization header must be `Bearer <session token>`");
    return resolveBearerToken(match[1]);
  }
  return null;
}
