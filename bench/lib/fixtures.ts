// Benchmark fixtures, written straight into PostgreSQL with `pg` (not through the app), so that
// seeding costs nothing on the server under test. Table and column names follow
// prisma/migrations/*/migration.sql: snake_case plural tables, camelCase quoted columns, text
// uuid ids, and "updatedAt" without a database default.
import { createCipheriv, createHash, randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import secp256k1 from "secp256k1";
import { displayParts, generatePlaintextKey, KEY_PATTERN } from "../../lib/api-keys/key-format.ts";

export type PermissionResource = "ENVIRONMENTS" | "WALLETS" | "PAYMENTS" | "WEBHOOKS" | "WALLET_CREDENTIALS";
export type PermissionLevel = "READ" | "WRITE";
export type Permission = { resource: PermissionResource; level: PermissionLevel };

/** The assets seeded by the migrations (prisma/migrations/*_seed_assets). */
export const ASSET_IDS = {
  BTC: "2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01",
  USDT: "7f3b9a51-2c4e-4e8d-9b61-5d0a3c2e1f02",
  USDC: "b1c4e8f2-6a3d-4f7b-8e25-9c0d1a2b3e03",
} as const;

export type SeedOptions = {
  /** Permissions of the service API key. */
  permissions: Permission[];
  teamName?: string;
  environmentName?: string;
  /**
   * Give the SANDBOX environment a node key (needed to issue invoices), sealed with this key —
   * the server's APP_ENCRYPTION_KEY (32 bytes) — as the app does (lib/environments/node-key.ts).
   */
  nodeKeyEncryptionKey?: Buffer;
  /** Wallets to create in the environment (ids returned in this order). */
  wallets?: { assetId: string; name: string }[];
};

export type Seeded = {
  teamId: string;
  userId: string;
  environmentId: string;
  apiKeyId: string;
  /** The key to send as `x-api-key` (amb_test_ + 43 base64url characters). */
  apiKey: string;
  /** With `nodeKeyEncryptionKey`: the node's key pair and the sealed private key as stored. */
  node?: { privateKey: Buffer; pubkey: string; sealedPrivateKey: string };
  /** Ids of `options.wallets`, in order. */
  walletIds: string[];
};

/**
 * As lib/crypto.ts encryptSecret (that module is server-only): AES-256-GCM,
 * `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 */
export function sealSecret(plaintext: Buffer, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

/** As lib/environments/node-key.ts generateNodeKey: a secp256k1 key, compressed pubkey hex, sealed. */
export function generateNodeKey(encryptionKey: Buffer): { privateKey: Buffer; pubkey: string; sealedPrivateKey: string } {
  let privateKey: Buffer;
  do privateKey = randomBytes(32);
  while (!secp256k1.privateKeyVerify(privateKey));
  const pubkey = Buffer.from(secp256k1.publicKeyCreate(privateKey, true)).toString("hex");
  return { privateKey, pubkey, sealedPrivateKey: sealSecret(privateKey, encryptionKey) };
}

/** A team with its master user, a SANDBOX environment and a service API key in it. */
export async function seedTeamWithApiKey(databaseUrl: string, options: SeedOptions): Promise<Seeded> {
  const teamId = randomUUID();
  const userId = randomUUID();
  const environmentId = randomUUID();
  const apiKeyId = randomUUID();
  const apiKey = generatePlaintextKey("SANDBOX"); // amb_test_ + 43 base64url characters
  if (!KEY_PATTERN.test(apiKey)) throw new Error(`generated key ${apiKey.slice(0, 13)}… does not match KEY_PATTERN`);
  const { keyPrefix, keySuffix } = displayParts(apiKey); // first 13 / last 4 characters
  // As lib/crypto.ts sha256Hex (that module is server-only): SHA-256 hex of the plaintext.
  const keyHash = createHash("sha256").update(apiKey).digest("hex");
  const node = options.nodeKeyEncryptionKey ? generateNodeKey(options.nodeKeyEncryptionKey) : undefined;
  const wallets = (options.wallets ?? []).map((w) => ({ ...w, id: randomUUID() }));

  const client = new pg.Client({ connectionString: databaseUrl, application_name: "boltrail-bench-fixtures" });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(`INSERT INTO "teams" ("id", "name", "updatedAt") VALUES ($1, $2, now())`, [
      teamId,
      options.teamName ?? "Bench team",
    ]);
    await client.query(
      `INSERT INTO "users" ("id", "email", "passwordHash", "updatedAt") VALUES ($1, $2, $3, now())`,
      // Never logs in: any string will do as the hash.
      [userId, `bench-${userId}@bench.invalid`, "bench:no-login"],
    );
    await client.query(`INSERT INTO "memberships" ("id", "userId", "teamId", "role") VALUES ($1, $2, $3, 'MASTER')`, [
      randomUUID(),
      userId,
      teamId,
    ]);
    await client.query(
      `INSERT INTO "environments" ("id", "teamId", "name", "type", "nodePubkey", "nodeKeyEncrypted", "updatedAt")
       VALUES ($1, $2, $3, 'SANDBOX', $4, $5, now())`,
      [environmentId, teamId, options.environmentName ?? "Bench sandbox", node?.pubkey ?? null, node?.sealedPrivateKey ?? null],
    );
    for (const wallet of wallets) {
      await client.query(
        `INSERT INTO "wallets" ("id", "environmentId", "assetId", "name", "updatedAt") VALUES ($1, $2, $3, $4, now())`,
        [wallet.id, environmentId, wallet.assetId, wallet.name],
      );
    }
    await client.query(
      `INSERT INTO "service_api_keys"
         ("id", "environmentId", "name", "keyHash", "keyPrefix", "keySuffix", "permissions", "createdById", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, now())`,
      [
        apiKeyId,
        environmentId,
        "Bench key",
        keyHash,
        keyPrefix,
        keySuffix,
        JSON.stringify(options.permissions),
        userId,
      ],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
  return { teamId, userId, environmentId, apiKeyId, apiKey, node, walletIds: wallets.map((w) => w.id) };
}
