import "server-only";
import { checkId } from "../validation";
import { db } from "@/lib/db";
import { notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { assertEnvironmentInKeyScope, authorize, environmentScope } from "../auth/permissions";
import { ENVIRONMENT_SELECT, toEnvironmentView, type EnvironmentView } from "./environment-view";

/** One environment in the actor's scope, or NOT_FOUND. */
export async function findEnvironment(actor: Actor, id: string): Promise<EnvironmentView> {
  authorize(actor, "ENVIRONMENTS", "READ");
  assertEnvironmentInKeyScope(actor, id);
  const row = await db.environment.findFirst({ where: { AND: [environmentScope(actor), { id: checkId(id, "Environment") }] }, select: ENVIRONMENT_SELECT });
  if (!row) throw notFound("Environment");
  return toEnvironmentView(row);
}
