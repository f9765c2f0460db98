import "server-only";
import { checkId } from "../validation";
import { db } from "@/lib/db";
import { AppError, notFound } from "../errors";
import { requireMaster, type Actor } from "../auth/actor";

export type TeamMemberView = { id: string; email: string; role: "MASTER" | "MEMBER"; joinedAt: Date };
export type TeamView = { id: string; name: string; members: TeamMemberView[] };

/** The actor's team with its members, master first. */
export async function getTeam(actor: Actor): Promise<TeamView> {
  const team = await db.team.findUnique({
    where: { id: actor.teamId },
    select: {
      id: true,
      name: true,
      memberships: { select: { role: true, createdAt: true, user: { select: { id: true, email: true } } } },
    },
  });
  if (!team) throw notFound("Team");
  const members = team.memberships
    .map((m) => ({ id: m.user.id, email: m.user.email, role: m.role, joinedAt: m.createdAt }))
    .sort((a, b) => (a.role === b.role ? a.joinedAt.getTime() - b.joinedAt.getTime() : a.role === "MASTER" ? -1 : 1));
  return { id: team.id, name: team.name, members };
}

/**
 * Master only: removes a member. Their account is deleted with its membership, so every session
 * they hold stops working on its next request.
 */
export async function removeMember(actor: Actor, memberUserId: string): Promise<void> {
  requireMaster(actor, "remove members");
  const id = checkId(memberUserId, "Member");
  if (id === actor.userId) throw new AppError("BAD_USER_INPUT", "userId: the master account cannot remove itself", { field: "userId", detail: "The master account cannot remove itself" });
  await db.$transaction(async (tx) => {
    const membership = await tx.membership.findFirst({ where: { userId: id, teamId: actor.teamId }, select: { role: true, user: { select: { email: true } } } });
    if (!membership) throw notFound("Member");
    if (membership.role === "MASTER") throw new AppError("FORBIDDEN", "The master account cannot be removed");
    await tx.user.delete({ where: { id } });
    await tx.auditLog.create({
      data: { teamId: actor.teamId, actorUserId: actor.userId, action: "member.removed", targetType: "user", targetId: id, details: { email: membership.user.email } },
    });
  });
}
