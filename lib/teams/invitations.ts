import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { db, isUniqueViolation } from "@/lib/db";
import { badInput, notFound } from "../errors";
import { requireMaster, type Actor } from "../auth/actor";
import { hashPassword } from "../auth/password";
import { checkId, parseInput } from "../validation";
import { AcceptInvitationInput } from "../accounts/schemas";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export type CreatedInvitation = { id: string; token: string; path: string; expiresAt: Date };

/** Master only: a single-use invite link valid for 7 days. The token is shown once. */
export async function createInvitation(actor: Actor): Promise<CreatedInvitation> {
  requireMaster(actor, "invite members");
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const invitation = await db.$transaction(async (tx) => {
    const created = await tx.invitation.create({
      data: { teamId: actor.teamId, tokenHash: hashToken(token), createdById: actor.userId, expiresAt },
    });
    await tx.auditLog.create({
      data: { teamId: actor.teamId, actorUserId: actor.userId, action: "invitation.created", targetType: "invitation", targetId: created.id },
    });
    return created;
  });
  return { id: invitation.id, token, path: `/invite/${token}`, expiresAt };
}

/** Master only: withdraws an invite that was not used yet. */
export async function revokeInvitation(actor: Actor, invitationId: string): Promise<void> {
  requireMaster(actor, "revoke invitations");
  const { count } = await db.invitation.updateMany({
    where: { id: checkId(invitationId, "Pending invitation"), teamId: actor.teamId, acceptedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw notFound("Pending invitation");
  await db.auditLog.create({
    data: { teamId: actor.teamId, actorUserId: actor.userId, action: "invitation.revoked", targetType: "invitation", targetId: invitationId },
  });
}

export type InvitationStatus = "valid" | "expired" | "used" | "revoked";

export type PendingInvitation = { id: string; createdAt: Date; expiresAt: Date; createdBy: string };

/** Master only: invites not yet accepted, revoked or expired. */
export async function listPendingInvitations(actor: Actor): Promise<PendingInvitation[]> {
  requireMaster(actor, "see invitations");
  const rows = await db.invitation.findMany({
    where: { teamId: actor.teamId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { id: true, createdAt: true, expiresAt: true, createdBy: { select: { email: true } } },
  });
  return rows.map((r) => ({ id: r.id, createdAt: r.createdAt, expiresAt: r.expiresAt, createdBy: r.createdBy.email }));
}

/** Public: what the invite page shows before anyone signs up through it. */
export async function describeInvitation(token: string): Promise<{ status: InvitationStatus; teamName: string } | null> {
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: hashToken(String(token)) },
    select: { acceptedAt: true, revokedAt: true, expiresAt: true, team: { select: { name: true } } },
  });
  if (!invitation) return null;
  const status: InvitationStatus = invitation.acceptedAt
    ? "used"
    : invitation.revokedAt
      ? "revoked"
      : invitation.expiresAt.getTime() <= Date.now()
        ? "expired"
        : "valid";
  return { status, teamName: invitation.team.name };
}

/**
 * Public: creates a member account through an invite link. The invitation is claimed with a
 * conditional update, so a link works exactly once even when submitted twice at the same time.
 */
export async function acceptInvitation(raw: unknown): Promise<{ userId: string; teamId: string }> {
  const input = parseInput(AcceptInvitationInput, raw);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const invitation = await tx.invitation.findUnique({ where: { tokenHash: hashToken(input.token) } });
      if (!invitation) throw badInput("token", "This invitation link is not valid. Ask your team's master for a new one");
      const user = await tx.user.create({ data: { email: input.email, passwordHash } });
      const claimed = await tx.invitation.updateMany({
        where: { id: invitation.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
        data: { acceptedAt: new Date(), acceptedUserId: user.id },
      });
      if (claimed.count !== 1) {
        throw badInput("token", "This invitation link has expired or was already used. Ask your team's master for a new one");
      }
      await tx.membership.create({ data: { userId: user.id, teamId: invitation.teamId, role: "MEMBER" } });
      await tx.auditLog.create({
        data: { teamId: invitation.teamId, actorUserId: user.id, action: "member.joined", targetType: "user", targetId: user.id },
      });
      return { userId: user.id, teamId: invitation.teamId };
    });
  } catch (err) {
    if (isUniqueViolation(err, ["email"])) throw badInput("email", "An account with this email already exists");
    throw err;
  }
}
