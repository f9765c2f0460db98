import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { requireMaster, type Actor } from "../auth/actor";
import { encryptSecret, decryptSecret } from "../crypto";
import { AppError, badInput, forbidden, notFound } from "../errors";
import { normalizeMacaroon } from "../lightning/lnd-rest";
import { randomUUID } from "node:crypto";
import { parseInput } from "../validation";
import { findWallet } from "../wallets/manage-wallets";
import { probeCanTrack, probeNode } from "../nodes/attach-node";
import { connectionOf } from "../nodes/node-connection";
import { kickNodeSubscriptions } from "../nodes/subscriptions-signal";
import { nip44Payload, verifyTeamPassword } from "./team-password";
import { Macaroon } from "../nodes/schemas";

/**
 * A node's credentials under Rails' custody model (issue 14): the admin macaroon, encrypted in
 * the client under the team's symmetric key (credentials.store_admin; opaque here, and only
 * handed back to a caller proving the team password, by PaymentsWallet.node_permissions), and
 * the management macaroon Boltrail itself uses (credentials.store_management; checked on the
 * node, stored under APP_ENCRYPTION_KEY).
 */

const LOCATIONS = ["LND", "LITD", "TAPD"] as const;

const StoreAdminInput = z.object({
  node_id: z.string().trim().min(1, "is required").max(200),
  encrypted_macaroon: nip44Payload(32_768),
  location: z.enum(LOCATIONS).nullish(),
  macaroon_type: z.enum(["ADMIN", "MANAGEMENT", "SUPERADMIN"]).nullish(),
  permissions: z
    .array(z.string().trim().regex(/^[a-z]+:[a-z]+$/, 'must be LND permissions such as "offchain:write" (entity:action)').max(100))
    .max(100, "must list at most 100 permissions"),
});

const StoreManagementInput = z.object({
  node_id: z.string().trim().min(1, "is required").max(200),
  macaroon: Macaroon,
  macaroon_type: z.enum(["ADMIN", "MANAGEMENT", "SUPERADMIN"]).nullish(),
  p2p_trade: z.boolean().nullish(),
  taproot_assets: z.boolean().nullish(),
});

async function teamNode(actor: Actor, nodeId: string) {
  const node = await db.lightningNode.findFirst({
    where: { id: nodeId, teamId: actor.teamId },
    select: { id: true, restUrl: true, tlsCertEncrypted: true, macaroonEncrypted: true, network: true, grpc: true },
  });
  if (!node) throw notFound("Node");
  return node;
}

/**
 * credentials.store_admin (master only): stores (or replaces, per location) a node's admin
 * macaroon as the client encrypted it. The team password must be set first: nobody could decrypt
 * it otherwise. Only LND is supported for now (Boltrail attaches LND; litd later).
 */
export async function storeAdminCredentials(actor: Actor, raw: unknown): Promise<true> {
  requireMaster(actor, "store a node's admin macaroon");
  const input = parseInput(StoreAdminInput, raw, "input");
  const location = input.location ?? "LND";
  if (location !== "LND") throw new AppError("NOT_IMPLEMENTED", `input.location: ${location} macaroons are not available in Boltrail yet: it attaches LND nodes (location LND)`);
  const macaroonType = input.macaroon_type === "SUPERADMIN" ? "SUPERADMIN" : "ADMIN";
  if (input.macaroon_type === "MANAGEMENT") throw badInput("input.macaroon_type", "MANAGEMENT macaroons are stored with credentials.store_management (Boltrail keeps those server-side)");
  const node = await teamNode(actor, input.node_id);
  const team = await db.team.findUniqueOrThrow({ where: { id: actor.teamId }, select: { passwordVerifier: true } });
  if (!team.passwordVerifier) throw forbidden("Set the team password first (user.store_team_password_and_keys): the admin macaroon is encrypted under the team's key, which the password protects");
  const permissions = [...new Set(input.permissions)];
  await db.$transaction(async (tx) => {
    await tx.nodeAdminCredential.upsert({
      where: { nodeId_location: { nodeId: node.id, location } },
      create: { id: `mac_${randomUUID()}`, nodeId: node.id, location, macaroonType, encryptedMacaroon: input.encrypted_macaroon, permissions, createdByUserId: actor.userId },
      update: { macaroonType, encryptedMacaroon: input.encrypted_macaroon, permissions, createdByUserId: actor.userId },
    });
    await tx.auditLog.create({
      data: { teamId: actor.teamId, actorUserId: actor.userId, action: "node.admin_macaroon.store", targetType: "node", targetId: node.id, details: { location, permissions } },
    });
  });
  return true;
}

