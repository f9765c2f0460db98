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

/** The database timeouts of the app's connections (lib/env.ts; read here without the rest of the configuration). */
export function dbTimeouts(source: Record<string, string | undefined> = process.env): { statementMs: number; connectMs: number; queryMs: number } {
  const read = (name: string, fallback: number) => {
    const value = Number(source[name]?.trim() || fallback);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  const statementMs = read("DB_STATEMENT_TIMEOUT_MS", 5_000);
  // The server cancels a statement after statementMs; the client gives up one second later, for
  // the cases where the server cannot answer at all (paused, network partition, half-open TCP).
  return { statementMs, connectMs: read("DB_CONNECT_TIMEOUT_MS", 3_000), queryMs: statementMs + 1_000 };
}

function createClient(): PrismaClient {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error(
      "DATABASE_URL is not set. Start Boltrail with `npm start` / `npm run dev` (which start the embedded " +
        "PostgreSQL and set it), or point DATABASE_URL at a PostgreSQL database.",
    );
  }
  const { statementMs, connectMs, queryMs } = dbTimeouts();
  const created = createPool({
    connectionString,
    max: 10,
    // Sessions in UTC: DateTime columns are `timestamp(3)` holding UTC, and raw SQL compares them with now().
    options: "-c timezone=UTC",
    // Waiting for a pooled connection (all busy) or for a new one to open: at most connectMs.
    connectionTimeoutMillis: connectMs,
    statement_timeout: statementMs,
    // A transaction left open by a stuck caller does not hold its locks and connection forever.
    idle_in_transaction_session_timeout: Math.max(60_000, statementMs * 2),
    query_timeout: queryMs,
    keepAlive: true,
  });
  globalForDb.__boltrailPool = created;
  // Interactive transactions wait for a pooled connection as long as any query does, and run up to 15 s
  // (at least a statement timeout plus a second).
  return new PrismaClient({
    adapter: new PrismaPg(created),
    transactionOptions: { maxWait: connectMs, timeout: Math.max(15_000, queryMs + 1_000) },
  });
}

/**
 * pg's Client state that its published types leave out (pg 8: `_ending`, `_queryable`, and the
 * socket under `connection.stream`): the only way to tell a dead connection from a failed query,
 * and to destroy a socket a paused server would never close. Read, never written.
 */
type ClientInternals = { _ending?: boolean; _queryable?: boolean; connection?: { stream?: { destroy?: () => void } } };
const internals = (client: pg.PoolClient) => client as unknown as ClientInternals;

/** True when a query failed because its connection is gone or can no longer be trusted. */
function isBrokenConnection(error: unknown, client: pg.PoolClient): boolean {
  const state = internals(client);
  if (state._ending || state._queryable === false) return true;
  const message = error instanceof Error ? error.message : "";
  return /Query read timeout|Connection terminated|not queryable/.test(message) || typeof (error as { errno?: unknown })?.errno === "number";
}

/**
 * A pg Pool that never loses a connection to a dead server. pg hands a checked-out client back
 * only when its borrower calls release(), and @prisma/adapter-pg 6.19 does not when a
 * transaction's COMMIT or ROLLBACK fails (Prisma's transaction manager awaits the query first and
 * releases after it): every connection cut mid-transaction by a PostgreSQL restart stayed checked
 * out forever, until all ten were and every request and the worker waited for one, forever (issue
 * 12, finding 5). So every client checked out with connect():
 * - is released (and closed) by the pool itself as soon as its connection fails: a query times out
 *   (pg leaves the connection busy with the lost query), the connection ends, or it emits 'error'
 *   (which, on a checked-out client nobody listens to, would also end the process);
 * - may be released more than once: the later calls do nothing.
 * A broken connection is destroyed at once rather than ended politely (a paused server never
 * answers the goodbye), so the pool has room again immediately.
 */
export function createPool(config: pg.PoolConfig): pg.Pool {
  const created = new pg.Pool(config);
  // An idle connection can be cut by the server (restart, failover); the pool drops it and the next query reconnects.
  created.on("error", () => {});
  // Every client, for its whole life: a dying connection can emit 'error' more than once (the
  // server's FATAL, then the socket's end), also after pg-pool's own once-listener of pool.query()
  // or after release; one without a listener would end the process. The failure itself reaches
  // whoever runs a query, as its error (and the guard below releases the client).
  created.on("connect", (client: pg.PoolClient) => {
    client.on("error", () => {});
  });
  created.on("release", (err: Error | undefined, client: pg.PoolClient) => {
    if (err) destroySocket(client);
  });
  const connect = created.connect.bind(created) as () => Promise<pg.PoolClient>;
  created.connect = ((callback?: unknown) => {
    // pool.query() uses the callback form and releases with the error itself.
    if (typeof callback === "function") return (connect as (cb: unknown) => void)(callback);
    return connect().then(guardClient);
  }) as typeof created.connect;
  return created;
}

function destroySocket(client: pg.PoolClient) {
  internals(client).connection?.stream?.destroy?.();
}

function guardClient(client: pg.PoolClient): pg.PoolClient {
  const release = client.release;
  let released = false;
  const drop = (error: Error) => {
    if (released) return;
    destroySocket(client);
    client.release(error);
  };
  const onError = (error: Error) => drop(error);
  const onEnd = () => drop(new Error("Connection terminated"));
  client.on("error", onError);
  client.once("end", onEnd);
  const query = client.query;
  client.query = function guardedQuery(this: pg.PoolClient, ...args: unknown[]) {
    const result = (query as (...a: unknown[]) => unknown).apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      return (result as Promise<unknown>).catch((error: unknown) => {
        if (isBrokenConnection(error, client)) drop(error instanceof Error ? error : new Error(String(error)));
        throw error;
      });
    }
    return result;
  } as typeof client.query;
  client.release = (error?: Error | boolean) => {
    if (released) return;
    released = true;
    client.removeListener("error", onError);
    client.removeListener("end", onEnd);
    client.query = query;
    // Not given back: a borrower that releases again (after the pool released it) must find a no-op.
    release.call(client, error);
  };
  return client;
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
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[], { prepared = false } = {}) =>
      (await client.query<R>({ name: prepared ? statementName(text) : undefined, text, values, types: HOT_TYPES })).rows;
    const { commit, value } = await fn(query);
    await client.query(commit ? "COMMIT" : "ROLLBACK");
    return value;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * `SELECT 1` through the app's pool, given up after `timeoutMs` (for /healthz): whether this
 * process can reach its database right now, and how long the round trip took.
 */
export async function pingDatabase(timeoutMs = 2_000): Promise<{ ok: true; latencyMs: number } | { ok: false; latencyMs: number; error: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    getDb();
    await Promise.race([
      pool!.query({ text: "SELECT 1", query_timeout: timeoutMs } as pg.QueryConfig),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
