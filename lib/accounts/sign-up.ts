import "server-only";
import { db, isUniqueViolation } from "@/lib/db";
import { badInput } from "../errors";
import { hashPassword } from "../auth/password";
import { parseInput } from "../validation";
import { SignUpInput } from "./schemas";

/** Creates a user, their team, and makes them its master. */
export async function signUp(raw: unknown): Promise<{ userId: string; teamId: string }> {
  const input = parseInput(SignUpInput, raw);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const team = await tx.team.create({ data: { name: input.teamName } });
      const user = await tx.user.create({ data: { email: input.email, passwordHash } });
      await tx.membership.create({ data: { userId: user.id, teamId: team.id, role: "MASTER" } });
      await tx.auditLog.create({
        data: { teamId: team.id, actorUserId: user.id, action: "team.created", targetType: "team", targetId: team.id },
      });
      return { userId: user.id, teamId: team.id };
    });
  } catch (err) {
    if (isUniqueViolation(err, ["email"])) throw badInput("email", "An account with this email already exists; log in instead");
    throw err;
  }
}
