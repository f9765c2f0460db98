import "server-only";
import { db } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { authorize, environmentScope } from "../auth/permissions";
import type { EnvironmentView } from "./environment-view";

export type { EnvironmentView };

/** Environments the actor can see: the team's for a user, its own for an API key. */
export async function listEnvironments(actor: Actor): Promise<EnvironmentView[]> {
  authorize(actor, "ENVIRONMENTS", "READ");
  const scope = environmentScope(actor);
  // Hot path of API clients: one statement, as SQL (skips the ORM's per-query planning).
  const rows = await db.$queryRaw<(Omit<EnvironmentView, "walletCount"> & { walletCount: bigint })[]>`
    SELECT e.id, e.name, e.type::text AS type, e."createdAt", e."updatedAt",
           (SELECT count(*) FROM wallets w WHERE w."environmentId" = e.id) AS "walletCount"
    FROM environments e
    WHERE e."teamId" = ${scope.teamId} AND (${scope.id ?? null}::text IS NULL OR e.id = ${scope.id ?? null}::text)
    ORDER BY e."createdAt", e.id`;
  return rows.map((r) => ({ ...r, walletCount: Number(r.walletCount) }));
}
