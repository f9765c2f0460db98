import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { requireMaster, type Actor } from "../auth/actor";
import { encryptSecret } from "../crypto";
import { badInput, notFound } from "../errors";
import { normalizeMacaroon } from "../lightning/lnd-rest";
import { parseInput } from "../validation";
import { probeSendMacaroon } from "./attach-node";
import { connectionOf } from "./node-connection";
import { NODE_VIEW_SELECT, type NodeView } from "./node-view";

const SetSendMacaroonInput = z.object({
  node_id: z.string().trim().min(1, "is required").max(200),
  macaroon: z.string().trim().max(16_384).nullish(),
});

/**
 * node.set_send_macaroon (Boltrail extension, issue 13 §3): the master stores a macaroon with
 * offchain:write (and offchain:read) for the team's node, so that create_send on the LIVE
 * environment pays through the node itself; null or empty removes it (live sends are then
 * refused). Checked on the node before it is stored (probeSendMacaroon), stored encrypted, never
 * returned.
 */
export async function setSendMacaroon(actor: Actor, raw: unknown): Promise<NodeView> {
  requireMaster(actor, "store a node's send macaroon");
  const input = parseInput(SetSendMacaroonInput, raw, "");
  const text = input.macaroon ?? "";
  const macaroonHex = text ? normalizeMacaroon(text) : null;
  if (text && !macaroonHex) throw badInput("macaroon", "is neither hex nor base64: paste the macaroon file's contents as hex (xxd -p -c 100000 send.macaroon) or base64");

  const node = await db.lightningNode.findFirst({
    where: { id: input.node_id, teamId: actor.teamId },
    select: { id: true, restUrl: true, tlsCertEncrypted: true, macaroonEncrypted: true },
  });
  if (!node) throw notFound("Node");
  if (macaroonHex) await probeSendMacaroon({ ...connectionOf(node), macaroonHex }, "macaroon");

  return db.$transaction(async (tx) => {
    const row = await tx.lightningNode.update({
      where: { id: node.id },
      data: { sendMacaroonEncrypted: macaroonHex ? encryptSecret(macaroonHex) : null },
      select: NODE_VIEW_SELECT,
    });
    await tx.auditLog.create({
      data: { teamId: actor.teamId, actorUserId: actor.userId, action: macaroonHex ? "node.send_macaroon.set" : "node.send_macaroon.remove", targetType: "node", targetId: node.id, details: {} },
    });
    return row;
  });
}

/** Whether the team's node holds a send macaroon (live create_send pays through it); the macaroon itself never leaves the service. */
export async function sendMacaroonStored(actor: Actor, nodeId: string): Promise<boolean> {
  const node = await db.lightningNode.findFirst({ where: { id: String(nodeId), teamId: actor.teamId }, select: { sendMacaroonEncrypted: true } });
  if (!node) throw notFound("Node");
  return node.sendMacaroonEncrypted !== null;
}
