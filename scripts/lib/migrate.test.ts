import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, dropDatabase } from "../../test/database";
import { MigrationError, applyMigrations, readMigrations } from "./migrate.mjs";

const adminUrl = inject("postgresAdminUrl");
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const quiet = () => {};
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const { name, url } = await createDatabase(adminUrl, { template: "template0", prefix: "migrate" });
  created.push(name);
  return url;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await Promise.all(created.map((name) => dropDatabase(adminUrl, name)));
});

describe("applyMigrations", () => {
  let url: string;
  let migrationNames: string[];

  beforeAll(async () => {
    url = await emptyDatabase();
    migrationNames = (await readMigrations()).map((m) => m.name);
  });

  it("finds the committed migrations, init first and the asset seed after it", () => {
    expect(migrationNames.length).toBeGreaterThanOrEqual(2);
    expect(migrationNames[0]).toMatch(/_init$/);
    expect(migrationNames.indexOf(migrationNames.find((n) => n.endsWith("_seed_assets"))!)).toBeGreaterThan(0);
  });

  it("applies every migration to an empty database and records them as Prisma does", async () => {
    const messages: string[] = [];
    const result = await applyMigrations(url, { log: (m) => messages.push(m) });
    expect(result.applied).toEqual(migrationNames);
    expect(messages).toHaveLength(migrationNames.length);

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    const onDisk = await readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(onDisk[i]!.checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("is a no-op the second time", async () => {
    const messages: string[] = [];
    const result = await applyMigrations(url, { log: (m) => messages.push(m) });
    expect(result.applied).toEqual([]);
    expect(messages).toEqual([]);
    const [{ count }] = await query<{ count: string }>(url, `SELECT count(*) FROM "_prisma_migrations"`);
    expect(Number(count)).toBe(migrationNames.length);
  });

  it("seeds BTC, USDT and USDC with their fixed ids and precisions", async () => {
    const assets = await query<{ id: string; symbol: string; type: string; precision: number; tapAssetId: string | null }>(
      url,
      `SELECT id, symbol, type, precision, "tapAssetId" FROM assets ORDER BY symbol`,
    );
    expect(assets.map(({ symbol, precision, type }) => ({ symbol, precision, type }))).toEqual([
      { symbol: "BTC", precision: 8, type: "BASE_ASSET" },
      { symbol: "USDC", precision: 6, type: "TAPROOT_ASSET" },
      { symbol: "USDT", precision: 6, type: "TAPROOT_ASSET" },
    ]);
    expect(assets.find((a) => a.symbol === "BTC")?.id).toBe("2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01");
    expect(assets.find((a) => a.symbol === "USDT")?.id).toBe("7f3b9a51-2c4e-4e8d-9b61-5d0a3c2e1f02");
    expect(assets.find((a) => a.symbol === "USDC")?.id).toBe("b1c4e8f2-6a3d-4f7b-8e25-9c0d1a2b3e03");
    expect(assets.find((a) => a.symbol === "BTC")?.tapAssetId).toBeNull();
    expect(assets.find((a) => a.symbol === "USDT")?.tapAssetId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("creates the one-LIVE-environment-per-team partial unique index", async () => {
    const [index] = await query<{ indexdef: string }>(
      url,
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'environments_one_live_per_team'`,
    );
    expect(index?.indexdef).toMatch(/UNIQUE INDEX .* \("teamId"\) WHERE \(type = 'LIVE'/);
  });

  it("leaves `prisma migrate status` satisfied", () => {
    const bin = path.join(projectRoot, "node_modules/.bin/prisma");
    const result = spawnSync(bin, ["migrate", "status"], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
    });
    expect(result.stdout + result.stderr).toContain("Database schema is up to date");
    expect(result.status).toBe(0);
  });
});

describe("applyMigrations, concurrently", () => {
  it("applies each migration exactly once when three callers start at once", async () => {
    const url = await emptyDatabase();
    const names = (await readMigrations()).map((m) => m.name);
    const results = await Promise.all([1, 2, 3].map(() => applyMigrations(url, { log: quiet })));

    const appliedByAll = results.flatMap((r) => r.applied).sort();
    expect(appliedByAll).toEqual([...names].sort());
    const rows = await query<{ migration_name: string; n: string }>(
      url,
      `SELECT migration_name, count(*) AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name`,
    );
    expect(rows.map((r) => [r.migration_name, Number(r.n)])).toEqual(names.map((n) => [n, 1]));
    const [{ count }] = await query<{ count: string }>(url, `SELECT count(*) FROM assets`);
    expect(Number(count)).toBe(3);
  });
});

describe("applyMigrations with a broken migration", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "boltrail-migrations-"));
    const write = async (name: string, sql: string) => {
      await fs.mkdir(path.join(dir, name));
      await fs.writeFile(path.join(dir, name, "migration.sql"), sql);
    };
    await write("001_first", `CREATE TABLE first_table (id int PRIMARY KEY);`);
    await write(
      "002_broken",
      `CREATE TABLE half_done (id int);\n-- the next statement fails\nINSERT INTO no_such_table VALUES (1);\n`,
    );
    await write("003_after", `CREATE TABLE after_table (id int);`);
    // A function with a $$ body must go through whole (no splitting on ';').
    await write(
      "000_function",
      `CREATE FUNCTION touch() RETURNS trigger AS $$\nBEGIN\n  NEW.id := NEW.id;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;`,
    );
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("stops at the failing migration, names it, and keeps nothing of it", async () => {
    const url = await emptyDatabase();
    const error = await applyMigrations(url, { log: quiet, migrationsDir: dir }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationError);
    const migrationError = error as MigrationError;
    expect(migrationError.migrationName).toBe("002_broken");
    expect(migrationError.message).toContain("002_broken");
    expect(migrationError.message).toContain('relation "no_such_table" does not exist');
    expect(migrationError.message).toMatch(/migration\.sql:3\b/);

    const recorded = await query<{ migration_name: string }>(
      url,
      `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(["000_function", "001_first"]);
    const tables = await query<{ tablename: string }>(
      url,
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
    );
    expect(tables.map((t) => t.tablename)).toEqual(["first_table"]); // no half_done, no after_table

    // Fixed, the next run carries on from there.
    await fs.writeFile(path.join(dir, "002_broken", "migration.sql"), `CREATE TABLE half_done (id int);`);
    const retry = await applyMigrations(url, { log: quiet, migrationsDir: dir });
    expect(retry.applied).toEqual(["002_broken", "003_after"]);
  });
});
