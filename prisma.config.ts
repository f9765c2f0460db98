// Prisma CLI configuration. The CLI runs its JavaScript (wasm) schema engine through a driver
// adapter, so no Rust engine binary is ever downloaded (binaries.prisma.sh is unreachable here).
// The adapter below is @prisma/adapter-pg with four defects of 6.19 worked around; see
// docs/decisions/001-prisma-js-engine.md. This adapter is for the CLI only; the app's runtime
// client lives in lib/db.ts and migrations are applied at start by scripts/lib/migrate.mjs.
import { randomBytes } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { defineConfig } from "prisma/config";

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;
type QueryCallback = (err: Error | null, res?: unknown) => void;

const OID_CHAR = 18; // "char"
const OID_NAME = 19; // name
const OID_TEXT = 25;

/** Defect 1: the adapter refuses columns of type `name` and `"char"`, which introspection returns. */
function nameAndCharAsText<T>(result: T): T {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as Array<{ fields?: Array<{ dataTypeID: number }> } | null>) {
    for (const field of r?.fields ?? []) {
      if (field.dataTypeID === OID_NAME || field.dataTypeID === OID_CHAR) field.dataTypeID = OID_TEXT;
    }
  }
  return result;
}

function patchClientQuery(client: pg.PoolClient): void {
  const target = client as unknown as { query: QueryFn };
  const original = target.query;
  target.query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown) {
    if (config && typeof (config as { submit?: unknown }).submit === "function") {
      return original.call(this, config, values, callback);
    }
    if (typeof values === "function") {
      callback = values;
      values = undefined;
    }
    if (typeof callback === "function") {
      const cb = callback as QueryCallback;
      return original.call(this, config, values, (err: Error | null, res?: unknown) =>
        cb(err, err ? res : nameAndCharAsText(res)),
      );
    }
    return (original.call(this, config, values) as Promise<unknown>).then(nameAndCharAsText);
  };
}

function createPool(connectionString: string): pg.Pool {
  // The CLI never disposes its adapter: without allowExitOnIdle every command lingers ~10 s.
  const pool = new pg.Pool({ connectionString, allowExitOnIdle: true });
  pool.on("connect", patchClientQuery);
  return pool;
}

/**
 * Defect 4: the adapter's executeScript splits on every `;`, breaking `$$` bodies. Send the whole
 * script as one simple query instead (PostgreSQL runs it as one implicit transaction).
 */
function patchExecuteScript(adapter: PgAdapter, pool: pg.Pool): PgAdapter {
  const toDriverError = (adapter as unknown as { onError(error: unknown): never }).onError.bind(adapter);
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      toDriverError(error);
    }
  };
  return adapter;
}

async function adminQuery(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

class CliPgAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";

  constructor(private readonly connectionString: string) {}

  async connect(): Promise<PgAdapter> {
    const pool = createPool(this.connectionString);
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    return patchExecuteScript(adapter, pool);
  }

  async connectToShadowDb(): Promise<PgAdapter> {
    // Defect 2: the stock version connects to the connection string's database, not the shadow
    // one. Create a uniquely named database and point the connection string at it by name.
    const name = `prisma_shadow_${Date.now()}_${randomBytes(6).toString("hex")}`;
    await adminQuery(this.connectionString, `CREATE DATABASE "${name}"`);
    const url = new URL(this.connectionString);
    url.pathname = `/${name}`;
    const pool = createPool(url.toString());
    const adapter = patchExecuteScript(await new PrismaPg(pool, { disposeExternalPool: true }).connect(), pool);
    const dispose = adapter.dispose.bind(adapter);
    // Defect 3: the stock version drops the database while its own pool is still connected.
    adapter.dispose = async () => {
      await dispose(); // ends the shadow pool
      await adminQuery(this.connectionString, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  engine: "js",
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL must be set for Prisma CLI commands that touch the database.");
    return new CliPgAdapterFactory(url);
  },
});
