import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db, type Tx } from "@/lib/db";
import { AppError } from "../errors";
import { verifyAgainstDummy, verifyPassword } from "../auth/password";
import { LoginInput } from "./schemas";
import { findBadString } from "../validation";
import { consumeSecondFactor } from "./second-factor";

export const LOCKOUT_WINDOW_MS = 15 * 60 * 1000;
export const LOCKOUT_MAX_FAILURES = 10;
/** Failed attempts from one IP address (any accounts) within the window before it is refused. */
export const IP_MAX_FAILURES = 100;
/** The second step of a login (the code) must come within this time of the password… */
export const LOGIN_CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** …and ends after this many wrong codes (each also counts toward the account's lockout). */
export const LOGIN_CHALLENGE_MAX_FAILURES = 5;

export type AuthenticatedUser = { id: string; tokenVersion: number };

export type LoginFailure =
  | { reason: "invalid" }
  | { reason: "invalid_code" }
  | { reason: "challenge_expired" }
  | { reason: "locked"; retryAfterSeconds: number }
  | { reason: "rate_limited"; retryAfterSeconds: number };

export class LoginRefused extends AppError {
  constructor(readonly failure: LoginFailure) {
    super(failure.reason === "locked" || failure.reason === "rate_limited" ? "RATE_LIMITED" : "UNAUTHENTICATED", loginFailureMessage(failure));
  }
}

/**
 * The password was right and the account has two-factor authentication: the login goes on with
 * `completeSecondFactor({ challenge, code })`. No session exists yet.
 */
export class SecondFactorRequired extends AppError {
  constructor(readonly challenge: string) {
    super("UNAUTHENTICATED", "Enter the code from your authenticator app, or a recovery code.");
  }
}

export function loginFailureMessage(failure: LoginFailure): string {
  switch (failure.reason) {
    case "invalid":
      return "Wrong email or password.";
    case "invalid_code":
      return "Wrong code, or a code that was already used. Enter the current code from your authenticator app, or an unused recovery code.";
    case "challenge_expired":
      return "This sign-in expired or had too many wrong codes. Enter your email and password again.";
    case "locked": {
      const minutes = Math.max(1, Math.ceil(failure.retryAfterSeconds / 60));
      return `Too many failed attempts: this account is locked for ${minutes} more minute${minutes === 1 ? "" : "s"}. Try again later.`;
    }
    case "rate_limited": {
      const minutes = Math.max(1, Math.ceil(failure.retryAfterSeconds / 60));
      return `Too many failed attempts from your network. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
    }
  }
}

type Outcome<T> = { ok: true; value: T; recordSuccess?: boolean } | { ok: false };

/**
 * One guarded check of an account's credentials (password, second-factor code, current password
 * before a change): serialised per email, refused while the account is locked or the IP limited
 * (without checking, and without extending the lock), and its outcome recorded as a login attempt
 * — so every kind of failure counts toward the same lockout. A success resets the count unless
 * `recordSuccess` is false (a right password whose code is still to come). The failure is
 * committed before the caller sees it.
 */
export async function guardedCheck<T>(email: string, ip: string, check: (tx: Tx) => Promise<Outcome<T>>): Promise<Outcome<T>> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"login:" + email}))`;
      await refuseWhileLimited(tx, email, ip);
      const outcome = await check(tx);
      if (!outcome.ok || outcome.recordSuccess !== false) await tx.loginAttempt.create({ data: { email, ip, success: outcome.ok } });
      return outcome;
    },
    { timeout: 15_000, maxWait: 15_000 },
  );
}

/** Ten failures for one account within 15 minutes (since its last success) lock it for 15 minutes from the tenth. */
async function refuseWhileLimited(tx: Tx, email: string, ip: string): Promise<void> {
  const now = Date.now();
  const since = new Date(now - LOCKOUT_WINDOW_MS);
  const lastSuccess = await tx.loginAttempt.findFirst({
    where: { email, success: true, createdAt: { gt: since } },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  const recentFailures = await tx.loginAttempt.findMany({
    where: { email, success: false, createdAt: { gt: lastSuccess?.createdAt ?? since } },
    orderBy: { createdAt: "desc" },
    take: LOCKOUT_MAX_FAILURES,
    select: { createdAt: true },
  });
  if (recentFailures.length >= LOCKOUT_MAX_FAILURES) {
    const unlockAt = recentFailures[LOCKOUT_MAX_FAILURES - 1].createdAt.getTime() + LOCKOUT_WINDOW_MS;
    throw new LoginRefused({ reason: "locked", retryAfterSeconds: Math.ceil((unlockAt - now) / 1000) });
  }
  const ipFailures = await tx.loginAttempt.count({ where: { ip, success: false, createdAt: { gt: since } } });
  if (ip !== "unknown" && ipFailures >= IP_MAX_FAILURES) {
    throw new LoginRefused({ reason: "rate_limited", retryAfterSeconds: LOCKOUT_WINDOW_MS / 1000 });
  }
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Checks an email and password. Ten failures for one account within 15 minutes lock it for 15
 * minutes from the tenth; attempts while locked are refused without checking the password and do
 * not extend the lock. Attempts for one email are serialised, so parallel guesses cannot slip past
 * the limit. For an account with two-factor authentication a right password is not a login yet:
 * it throws SecondFactorRequired with a short-lived challenge for `completeSecondFactor`, and
 * does not reset the failure count (only the code does).
 */
export async function authenticate(raw: unknown, ip: string): Promise<AuthenticatedUser> {
  const parsed = LoginInput.safeParse(raw);
  // Not text (NUL, a lone surrogate): no account can have it, and PostgreSQL cannot compare it.
  if (!parsed.success || findBadString(parsed.data)) throw new LoginRefused({ reason: "invalid" });
  const { email, password } = parsed.data;

  const outcome = await guardedCheck(email, ip, async (tx): Promise<Outcome<AuthenticatedUser | { challenge: string }>> => {
    const user = await tx.user.findUnique({ where: { email }, select: { id: true, passwordHash: true, tokenVersion: true, totpEnabledAt: true } });
    let ok = false;
    if (user) ok = await verifyPassword(user.passwordHash, password);
    else await verifyAgainstDummy(password);
    if (!ok || !user) return { ok: false };
    if (user.totpEnabledAt) {
      const challenge = randomBytes(32).toString("base64url");
      await tx.loginChallenge.create({ data: { userId: user.id, tokenHash: hashToken(challenge), expiresAt: new Date(Date.now() + LOGIN_CHALLENGE_TTL_MS) } });
      return { ok: true, value: { challenge }, recordSuccess: false };
    }
    return { ok: true, value: { id: user.id, tokenVersion: user.tokenVersion } };
  });
  if (!outcome.ok) throw new LoginRefused({ reason: "invalid" });
  if ("challenge" in outcome.value) throw new SecondFactorRequired(outcome.value.challenge);
  return outcome.value;
}

const SecondFactorInput = z.object({
  challenge: z.string().min(1).max(200),
  code: z.string().max(64),
});

/**
 * The second step of a login: the challenge from `authenticate` and a TOTP code (not used before)
 * or an unused recovery code. A wrong code counts toward the account's lockout like a wrong
 * password; five wrong codes end the challenge (the password must be entered again).
 */
export async function completeSecondFactor(raw: unknown, ip: string): Promise<AuthenticatedUser> {
  const parsed = SecondFactorInput.safeParse(raw);
  if (!parsed.success || findBadString(parsed.data)) throw new LoginRefused({ reason: parsed.success ? "invalid_code" : "challenge_expired" });
  const tokenHash = hashToken(parsed.data.challenge);
  const found = await db.loginChallenge.findUnique({ where: { tokenHash }, select: { user: { select: { email: true } } } });
  if (!found) throw new LoginRefused({ reason: "challenge_expired" });

  const outcome = await guardedCheck(found.user.email, ip, async (tx): Promise<Outcome<AuthenticatedUser>> => {
    const [challenge] = await tx.$queryRaw<{ id: string; userId: string; failures: number; expiresAt: Date; usedAt: Date | null }[]>`
      SELECT id, "userId", failures, "expiresAt", "usedAt" FROM login_challenges WHERE "tokenHash" = ${tokenHash} FOR UPDATE`;
    // Not an attempt at a code: nothing is recorded (the transaction rolls back).
    if (!challenge || challenge.usedAt || challenge.expiresAt.getTime() <= Date.now()) throw new LoginRefused({ reason: "challenge_expired" });
    const matched = await consumeSecondFactor(tx, challenge.userId, parsed.data.code);
    if (!matched) {
      const failures = challenge.failures + 1;
      await tx.loginChallenge.update({
        where: { id: challenge.id },
        data: { failures, usedAt: failures >= LOGIN_CHALLENGE_MAX_FAILURES ? new Date() : undefined },
      });
      return { ok: false };
    }
    await tx.loginChallenge.update({ where: { id: challenge.id }, data: { usedAt: new Date() } });
    const user = await tx.user.findUniqueOrThrow({ where: { id: challenge.userId }, select: { id: true, tokenVersion: true } });
    return { ok: true, value: user };
  });
  if (!outcome.ok) throw new LoginRefused({ reason: "invalid_code" });
  return outcome.value;
}
