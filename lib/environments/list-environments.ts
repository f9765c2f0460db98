import "server-only";
import { sql } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { authorize, environmentScope } from "../auth/permissions";
import type { EnvironmentView } from "./environment-view";

export type { EnvironmentView };

/** Environments the actor can see: the team's for a user, its own for an API key. */
export async function listEnvironments(actor: Actor): Promise<EnvironmentView[]> {
  authorize(actor, "ENVIRONMENTS", "READ");
  const scope = environmentScope(actor);
  // Hot path of API clients: one statement, as SQL (skips the ORM's per-query planning).
  const rows = await sql<EnvironmentView>(
    `SELECT e.id, e.name, e.type::text AS type, e."createdAt", e."updatedAt",
            (SELECT count(*)::int FROM wallets w WHERE w."environmentId" = e.id) AS "walletCount"
     FROM environments e
     WHERE e."teamId" = $1 AND ($2::text IS NULL OR e.id = $2::text)
     ORDER BY e."createdAt", e.id`,
    [scope.teamId, scope.id ?? null],
    { prepared: true },
  );
  return rows;
}
