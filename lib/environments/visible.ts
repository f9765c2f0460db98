import "server-only";
import { sql } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { assertEnvironmentInKeyScope } from "../auth/permissions";
import { notFound } from "../errors";

/**
 * Lists take an environment id: one outside the caller's scope is NOT_FOUND (DESIGN.md §2), for a
 * key (another environment) as for a dashboard user (another team's environment), rather than an
 * empty list that would look like an environment with nothing in it.
 */
export async function assertEnvironmentVisible(actor: Actor, environmentId: string): Promise<void> {
  assertEnvironmentInKeyScope(actor, environmentId);
  if (actor.kind === "key") return;
  const [row] = await sql(`SELECT 1 FROM environments WHERE id = $1 AND "teamId" = $2`, [environmentId, actor.teamId], { prepared: true });
  if (!row) throw notFound("Environment");
}
