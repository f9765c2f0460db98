// Benchmark fixtures, written straight into PostgreSQL with `pg` (not through the app), so that
// seeding costs nothing on the server under test. Table and column names follow
// prisma/migrations/*/migration.sql: snake_case plural tables, camelCase quoted columns, text
// uuid ids, and "updatedAt" without a database default.
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import { displayParts, generatePlaintextKey, KEY_PATTERN } from "../../lib/api-keys/key-format.ts";

export type PermissionResource = "ENVIRONMENTS" | "WALLETS" | "PAYMENTS" | "WEBHOOKS" | "WALLET_CREDENTIALS";
export type PermissionLevel = "READ" | "WRITE";
export type Permission = { resource: PermissionResource; level: PermissionLevel };

export type SeedOptions = {
  /** Permissions of the service API key. */
  permissions: Permission[];
  teamName?: string;
  environmentName?: string;
};

export type Seeded = {
  teamId: string;
  userId: string;
  environmentId: string;
  apiKeyId: string;
  /** The key to send as `x-api-key` (amb_test_ + 43 base64url characters). */
  apiKey: string;
};

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
      `INSERT INTO "environments" ("id", "teamId", "name", "type", "updatedAt") VALUES ($1, $2, $3, 'SANDBOX', now())`,
      [environmentId, teamId, options.environmentName ?? "Bench sandbox"],
    );
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
  return { teamId, userId, environmentId, apiKeyId, apiKey };
}
