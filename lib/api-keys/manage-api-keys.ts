import "server-only";
import { db } from "@/lib/db";
import { badInput, notFound } from "../errors";
import { requireMaster, type Actor, type Permission } from "../auth/actor";
import { recordAudit } from "../audit";
import { sha256Hex } from "../crypto";
import { checkId, parseInput } from "../validation";
import { API_KEY_SELECT, toApiKeyView, type ApiKeyView } from "./api-key-view";
import { displayParts, generatePlaintextKey } from "./key-format";
import { CreateApiKeyInput, UpdateApiKeyInput } from "./schemas";

/**
 * API key management is master-session only (DESIGN.md §4): a key can never list, create, update
 * or revoke keys, so a leaked key cannot mint itself a successor.
 */
const MANAGE = "manage API keys";

/** Creates a key; the plaintext is returned here once and only its SHA-256 is stored. */
export async function createApiKey(actor: Actor, raw: unknown): Promise<{ key: ApiKeyView; plaintextKey: string }> {
  requireMaster(actor, MANAGE);
  const input = parseInput(CreateApiKeyInput, raw, "input");
  const environment = await db.environment.findFirst({
    where: { id: input.environment_id, teamId: actor.teamId },
    select: { id: true, type: true },
  });
  if (!environment) throw badInput("input.environment_id", "no environment with this id in your team");
  if (input.wallet_id) {
    const wallet = await db.wallet.findFirst({ where: { id: input.wallet_id, environmentId: environment.id }, select: { id: true } });
    if (!wallet) throw badInput("input.wallet_id", "no wallet with this id in the environment");
  }
  if (input.node_id) throw badInput("input.node_id", "no node with this id is attached to the environment");

  // One entry per resource, keeping the highest level asked for.
  const byResource = new Map<string, Permission>();
  for (const p of input.permissions) {
    const seen = byResource.get(p.resource);
    if (!seen || p.level === "WRITE") byResource.set(p.resource, p);
  }
  const permissions = [...byResource.values()];

  const plaintextKey = generatePlaintextKey(environment.type);
  const row = await db.$transaction(async (tx) => {
    const created = await tx.serviceApiKey.create({
      data: {
        environmentId: environment.id,
        name: input.name,
        keyHash: sha256Hex(plaintextKey),
        ...displayParts(plaintextKey),
        permissions,
        walletId: input.wallet_id,
        nodeId: null,
        expiresAt: input.expires_at,
        createdById: actor.userId,
      },
      select: API_KEY_SELECT,
    });
    await recordAudit(tx, actor, "api_key.created", { type: "api_key", id: created.id }, { name: input.name, permissions });
    return created;
  });
  return { key: toApiKeyView(row), plaintextKey };
}

async function findOwnKey(actor: Actor, id: string) {
  const key = await db.serviceApiKey.findFirst({
    where: { id: checkId(id, "API key"), environment: { teamId: actor.teamId } },
    select: API_KEY_SELECT,
  });
  if (!key) throw notFound("API key");
  return key;
}

export async function renameApiKey(actor: Actor, id: string, raw: unknown): Promise<ApiKeyView> {
  requireMaster(actor, MANAGE);
  const input = parseInput(UpdateApiKeyInput, raw, "input");
  const key = await findOwnKey(actor, id);
  const row = await db.$transaction(async (tx) => {
    const updated = await tx.serviceApiKey.update({ where: { id: key.id }, data: { name: input.name }, select: API_KEY_SELECT });
    await recordAudit(tx, actor, "api_key.renamed", { type: "api_key", id: key.id }, { from: key.name, to: input.name });
    return updated;
  });
  return toApiKeyView(row);
}

/** Revokes a key; the next request made with it is refused. Revoking twice is harmless. */
export async function revokeApiKey(actor: Actor, id: string): Promise<ApiKeyView> {
  requireMaster(actor, MANAGE);
  const key = await findOwnKey(actor, id);
  if (key.revokedAt) return toApiKeyView(key);
  const row = await db.$transaction(async (tx) => {
    const updated = await tx.serviceApiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() }, select: API_KEY_SELECT });
    await recordAudit(tx, actor, "api_key.revoked", { type: "api_key", id: key.id }, { name: key.name });
    return updated;
  });
  return toApiKeyView(row);
}

/** Every key of the team (optionally of one environment), newest first, revoked ones included. */
export async function listApiKeys(actor: Actor, environmentId?: string): Promise<ApiKeyView[]> {
  requireMaster(actor, MANAGE);
  const rows = await db.serviceApiKey.findMany({
    where: { environment: { teamId: actor.teamId }, ...(environmentId ? { environmentId: checkId(environmentId, "Environment") } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: API_KEY_SELECT,
  });
  const now = Date.now();
  return rows.map((r) => toApiKeyView(r, now));
}
