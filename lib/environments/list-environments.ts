import "server-only";
import { sql } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { authorize, keyEnvironmentIds } from "../auth/permissions";
import type { EnvironmentView } from "./environment-view";

export type { EnvironmentView };

/** Environments the actor can see: the team's for a user; for an API key, its own and the sandboxes it created. */
export async function listEnvironments(actor: Actor): Promise<EnvironmentView[]> {
  authorize(actor, "ENVIRONMENTS", "READ");
  // Hot path of API clients: one statement, as SQL (skips the ORM's per-query planning).
  const rows = await sql<EnvironmentView>(
    `SELECT e.id, e.name, e.type::text AS type, e."createdAt", e."updatedAt",
            (SELECT count(*)::int FROM wallets w WHERE w."environmentId" = e.id) AS "walletCount"
     FROM environments e
     WHERE e."teamId" = $1 AND ($2::text[] IS NULL OR e.id = ANY($2::text[]))
     ORDER BY e."createdAt", e.id`,
    [actor.teamId, actor.kind === "key" ? keyEnvironmentIds(actor) : null],
    { prepared: true },
  );
  return rows;
}
