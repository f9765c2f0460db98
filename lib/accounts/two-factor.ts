import "server-only";
import { db } from "@/lib/db";
import { AppError, badInput, unauthenticated } from "../errors";
import { requireMaster, type UserActor } from "../auth/actor";
import { decryptSecret, encryptSecret } from "../crypto";
import { matchTotpStep, newTotpSecret, totpUri } from "../auth/totp";
import { recordAudit } from "../audit";
import { parseInput } from "../validation";
import { guardedCheck } from "./authenticate";
import { consumeSecondFactor, replaceRecoveryCodes, turnOffTwoFactor } from "./second-factor";
import { TeamTwoFactorInput, TwoFactorCodeInput } from "./security-schemas";

export type TwoFactorStatus = {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  /** The team's master requires two-factor authentication of every account. */
  teamRequires: boolean;
};

export async function getTwoFactorStatus(actor: UserActor): Promise<TwoFactorStatus> {
  const user = await db.user.findUnique({
    where: { id: actor.userId },
    select: { totpEnabledAt: true, membership: { select: { team: { select: { requireTwoFactor: true } } } }, _count: { select: { recoveryCodes: { where: { usedAt: null } } } } },
  });
  if (!user) throw unauthenticated();
  return {
    enabled: !!user.totpEnabledAt,
    enabledAt: user.totpEnabledAt,
    recoveryCodesLeft: user.totpEnabledAt ? user._count.recoveryCodes : 0,
    teamRequires: !!user.membership?.team.requireTwoFactor,
  };
}

const alreadyOn = () => new AppError("CONFLICT", "Two-factor authentication is already on for this account. Turn it off first to set up another authenticator.");

/**
 * Starts enrolment: a new secret, kept encrypted until it is confirmed with a code. Returns it for
 * manual entry, and its otpauth:// URI for the QR code. Starting again replaces it.
 */
export async function startTwoFactorEnrolment(actor: UserActor): Promise<{ secret: string; uri: string }> {
  const secret = newTotpSecret();
  const { count } = await db.user.updateMany({ where: { id: actor.userId, totpEnabledAt: null }, data: { totpPendingSecretEncrypted: encryptSecret(secret) } });
  if (count !== 1) throw alreadyOn();
  return { secret, uri: totpUri(secret, actor.email) };
}

/**
 * Finishes enrolment with a code of the pending secret: two-factor authentication is on, and ten
 * single-use recovery codes are returned, once. The code cannot be used again to log in.
 */
export async function confirmTwoFactorEnrolment(actor: UserActor, raw: unknown): Promise<{ recoveryCodes: string[] }> {
  const { code } = parseInput(TwoFactorCodeInput, raw);
  return db.$transaction(async (tx) => {
    const [user] = await tx.$queryRaw<{ totpEnabledAt: Date | null; totpPendingSecretEncrypted: string | null }[]>`
      SELECT "totpEnabledAt", "totpPendingSecretEncrypted" FROM users WHERE id = ${actor.userId} FOR UPDATE`;
    if (!user) throw unauthenticated();
    if (user.totpEnabledAt) throw alreadyOn();
    if (!user.totpPendingSecretEncrypted) throw badInput("code", "Start the set-up first: there is no secret waiting for a code");
    const step = matchTotpStep(decryptSecret(user.totpPendingSecretEncrypted).toString("utf8"), code.replace(/\s/g, ""));
    if (step === null) throw badInput("code", "Wrong code. Enter the 6-digit code your authenticator app shows now");
    await tx.user.update({
      where: { id: actor.userId },
      data: { totpSecretEncrypted: user.totpPendingSecretEncrypted, totpPendingSecretEncrypted: null, totpEnabledAt: new Date(), totpLastStep: step },
    });
    const recoveryCodes = await replaceRecoveryCodes(tx, actor.userId);
    await recordAudit(tx, actor, "user.two_factor_enabled", { type: "user", id: actor.userId });
    return { recoveryCodes };
  });
}

