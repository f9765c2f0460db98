import "server-only";
import { db, sql } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { keyEnvironmentIds } from "../auth/permissions";
import { notFound } from "../errors";
import { NODE_VIEW_SELECT, type NodeView } from "./node-view";

/** The nodes the actor sees: a team member sees the team's node; an API key, the node of its own (LIVE) environment. */
function scope(actor: Actor) {
  return actor.kind === "user" ? { teamId: actor.teamId } : { teamId: actor.teamId, environmentId: { in: keyEnvironmentIds(actor) } };
}

export async function listNodes(actor: Actor): Promise<NodeView[]> {
  return db.lightningNode.findMany({ where: scope(actor), select: NODE_VIEW_SELECT, orderBy: { createdAt: "asc" } });
}

export async function findNode(actor: Actor, nodeId: string): Promise<NodeView> {
  const node = await db.lightningNode.findFirst({ where: { ...scope(actor), id: String(nodeId) }, select: NODE_VIEW_SELECT });
  if (!node) throw notFound("Node");
  return node;
}

/** The node serving a LIVE environment, with its sealed credentials (the live receive and send paths). Plain SQL: it runs on every live create_receive. */
export async function nodeOfEnvironment(environmentId: string) {
  const [row] = await sql<{ id: string; restUrl: string; tlsCertEncrypted: string | null; macaroonEncrypted: string; state: "CONNECTED" | "RECONNECTING" }>(
    `SELECT id, "restUrl", "tlsCertEncrypted", "macaroonEncrypted", state::text AS state FROM nodes WHERE "environmentId" = $1 LIMIT 1`,
    [environmentId],
    { prepared: true },
  );
  return row ?? null;
}
