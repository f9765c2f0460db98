import "server-only";
import { db } from "@/lib/db";
import type { UserActor } from "../auth/actor";
import { getTeam, type TeamMemberView } from "../teams/members";

export type UserProfile = {
  id: string;
  email: string;
  isMaster: boolean;
  team: { id: string; name: string; members: TeamMemberView[]; monthToDatePaymentVolumeSats: bigint };
};

/** The signed-in user with their team, and the team's completed volume this calendar month (UTC), in sats. */
export async function getUserProfile(actor: UserActor): Promise<UserProfile> {
  const team = await getTeam(actor);
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const [volume] = await db.$queryRaw<{ sats: bigint | null }[]>`
    SELECT COALESCE(SUM(CASE WHEN a.type = 'BASE_ASSET' THEN t.amount ELSE COALESCE(t."amountSats", 0) END), 0)::bigint AS sats
    FROM transactions t
    JOIN environments e ON e.id = t."environmentId"
    JOIN assets a ON a.id = t."assetId"
    WHERE e."teamId" = ${actor.teamId} AND t.status = 'COMPLETED' AND t."settledAt" >= ${monthStart}`;
  return {
    id: actor.userId,
    email: actor.email,
    isMaster: actor.isMaster,
    team: { id: team.id, name: team.name, members: team.members, monthToDatePaymentVolumeSats: volume?.sats ?? BigInt(0) },
  };
}