/** Removes a node's stored admin macaroon (master only): live sends then need a send macaroon, or a new one stored. */
export async function removeAdminCredentials(actor: Actor, nodeId: string): Promise<true> {
  requireMaster(actor, "remove a node's admin macaroon");
  const node = await teamNode(actor, String(nodeId));
  await db.$transaction(async (tx) => {
    await tx.nodeAdminCredential.deleteMany({ where: { nodeId: node.id } });
    await tx.auditLog.create({ data: { teamId: actor.teamId, actorUserId: actor.userId, action: "node.admin_macaroon.remove", targetType: "node", targetId: node.id, details: {} } });
  });
  return true;
}

/**
 * credentials.store_management (master only): replaces the node's management macaroon after
 * checking it on the node as connect does (info, invoices read and write), and whether it can
 * follow payments (offchain:read), which live sends paid by the client need.
 */
export async function storeManagementCredentials(actor: Actor, raw: unknown): Promise<true> {
  requireMaster(actor, "store a node's management macaroon");
  const input = parseInput(StoreManagementInput, raw, "input");
  if (input.taproot_assets) throw new AppError("NOT_IMPLEMENTED", "input.taproot_assets: Taproot Asset channels (litd) are not available in Boltrail yet");
  if (input.p2p_trade) throw new AppError("NOT_IMPLEMENTED", "input.p2p_trade: trading is not available in Boltrail");
  const macaroonHex = normalizeMacaroon(input.macaroon);
  if (!macaroonHex) throw badInput("input.macaroon", "is neither hex nor base64: paste the macaroon file's contents as hex (xxd -p -c 100000 invoice.macaroon) or base64");
  const node = await teamNode(actor, input.node_id);
  const conn = { ...connectionOf(node), macaroonHex };
  const info = await probeNode(conn, { rest: "input.node_id", tls: "input.node_id", macaroon: "input.macaroon", lnd: "input.node_id" });
  const network = info.chains?.[0]?.network ?? "";
  if (network !== node.network) throw badInput("input.macaroon", `opens a node on ${network}, not this node (${node.network})`);
  const managementCanTrack = await probeCanTrack(conn);
  await db.$transaction(async (tx) => {
    const current = await tx.lightningNode.findUniqueOrThrow({ where: { id: node.id }, select: { pubkey: true } });
    if (current.pubkey !== info.identity_pubkey) throw badInput("input.macaroon", "was accepted by a different node than the one attached (its identity pubkey differs): attach that node with node.connect instead");
    await tx.lightningNode.update({ where: { id: node.id }, data: { macaroonEncrypted: encryptSecret(macaroonHex), managementCanTrack, state: "CONNECTED", lastError: null } });
    await tx.auditLog.create({
      data: { teamId: actor.teamId, actorUserId: actor.userId, action: "node.management_macaroon.store", targetType: "node", targetId: node.id, details: { can_track_payments: managementCanTrack } },
    });
  });
  kickNodeSubscriptions();
  return true;
}

export type AdminCredentialView = { id: string; location: string; macaroonType: string; permissions: string[]; createdAt: Date; updatedAt: Date };

/** The admin macaroons stored for the team's node, without the envelopes (the node page). */
export async function listAdminCredentials(actor: Actor, nodeId: string): Promise<AdminCredentialView[]> {
  const node = await db.lightningNode.findFirst({ where: { id: String(nodeId), teamId: actor.teamId }, select: { id: true } });
  if (!node) throw notFound("Node");
  return db.nodeAdminCredential.findMany({
    where: { nodeId: node.id },
    select: { id: true, location: true, macaroonType: true, permissions: true, createdAt: true, updatedAt: true },
    orderBy: { createdAt: "asc" },
  });
}

