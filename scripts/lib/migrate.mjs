// Applies prisma/migrations at start, without the Prisma CLI (slow to load, and it needs the CLI
// driver adapter of prisma.config.ts). Equivalent to `prisma migrate deploy` for our purposes:
//
// - migrations are the folders of prisma/migrations holding a migration.sql, applied in name order;
// - each runs in its own transaction together with its row in Prisma's own `_prisma_migrations`
//   table (same columns, checksum = sha256 hex of the file), so `prisma migrate status` agrees and
//   a failed migration leaves nothing behind;
// - concurrent callers (several app instances starting at once, or `prisma migrate deploy`) are
//   serialised with the same session advisory lock the Prisma schema engine takes;
// - a failure throws a MigrationError naming the migration, with PostgreSQL's message and the line.
//
//   node scripts/lib/migrate.mjs            # applies to $DATABASE_URL, exit 1 on failure
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, "prisma", "migrations");

/** The key Prisma's schema engine uses for `pg_advisory_lock`, so we also exclude `prisma migrate`. */
const ADVISORY_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  /**
   * @param {string} migrationName
   * @param {string} message
   * @param {unknown} [cause]
   */
  constructor(migrationName, message, cause) {
    super(message, { cause });
    this.name = "MigrationError";
    this.migrationName = migrationName;
  }
}

/**
 * @typedef {{ name: string, file: string, sql: string, checksum: string }} Migration
 */

/**
 * Lists the migrations in `dir`, in the order they apply.
 * @param {string} [dir]
 * @returns {Promise<Migration[]>}
 */
export async function readMigrations(dir = MIGRATIONS_DIR) {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  /** @type {Migration[]} */
  const migrations = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = path.join(dir, entry.name, "migration.sql");
    let bytes;
    try {
      bytes = await fs.readFile(file);
    } catch {
      continue; // a folder without migration.sql is not a migration (Prisma skips it too)
    }
    migrations.push({
      name: entry.name,
      file,
      sql: bytes.toString("utf8"),
      checksum: createHash("sha256").update(bytes).digest("hex"),
    });
  }
  // Plain code-unit order, as Prisma sorts the folder names.
  return migrations.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Applies every migration not yet applied to the database at `connectionString`.
 *
 * @param {string} connectionString
 * @param {{ log?: (message: string) => void, migrationsDir?: string }} [options]
 * @returns {Promise<{ applied: string[] }>} the names applied by this call (empty when up to date)
 * @throws {MigrationError} when a migration fails (nothing of it is kept) or the history is in a
 *   state Prisma would refuse (a failed migration recorded by `prisma migrate`)
 */
export async function applyMigrations(connectionString, { log = console.log, migrationsDir = MIGRATIONS_DIR } = {}) {
  if (!connectionString) throw new Error("applyMigrations: a connection string is required");
  const migrations = await readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString, application_name: "boltrail-migrate" });
  client.on("error", () => {}); // a dropped connection surfaces as a failed query below
  await client.connect();
  /** @type {string[]} */
  const applied = [];
  try {
    const waiting = setTimeout(() => log("Waiting for another process to finish applying migrations…"), 5000);
    waiting.unref();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    } finally {
      clearTimeout(waiting);
    }

    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query(
      `SELECT migration_name, checksum, finished_at, logs FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    /** @type {Map<string, { checksum: string, finished_at: Date | null, logs: string | null }>} */
    const history = new Map(rows.map((row) => [row.migration_name, row]));

    for (const migration of migrations) {
      const previous = history.get(migration.name);
      if (previous && previous.finished_at === null) {
        throw new MigrationError(
          migration.name,
          `Migration ${migration.name} is recorded as failed in _prisma_migrations` +
            (previous.logs ? ` (${previous.logs.split("\n")[0]})` : "") +
            `. Fix the database by hand, then run \`npx prisma migrate resolve --rolled-back ${migration.name}\` ` +
            `(or --applied) before starting again.`,
        );
      }
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          log(`Warning: migration ${migration.name} was modified after it was applied (checksum differs).`);
        }
        continue;
      }

      const startedAt = Date.now();
      try {
        await client.query("BEGIN");
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), clock_timestamp(), 1)`,
          [randomUUID(), migration.checksum, migration.name, startedAt],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw new MigrationError(
          migration.name,
          `Migration ${migration.name} failed: ${describePgError(error, migration)}`,
          error,
        );
      }
      applied.push(migration.name);
      log(`Applied migration ${migration.name} (${Date.now() - startedAt} ms)`);
    }
  } finally {
    // Ending the session also releases the advisory lock.
    await client.end().catch(() => {});
  }
  return { applied };
}

/**
 * @param {unknown} error
 * @param {Migration} migration
 */
function describePgError(error, migration) {
  const e = /** @type {{ message?: string, code?: string, position?: string, detail?: string, hint?: string }} */ (
    error ?? {}
  );
  let text = e.message ?? String(error);
  if (e.code) text += ` [${e.code}]`;
  if (e.position) {
    const offset = Number(e.position) - 1;
    const line = migration.sql.slice(0, offset).split("\n").length;
    text += ` at ${path.relative(PROJECT_ROOT, migration.file)}:${line}`;
  }
  if (e.detail) text += `\nDetail: ${e.detail}`;
  if (e.hint) text += `\nHint: ${e.hint}`;
  return text;
}

// `node scripts/lib/migrate.mjs`
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL is not set.");
    process.exit(1);
  }
  try {
    const { applied } = await applyMigrations(url);
    if (applied.length === 0) console.log("Database is up to date.");
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
