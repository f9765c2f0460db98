import "server-only";
import { db } from "@/lib/db";
import { requireMaster, type Actor } from "../auth/actor";
import { recordAudit } from "../audit";
import { AppError, notFound } from "../errors";
import { checkId } from "../validation";
import { kickNodeSubscriptions } from "./subscriptions-signal";

/**
 * Detaches the team's node (master only): its row and sealed credentials are deleted, and its
 * invoice subscription stops. Refused while a live transaction is pending: the node is the only
 * one that can still settle, cancel or resolve it. Attaching again later starts afresh.
 */
export async function detachNode(actor: Actor, nodeId: string): Promise<{ id: string }> {
  requireMaster(actor, "detach a Lightning node");
  const id = checkId(nodeId, "Node");
  await db.$transaction(async (tx) => {
    // Lock the node row: an attach replacing it waits for us (and we for it).
    const locked = await tx.$queryRaw<{ id: string; environmentId: string; pubkey: string }[]>`
      SELECT id, "environmentId", pubkey FROM nodes WHERE id = ${id} AND "teamId" = ${actor.teamId} FOR UPDATE`;
    const node = locked[0];
    if (!node) throw notFound("Node");
    const pending = await tx.transaction.count({ where: { status: "PENDING", OR: [{ nodeId: node.id }, { environmentId: node.environmentId }] } });
    if (pending > 0) {
      throw new AppError(
        "CONFLICT",
        `${pending === 1 ? "1 live transaction is" : `${pending} live transactions are`} still pending on this node: wait until ${pending === 1 ? "it completes, fails or expires" : "they complete, fail or expire"}, then detach it`,
      );
    }
    await tx.lightningNode.delete({ where: { id: node.id } });
    await recordAudit(tx, actor, "node.detach", { type: "node", id: node.id }, { pubkey: node.pubkey });
  });
  kickNodeSubscriptions();
  return { id };
}