export type NodePermissionView = {
  id: string;
  nodeId: string;
  macaroonId: string;
  network: string;
  encryptedMacaroon: string;
  tlsCert: string | null;
  restUrl: string;
  grpc: string;
};

export type WalletNodePermissionsView = { walletId: string; encryptedSymmetricKey: string; nodes: NodePermissionView[] };

/**
 * PaymentsWallet.node_permissions(password_hash): what a client needs to pay from the wallet's
 * node itself — the team's encrypted symmetric key and the node's encrypted admin macaroon, REST
 * socket and TLS certificate — for a caller that proves the team password (each failure counts
 * toward the team's lockout). Readable with WALLETS READ, by a wallet-scoped key for its wallet
 * only. A sandbox wallet (no node) lists no nodes.
 */
export async function walletNodePermissions(actor: Actor, walletId: string, passwordHash: unknown): Promise<WalletNodePermissionsView> {
  const wallet = await findWallet(actor, walletId);
  await verifyTeamPassword(actor, passwordHash);
  const team = await db.team.findUniqueOrThrow({ where: { id: actor.teamId }, select: { encryptedSymmetricKey: true } });
  const creds = await db.nodeAdminCredential.findMany({
    where: { node: { environmentId: wallet.environmentId, teamId: actor.teamId } },
    select: { id: true, encryptedMacaroon: true, node: { select: { id: true, network: true, tlsCertEncrypted: true, restUrl: true, grpc: true } } },
    orderBy: { createdAt: "asc" },
  });
  return {
    walletId: wallet.id,
    encryptedSymmetricKey: team.encryptedSymmetricKey ?? "",
    nodes: creds.map((c) => ({
      id: c.id,
      nodeId: c.node.id,
      macaroonId: c.id,
      network: c.node.network,
      encryptedMacaroon: c.encryptedMacaroon,
      tlsCert: c.node.tlsCertEncrypted ? decryptSecret(c.node.tlsCertEncrypted).toString("utf8") : null,
      restUrl: c.node.restUrl,
      grpc: c.node.grpc,
    })),
  };
}

export type CustodyStatus = {
  teamId: string;
  passwordSet: boolean;
  /** The team's symmetric key as the client encrypted it (opaque here): the browser needs it to encrypt a macaroon, or to re-wrap it for a new password. */
  encryptedSymmetricKey: string | null;
  /** The node serving the environment, and how a live send from it is paid. */
  node: { id: string; restUrl: string; sendMacaroonStored: boolean; adminMacaroonStored: boolean; managementCanTrack: boolean | null } | null;
  /** server: Boltrail pays with its send macaroon; client: the client pays on the node; null: no node (or a sandbox). */
  sendMode: "server" | "client" | null;
};

/** How sending works from an environment under the custody modes (the dashboard's send form, node page and team settings). */
export async function custodyStatus(actor: Actor, environmentId: string | null): Promise<CustodyStatus> {
  const team = await db.team.findUniqueOrThrow({ where: { id: actor.teamId }, select: { id: true, passwordVerifier: true, encryptedSymmetricKey: true } });
  const node = environmentId
    ? await db.lightningNode.findFirst({
        where: { teamId: actor.teamId, environmentId: String(environmentId) },
        select: { id: true, restUrl: true, sendMacaroonEncrypted: true, managementCanTrack: true, _count: { select: { adminCredentials: true } } },
      })
    : null;
  return {
    teamId: team.id,
    passwordSet: !!team.passwordVerifier,
    encryptedSymmetricKey: team.encryptedSymmetricKey,
    node: node
      ? { id: node.id, restUrl: node.restUrl, sendMacaroonStored: !!node.sendMacaroonEncrypted, adminMacaroonStored: node._count.adminCredentials > 0, managementCanTrack: node.managementCanTrack }
      : null,
    sendMode: node ? (node.sendMacaroonEncrypted ? "server" : "client") : null,
  };
}
