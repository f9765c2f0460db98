import "server-only";
import { db } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { authorize, environmentScope } from "../auth/permissions";
import { ENVIRONMENT_SELECT, toEnvironmentView, type EnvironmentView } from "./environment-view";

export type { EnvironmentView };

/** Environments the actor can see: the team's for a user, its own for an API key. */
export async function listEnvironments(actor: Actor): Promise<EnvironmentView[]> {
  authorize(actor, "ENVIRONMENTS", "READ");
  const rows = await db.environment.findMany({
    where: environmentScope(actor),
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: ENVIRONMENT_SELECT,
  });
  return rows.map(toEnvironmentView);
}
