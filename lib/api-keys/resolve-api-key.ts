import "server-only";
import { db, sql } from "@/lib/db";
import { unauthenticated } from "../errors";
import type { KeyActor, Permission } from "../auth/actor";
import { sha256Hex } from "../crypto";
import { createBatcher } from "../db-batch";
import { KEY_PATTERN } from "./key-format";

const LAST_USED_RESOLUTION_MS = 60_000;

type KeyRow = {
  keyHash: string;
  id: string;
  permissions: unknown;
  walletId: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  environmentId: string;
  environmentType: "SANDBOX" | "LIVE";
  teamId: string;
  /** The sandboxes this key created (DESIGN.md §4: they join its scope). */
  createdEnvironmentIds: string[];
};
const lastUsedWritten = new Map<string, number>();

/**
 * The key lookup of every API request. Lookups that arrive together go out as one indexed
 * statement (lib/db-batch.ts), each distinct hash once; a batch is sent only after all of its
 * requests arrived, so each sees the key as it is after it asked: nothing is cached.
 */
const keyLookups = createBatcher<string, KeyRow | undefined>({
  maxInFlight: 3,
  async run(hashes) {
    // Written as SQL so it skips the ORM's query planning.
    const rows = await sql<KeyRow>(
      `SELECT k."keyHash", k.id, k.permissions, k."walletId", k."expiresAt", k."revokedAt", k."lastUsedAt",
              e.id AS "environmentId", e.type::text AS "environmentType", e."teamId",
              ARRAY(SELECT c.id FROM environments c WHERE c."createdByKeyId" = k.id AND c."teamId" = e."teamId" ORDER BY c."createdAt", c.id) AS "createdEnvironmentIds"
       FROM service_api_keys k JOIN environments e ON e.id = k."environmentId"
       WHERE k."keyHash" = ANY($1::text[])`,
      [[...new Set(hashes)]],
      { prepared: true },
    );
    const byHash = new Map(rows.map((row) => [row.keyHash, row]));
    return hashes.map((hash) => ({ ok: true, value: byHash.get(hash) }));
  },
});

/**
 * `x-api-key` → actor. Malformed, unknown, revoked and expired keys are all UNAUTHENTICATED,
 * with a message that says which (none of them reveals anything about other keys). One indexed
 * query (shared with the lookups that arrive at the same moment); nothing is cached, so a
 * revocation applies to the very next request.
 */
export async function resolveApiKey(plaintext: string): Promise<KeyActor> {
  const value = plaintext.trim();
  if (!KEY_PATTERN.test(value)) {
    throw unauthenticated("The x-api-key header is not a Boltrail API key (expected amb_test_… or amb_live_… followed by 43 characters)");
  }
  const key = await keyLookups.submit(sha256Hex(value));
  if (!key) throw unauthenticated("Unknown API key");
  if (key.revokedAt) throw unauthenticated("This API key was revoked");
  const now = Date.now();
  if (key.expiresAt && key.expiresAt.getTime() <= now) throw unauthenticated("This API key has expired");
  if ((key.environmentType === "LIVE") !== value.startsWith("amb_live_")) throw unauthenticated("Unknown API key");

  touchLastUsed(key.id, key.lastUsedAt, now);
  return {
    kind: "key",
    keyId: key.id,
    teamId: key.teamId,
    environmentId: key.environmentId,
    environmentType: key.environmentType,
    permissions: key.permissions as Permission[],
    walletId: key.walletId,
    // A wallet-scoped key cannot create environments; were one ever recorded, it would not widen its scope.
    createdEnvironmentIds: key.walletId ? [] : key.createdEnvironmentIds,
  };
}

/**
 * Records last_used_at at most once a minute per key, off the request's critical path: a
 * conditional update (so several instances together still write at most once a minute) that the
 * request does not wait for.
 */
function touchLastUsed(keyId: string, lastUsedAt: Date | null, now: number) {
  if (lastUsedAt && now - lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  const written = lastUsedWritten.get(keyId);
  if (written && now - written < LAST_USED_RESOLUTION_MS) return;
  lastUsedWritten.set(keyId, now);
  if (lastUsedWritten.size > 10_000) lastUsedWritten.clear();
  const threshold = new Date(now - LAST_USED_RESOLUTION_MS);
  const write = db.serviceApiKey
    .updateMany({
      where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: threshold } }] },
      data: { lastUsedAt: new Date(now) },
    })
    .catch((err: unknown) => console.warn("[boltrail] could not record last_used_at:", (err as Error).message))
    .finally(() => inFlight.delete(write));
  inFlight.add(write);
}

const inFlight = new Set<Promise<unknown>>();

/** Resolves once the last_used_at writes in flight are done (tests wait for it before dropping their database). */
export async function settleLastUsedWrites(): Promise<void> {
  await Promise.allSettled([...inFlight]);
}
