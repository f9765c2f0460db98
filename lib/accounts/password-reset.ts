import "server-only";
import { randomBytes } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { AppError, badInput, notFound } from "../errors";
import { requireMaster, type Actor } from "../auth/actor";
import { hashPassword } from "../auth/password";
import { sha256Hex } from "../crypto";
import { hit } from "../http/rate-limit";
import { ownOrigin } from "../lnurl/own-host";
import { mailConfigured, sendMail } from "../mail/send-mail";
import { passwordResetMail } from "../mail/password-reset-mail";
import { checkId, parseInput } from "../validation";
import { Email, NewPassword } from "./schemas";
import { turnOffTwoFactor } from "./second-factor";
import { CompletePasswordResetInput, MemberIdInput, RequestPasswordResetInput } from "./security-schemas";

/** A link asked for by email lasts 30 minutes… */
export const EMAIL_RESET_TTL_MS = 30 * 60 * 1000;
/** …one issued by a master or on the command line, to be passed on by hand, 24 hours. */
export const ISSUED_RESET_TTL_MS = 24 * 60 * 60 * 1000;
/** Reset mails asked for from one IP address, and for one email address, per window. */
export const RESET_REQUESTS_PER_IP = 5;
export const RESET_REQUESTS_PER_EMAIL = 3;
export const RESET_REQUEST_WINDOW_MS = 60 * 60 * 1000;

export type ResetKind = "EMAIL" | "MASTER" | "CLI";

const resetPath = (token: string) => `/reset-password/${token}`;
const hashToken = (token: string) => sha256Hex(`password-reset:${token}`);

/** A new single-use token for `userId`; the user's earlier unused links stop working (only the newest counts). */
async function createResetToken(tx: Tx, userId: string, kind: ResetKind, ttlMs: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + ttlMs);
  await tx.passwordResetToken.updateMany({ where: { userId, usedAt: null }, data: { usedAt: new Date() } });
  await tx.passwordResetToken.create({ data: { userId, tokenHash: hashToken(token), kind, expiresAt } });
  return { token, expiresAt };
}

async function teamOf(tx: Tx, userId: string): Promise<string | null> {
  return (await tx.membership.findUnique({ where: { userId }, select: { teamId: true } }))?.teamId ?? null;
}

/**
 * Public (the "Forgot password" page): mails a reset link valid 30 minutes when an account has
 * this email. The answer is the same whether or not one does; a missing account, or an email
 * asked for too often (3 an hour), sends nothing. Too many requests from one IP address (5 an
 * hour) are refused, whatever the emails. Needs SMTP_URL.
 */
