// Helpers for the per-file test databases on the cluster started by test/global-setup.ts.
import { randomBytes } from "node:crypto";
import pg from "pg";

/** The migrated database every test database is cloned from. */
export const TEMPLATE_DATABASE = "boltrail_template";

/** `url` with its database name replaced by `database`. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database with a unique name and returns its URL: a clone of the migrated template
 * by default, or an empty database with `{ template: "template0" }`.
 */
export async function createDatabase(
  adminUrl: string,
  { template = TEMPLATE_DATABASE, prefix = "test" }: { template?: string; prefix?: string } = {},
): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${process.pid}_${randomBytes(5).toString("hex")}`;
  await withAdmin(adminUrl, (client) =>
    client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`),
  );
  return { name, url: databaseUrl(adminUrl, name) };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
}
