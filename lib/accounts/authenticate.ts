import "server-only";
import { db } from "@/lib/db";
import { AppError } from "../errors";
import { verifyAgainstDummy, verifyPassword } from "../auth/password";
import { LoginInput } from "./schemas";
import { findBadString } from "../validation";

export const LOCKOUT_WINDOW_MS = 15 * 60 * 1000;
export const LOCKOUT_MAX_FAILURES = 10;
/** Failed attempts from one IP address (any accounts) within the window before it is refused. */
export const IP_MAX_FAILURES = 100;

export type AuthenticatedUser = { id: string; tokenVersion: number };

export type LoginFailure =
  | { reason: "invalid" }
  | { reason: "locked"; retryAfterSeconds: number }
  | { reason: "rate_limited"; retryAfterSeconds: number };

export class LoginRefused extends AppError {
  constructor(readonly failure: LoginFailure) {
    super(failure.reason === "invalid" ? "UNAUTHENTICATED" : "RATE_LIMITED", loginFailureMessage(failure));
  }
}

export function loginFailureMessage(failure: LoginFailure): string {
  switch (failure.reason) {
    case "invalid":
      return "Wrong email or password.";
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

/**
 * Checks an email and password. Ten failures for one account within 15 minutes lock it for 15
 * minutes from the tenth; attempts while locked are refused without checking the password and do
 * not extend the lock. Attempts for one email are serialised, so parallel guesses cannot slip past
 * the limit.
 */
export async function authenticate(raw: unknown, ip: string): Promise<AuthenticatedUser> {
  const parsed = LoginInput.safeParse(raw);
  // Not text (NUL, a lone surrogate): no account can have it, and PostgreSQL cannot compare it.
  if (!parsed.success || findBadString(parsed.data)) throw new LoginRefused({ reason: "invalid" });
  const { email, password } = parsed.data;

  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"login:" + email}))`;
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

      const user = await tx.user.findUnique({ where: { email }, select: { id: true, passwordHash: true, tokenVersion: true } });
      let ok = false;
      if (user) ok = await verifyPassword(user.passwordHash, password);
      else await verifyAgainstDummy(password);

      await tx.loginAttempt.create({ data: { email, ip, success: ok } });
      if (!ok || !user) return null;
      return { id: user.id, tokenVersion: user.tokenVersion };
    },
    { timeout: 15_000, maxWait: 15_000 },
  ).then((result) => {
    // The failed attempt is committed above before the refusal is raised.
    if (!result) throw new LoginRefused({ reason: "invalid" });
    return result;
  });
}
