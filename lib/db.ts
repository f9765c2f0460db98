// The one Prisma client of the process (Rust-free `prisma-client` generator + @prisma/adapter-pg).
// Created lazily on first use, so importing this module never needs DATABASE_URL (`next build`).
// Only services under lib/<domain>/ import it; app/ and lib/graphql/ never do.
import "server-only";
import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { Prisma, PrismaClient } from "@/lib/generated/prisma/client";

// Prisma namespace (errors, input types, `Prisma.sql`), model types (User, Team, …) and enums (Role, …).
export * from "@/lib/generated/prisma/client";

type GlobalWithDb = typeof globalThis & { __boltrailPrisma?: PrismaClient; __boltrailPool?: pg.Pool };
const globalForDb = globalThis as GlobalWithDb;
let instance: PrismaClient | undefined;
let pool: pg.Pool | undefined;

function createClient(): PrismaClient {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error(
      "DATABASE_URL is not set. Start Boltrail with `npm start` / `npm run dev` (which start the embedded " +
        "PostgreSQL and set it), or point DATABASE_URL at a PostgreSQL database.",
    );
  }
  // Sessions in UTC: DateTime columns are `timestamp(3)` holding UTC, and raw SQL compares them with now().
  const created = new pg.Pool({ connectionString, max: 10, options: "-c timezone=UTC" });
  // An idle connection can be cut by the server (restart, failover); the next query reconnects.
  created.on("error", () => {});
  globalForDb.__boltrailPool = created;
  // Interactive transactions wait up to 10 s for a pooled connection (bursts of requests) and run up to 15 s.
  return new PrismaClient({ adapter: new PrismaPg(created), transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
}

/**
 * The process-wide client, created on first call. It lives on globalThis, so every copy of this
 * module in the process shares one client and one pool: development's HMR reloads, and the
 * production server (scripts/server.ts) beside the copy bundled into Next.js's server code.
 */
export function getDb(): PrismaClient {
  if (instance) return instance;
  instance = globalForDb.__boltrailPrisma ??= createClient();
  pool = globalForDb.__boltrailPool;
  return instance;
}

/**
 * The Prisma client. A lazy stand-in: the real client is created on first property access, so a
 * missing DATABASE_URL is reported when the database is first used, not when this module loads.
 */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = getDb();
    const value: unknown = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
  has(_target, property) {
    return Reflect.has(getDb(), property);
  },
});

/** An interactive-transaction client (`db.$transaction(async (tx) => …)`). */
export type Tx = Prisma.TransactionClient;

/**
 * The columns of the unique constraint a P2002 error is about, when known. Prisma with a driver
 * adapter leaves `meta.target` empty and puts them in `meta.driverAdapterError.cause.constraint.fields`
 * (quoted as PostgreSQL prints them, e.g. `"teamId"`); both shapes are read.
 */
export function uniqueViolationFields(err: unknown): string[] | undefined {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== "P2002") return undefined;
  const meta = (err.meta ?? {}) as {
    target?: unknown;
    driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } };
  };
  const fromAdapter = meta.driverAdapterError?.cause?.constraint?.fields;
  const raw = Array.isArray(fromAdapter) ? fromAdapter : Array.isArray(meta.target) ? meta.target : undefined;
  return raw?.map((field) => String(field).trim().replace(/^"(.*)"$/, "$1"));
}

/**
 * True when `err` is a unique-constraint violation (P2002). With `fields`, only when the violated
 * constraint covers exactly those columns (any order; column names as in the database, which are
 * the Prisma field names here).
 */
export function isUniqueViolation(err: unknown, fields?: string[]): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== "P2002") return false;
  if (!fields || fields.length === 0) return true;
  const actual = uniqueViolationFields(err);
  if (!actual || actual.length !== fields.length) return false;
  return fields.every((field) => actual.includes(field));
}

// Next.js replaces the global Date in its server processes with a wrapper that tracks clock reads
// (for `cacheComponents`, which Boltrail does not use). This module is loaded by the production
// server before Next.js is, so its copy keeps the plain constructor for the rows it parses.
const PlainDate = Date;

// Parsers for `sql`: Prisma stores DateTime as `timestamp(3)` (no time zone) in UTC.
const HOT_TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 1114) return (value: string) => new PlainDate(`${value.replace(" ", "T")}Z`);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/**
 * Plain parameterised SQL on the same connection pool as Prisma, for the few statements on every
 * API request (key lookup, environment list): it skips the ORM's per-query planning. Integers
 * come back as numbers only for int4; cast counts with ::int.
 */
export async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[], { prepared = false } = {}): Promise<T[]> {
  getDb();
  const result = await pool!.query<T>({ name: prepared ? statementName(text) : undefined, text, values, types: HOT_TYPES });
  return result.rows;
}

const statementNames = new Map<string, string>();
/**
 * `prepared: true` (only for a fixed statement text, never one with values written into it: each
 * distinct text stays prepared on every connection) makes it a named prepared statement:
 * PostgreSQL parses and plans it once per connection instead of on every call. The name is a hash
 * of the text, so every copy of this module in the process (which share the pool) agrees on it.
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `boltrail_${createHash("sha256").update(text).digest("base64url").slice(0, 32)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * One explicit transaction on a pooled connection, for the hot paths that do their work in a single
 * statement and must decide from its result whether to keep it (`COMMIT` when `fn` resolves to
 * `{ commit: true }`, `ROLLBACK` otherwise, and on any error). `query` takes the same options as `sql`.
 */
export async function sqlTransaction<T>(
  fn: (query: <R extends pg.QueryResultRow>(text: string, values: unknown[], options?: { prepared?: boolean }) => Promise<R[]>) => Promise<{ commit: boolean; value: T }>,
): Promise<T> {
  getDb();
  const client = await pool!.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[], { prepared = false } = {}) =>
      (await client.query<R>({ name: prepared ? statementName(text) : undefined, text, values, types: HOT_TYPES })).rows;
    const { commit, value } = await fn(query);
    await client.query(commit ? "COMMIT" : "ROLLBACK");
    return value;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
