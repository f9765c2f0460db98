import "server-only";
import { db } from "@/lib/db";
import { badInput, unauthenticated } from "../errors";
import type { UserActor } from "../auth/actor";
import { hashPassword, verifyPassword } from "../auth/password";
import { recordAudit } from "../audit";
import { parseInput } from "../validation";
import { guardedCheck } from "./authenticate";
import { ChangePasswordInput } from "./security-schemas";

/**
 * Changes the signed-in user's password. The current password is checked like a login (a wrong
 * one counts toward the account's lockout, and none is checked while it is locked); the new one
 * follows the sign-up rules. Every other session of the user ends; this one (`actor.sessionId`)
 * stays signed in. Open password reset links stop working.
 */
export async function changePassword(actor: UserActor, raw: unknown, ip: string): Promise<{ endedSessions: number }> {
  const input = parseInput(ChangePasswordInput, raw);
  if (input.newPassword === input.currentPassword) throw badInput("newPassword", "The new password must be different from the current one");
  const checked = await guardedCheck(actor.email, ip, async (tx) => {
    const user = await tx.user.findUnique({ where: { id: actor.userId }, select: { passwordHash: true } });
    if (!user) throw unauthenticated();
    return (await verifyPassword(user.passwordHash, input.currentPassword)) ? { ok: true as const, value: true } : { ok: false as const };
  });
  if (!checked.ok) throw badInput("currentPassword", "This is not your current password");

  const passwordHash = await hashPassword(input.newPassword);
  return db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.userId }, data: { passwordHash } });
    // Without a session id (an actor not from a dashboard session) every session ends.
    const others = actor.sessionId ? { id: { not: actor.sessionId } } : {};
    const { count } = await tx.authSession.updateMany({ where: { userId: actor.userId, revokedAt: null, ...others }, data: { revokedAt: new Date() } });
    await tx.passwordResetToken.updateMany({ where: { userId: actor.userId, usedAt: null }, data: { usedAt: new Date() } });
    await recordAudit(tx, actor, "user.password_changed", { type: "user", id: actor.userId }, { endedSessions: count });
    return { endedSessions: count };
  });
}