export async function requestPasswordReset(raw: unknown, ip: string): Promise<void> {
  if (!mailConfigured()) {
    throw new AppError("NOT_IMPLEMENTED", "Password reset by email is not set up on this server. Ask your team's master for a reset link, or the server's administrator.");
  }
  const { email } = parseInput(RequestPasswordResetInput, raw);
  const perIp = await hit(`password-reset:ip:${ip}`, RESET_REQUESTS_PER_IP, RESET_REQUEST_WINDOW_MS);
  if (!perIp.allowed) {
    const minutes = Math.max(1, Math.ceil(perIp.retryAfterSeconds / 60));
    throw new AppError("RATE_LIMITED", `Too many reset requests from your network. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
  }
  const perEmail = await hit(`password-reset:email:${email}`, RESET_REQUESTS_PER_EMAIL, RESET_REQUEST_WINDOW_MS);
  if (!perEmail.allowed) return;
  const user = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (!user) return;
  const { token } = await db.$transaction(async (tx) => {
    const created = await createResetToken(tx, user.id, "EMAIL", EMAIL_RESET_TTL_MS);
    const teamId = await teamOf(tx, user.id);
    if (teamId) await tx.auditLog.create({ data: { teamId, action: "user.password_reset_requested", targetType: "user", targetId: user.id } });
    return created;
  });
  // Sent in the background: the answer must not wait for (or reveal) the mail server.
  const mail = passwordResetMail(email, `${ownOrigin()}${resetPath(token)}`, EMAIL_RESET_TTL_MS / 60_000);
  sendMail(mail).catch((err: unknown) => console.error(`[boltrail] the password reset mail could not be sent: ${err instanceof Error ? err.message : String(err)}`));
}

export type IssuedResetLink = { path: string; expiresAt: Date; email: string };

/** Master only: a reset link (24 hours, single use, shown once) for a member of their own team. */
export async function issuePasswordResetLink(actor: Actor, raw: unknown): Promise<IssuedResetLink> {
  requireMaster(actor, "issue password reset links");
  const userId = checkId(parseInput(MemberIdInput, raw).userId, "Member");
  if (userId === actor.userId) throw badInput("userId", "Use Change password on the security page for your own account");
  return db.$transaction(async (tx) => {
    const member = await tx.membership.findFirst({ where: { userId, teamId: actor.teamId }, select: { user: { select: { email: true } } } });
    if (!member) throw notFound("Member");
    const { token, expiresAt } = await createResetToken(tx, userId, "MASTER", ISSUED_RESET_TTL_MS);
    await tx.auditLog.create({
      data: { teamId: actor.teamId, actorUserId: actor.userId, action: "user.password_reset_issued", targetType: "user", targetId: userId, details: { email: member.user.email } },
    });
    return { path: resetPath(token), expiresAt, email: member.user.email };
  });
}

async function findAccount(tx: Tx, rawEmail: unknown): Promise<{ id: string; email: string; teamId: string | null }> {
  const email = parseInput(Email, rawEmail, "email");
  const user = await tx.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (!user) throw notFound(`An account with the email ${email}`);
  return { ...user, teamId: await teamOf(tx, user.id) };
}

/** Ends every session and sign-in in progress of a user whose password was reset. */
async function endEverything(tx: Tx, userId: string): Promise<number> {
  const now = new Date();
  await tx.user.update({ where: { id: userId }, data: { tokenVersion: { increment: 1 } } });
  await tx.loginChallenge.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } });
  await tx.passwordResetToken.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } });
  const { count } = await tx.authSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
  return count;
}

/**
 * The server's administrator (`npm run reset-password -- <email>`): a one-time reset link for any
 * account, valid 24 hours. With `disableTwoFactor` the account's two-factor authentication is
 * turned off at once (a user who lost both their authenticator and their recovery codes).
 */
export async function issueAdminResetLink(rawEmail: unknown, { disableTwoFactor = false } = {}): Promise<{ link: string; expiresAt: Date; email: string }> {
  return db.$transaction(async (tx) => {
    const user = await findAccount(tx, rawEmail);
    const { token, expiresAt } = await createResetToken(tx, user.id, "CLI", ISSUED_RESET_TTL_MS);
    if (disableTwoFactor) await turnOffTwoFactor(tx, user.id);
    if (user.teamId) {
      await tx.auditLog.create({ data: { teamId: user.teamId, action: "user.password_reset_issued", targetType: "user", targetId: user.id, details: { by: "cli", disableTwoFactor } } });
    }
    return { link: `${ownOrigin()}${resetPath(token)}`, expiresAt, email: user.email };
  });
}

/** The server's administrator: sets an account's password directly and ends all its sessions. */
export async function setPasswordAsAdmin(rawEmail: unknown, rawPassword: unknown, { disableTwoFactor = false } = {}): Promise<{ email: string; endedSessions: number }> {
  const password = parseInput(NewPassword, rawPassword, "password");
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const user = await findAccount(tx, rawEmail);
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const endedSessions = await endEverything(tx, user.id);
    if (disableTwoFactor) await turnOffTwoFactor(tx, user.id);
    if (user.teamId) {
      await tx.auditLog.create({ data: { teamId: user.teamId, action: "user.password_reset", targetType: "user", targetId: user.id, details: { by: "cli", disableTwoFactor } } });
    }
    return { email: user.email, endedSessions };
  });
}

export type ResetLinkStatus = "valid" | "expired" | "used";

/** Public: what the reset page shows for a link (null when it is no link of ours). */
export async function describePasswordReset(token: string): Promise<{ status: ResetLinkStatus; email: string } | null> {
  if (typeof token !== "string" || token.length === 0 || token.length > 200) return null;
  const row = await db.passwordResetToken.findUnique({ where: { tokenHash: hashToken(token) }, select: { usedAt: true, expiresAt: true, user: { select: { email: true } } } });
  if (!row) return null;
  const status: ResetLinkStatus = row.usedAt ? "used" : row.expiresAt.getTime() <= Date.now() ? "expired" : "valid";
  return { status, email: row.user.email };
}

/**
 * Public: sets a new password through a reset link. The link is claimed with a conditional update,
 * so it works exactly once even when submitted twice at the same time. Every session of the user
 * ends (and any sign-in waiting for its code); two-factor authentication stays as it was.
 */
export async function completePasswordReset(raw: unknown): Promise<{ email: string; endedSessions: number }> {
  const input = parseInput(CompletePasswordResetInput, raw);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const row = await tx.passwordResetToken.findUnique({ where: { tokenHash: hashToken(input.token) }, select: { id: true, userId: true, kind: true, user: { select: { email: true } } } });
    if (!row) throw badInput("token", "This reset link is not valid. Ask for a new one");
    const claimed = await tx.passwordResetToken.updateMany({ where: { id: row.id, usedAt: null, expiresAt: { gt: new Date() } }, data: { usedAt: new Date() } });
    if (claimed.count !== 1) throw badInput("token", "This reset link has expired or was already used. Ask for a new one");
    await tx.user.update({ where: { id: row.userId }, data: { passwordHash } });
    const endedSessions = await endEverything(tx, row.userId);
    const teamId = await teamOf(tx, row.userId);
    if (teamId) {
      await tx.auditLog.create({ data: { teamId, actorUserId: row.userId, action: "user.password_reset", targetType: "user", targetId: row.userId, details: { via: row.kind } } });
    }
    return { email: row.user.email, endedSessions };
  });
}
