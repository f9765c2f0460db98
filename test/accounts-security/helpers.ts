import { AUTH_SECRET } from "./env"; // first: the keys, before any app module runs
import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import { Secret, TOTP } from "otpauth";
import { expect, vi } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { signUp } from "@/lib/accounts/sign-up";
import { LoginRefused } from "@/lib/accounts/authenticate";
import { createInvitation, acceptInvitation } from "@/lib/teams/invitations";
import { createSession, resolveSessionUser } from "@/lib/auth/session";
import type { UserActor } from "@/lib/auth/actor";

export { AUTH_SECRET };
export const PASSWORD = "correct horse battery staple";

let counter = 0;
export const uniqueEmail = (prefix = "u") => `${prefix}-${process.pid}-${++counter}-${randomBytes(3).toString("hex")}@example.com`;
/** A distinct client address per test, so per-IP limits of one test do not touch another. */
export const uniqueIp = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${(++counter % 250) + 1}`;

export type Account = { userId: string; teamId: string; email: string; actor: UserActor; sessionId: string };

/** The actor of a fresh dashboard session of `userId` (as the dashboard resolves it). */
export async function signedIn(userId: string, origin: { userAgent?: string; ip?: string } = {}): Promise<{ actor: UserActor; sessionId: string }> {
  const sessionId = await createSession(userId, origin);
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { tokenVersion: true } });
  const actor = await resolveSessionUser(userId, user.tokenVersion, sessionId);
  if (!actor) throw new Error("the new session does not resolve");
  return { actor, sessionId };
}

/** A fresh team; its master signed in. */
export async function newMaster(teamName = "Team"): Promise<Account> {
  const email = uniqueEmail("master");
  const { userId, teamId } = await signUp({ email, password: PASSWORD, teamName });
  return { userId, teamId, email, ...(await signedIn(userId)) };
}

/** A member who joined `master`'s team by invitation; signed in. */
export async function newMember(master: Account): Promise<Account> {
  const email = uniqueEmail("member");
  const invitation = await createInvitation(master.actor);
  const { userId, teamId } = await acceptInvitation({ token: invitation.token, email, password: PASSWORD });
  return { userId, teamId, email, ...(await signedIn(userId)) };
}

const totpOf = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });

/** The code an authenticator app shows for `secret` at `timestamp`, computed here independently of lib/auth/totp.ts. */
export function totpCode(secret: string, timestamp = Date.now()): string {
  return totpOf(secret).generate({ timestamp });
}

/** A 6-digit code that is none of the codes accepted around now (±1 step). */
export function wrongCode(secret: string): string {
  const near = new Set([-30_000, 0, 30_000].map((d) => totpCode(secret, Date.now() + d)));
  for (let n = 123456; ; n = (n + 7919) % 1_000_000) {
    const code = String(n).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

/** Moves the clock (Date only, timers untouched) forward, e.g. to the next TOTP step. */
export function advanceClock(ms: number) {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + ms });
}

/** The session cookie's value for a session (what a browser or a Bearer client sends). */
export async function sessionToken(userId: string, sessionId: string, tokenVersion = 0): Promise<string> {
  return encode({ token: { sub: userId, tv: tokenVersion, sid: sessionId }, secret: AUTH_SECRET, salt: "authjs.session-token", maxAge: 3600 });
}

/** The AppError a promise rejects with (fails the test when it resolves or rejects with something else). */
export async function appError(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(outcome, "expected the call to be refused").toBeInstanceOf(AppError);
  return outcome as AppError;
}

/** The failure of a refused login. */
export async function loginRefusal(promise: Promise<unknown>): Promise<LoginRefused["failure"]> {
  const err = await appError(promise);
  expect(err).toBeInstanceOf(LoginRefused);
  return (err as LoginRefused).failure;
}