/** Checks a code of the actor's second factor like a login does (lockout included); a wrong one is BAD_USER_INPUT on `code`. */
async function requireSecondFactor(actor: UserActor, raw: unknown, ip: string): Promise<void> {
  const { code } = parseInput(TwoFactorCodeInput, raw);
  const status = await db.user.findUnique({ where: { id: actor.userId }, select: { totpEnabledAt: true } });
  if (!status?.totpEnabledAt) throw new AppError("CONFLICT", "Two-factor authentication is not on for this account");
  const checked = await guardedCheck(actor.email, ip, async (tx) =>
    (await consumeSecondFactor(tx, actor.userId, code)) ? { ok: true as const, value: true } : { ok: false as const },
  );
  if (!checked.ok) throw badInput("code", "Wrong code, or a code that was already used. Enter the current code from your authenticator app, or an unused recovery code");
}

/** Turns two-factor authentication off, with a current code or a recovery code. */
export async function disableTwoFactor(actor: UserActor, raw: unknown, ip: string): Promise<void> {
  await requireSecondFactor(actor, raw, ip);
  await db.$transaction(async (tx) => {
    await turnOffTwoFactor(tx, actor.userId);
    await recordAudit(tx, actor, "user.two_factor_disabled", { type: "user", id: actor.userId });
  });
}

/** Ten new recovery codes (the old ones stop working), with a current code or a recovery code. */
export async function regenerateRecoveryCodes(actor: UserActor, raw: unknown, ip: string): Promise<{ recoveryCodes: string[] }> {
  await requireSecondFactor(actor, raw, ip);
  return db.$transaction(async (tx) => {
    const recoveryCodes = await replaceRecoveryCodes(tx, actor.userId);
    await recordAudit(tx, actor, "user.recovery_codes_regenerated", { type: "user", id: actor.userId });
    return { recoveryCodes };
  });
}

export type MemberTwoFactor = { id: string; email: string; role: "MASTER" | "MEMBER"; twoFactor: boolean };

/** Master only: whether each account of the team has two-factor authentication. */
export async function listTeamTwoFactor(actor: UserActor): Promise<{ required: boolean; members: MemberTwoFactor[] }> {
  requireMaster(actor, "see the team's two-factor status");
  const team = await db.team.findUniqueOrThrow({
    where: { id: actor.teamId },
    select: { requireTwoFactor: true, memberships: { orderBy: { createdAt: "asc" }, select: { role: true, user: { select: { id: true, email: true, totpEnabledAt: true } } } } },
  });
  const members = team.memberships
    .map((m) => ({ id: m.user.id, email: m.user.email, role: m.role, twoFactor: !!m.user.totpEnabledAt }))
    .sort((a, b) => (a.role === b.role ? 0 : a.role === "MASTER" ? -1 : 1));
  return { required: team.requireTwoFactor, members };
}

/**
 * Master only: requires (or stops requiring) two-factor authentication of every account of the
 * team. Members without it are sent to enrolment on their next page; their API use of the session
 * token is refused until then. The master must have it on first.
 */
export async function setTeamTwoFactorRequirement(actor: UserActor, raw: unknown): Promise<{ required: boolean; membersWithout: number }> {
  requireMaster(actor, "require two-factor authentication for the team");
  const { required } = parseInput(TeamTwoFactorInput, raw);
  return db.$transaction(async (tx) => {
    if (required) {
      const me = await tx.user.findUnique({ where: { id: actor.userId }, select: { totpEnabledAt: true } });
      if (!me?.totpEnabledAt) throw badInput("required", "Turn on two-factor authentication for your own account first");
    }
    await tx.team.update({ where: { id: actor.teamId }, data: { requireTwoFactor: required } });
    await recordAudit(tx, actor, required ? "team.two_factor_required" : "team.two_factor_not_required", { type: "team", id: actor.teamId });
    const membersWithout = await tx.membership.count({ where: { teamId: actor.teamId, user: { totpEnabledAt: null } } });
    return { required, membersWithout };
  });
}
