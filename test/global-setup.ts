// Starts ONE throwaway embedded PostgreSQL for the whole vitest run, applies the migrations to a
// template database, and hands its address to the test files (test/setup.ts clones the template
// into a database of their own).
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres.mjs";
import { applyMigrations } from "../scripts/lib/migrate.mjs";
import { TEMPLATE_DATABASE, databaseUrl } from "./database";

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection string of the test cluster's `postgres` maintenance database. */
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "boltrail-test-"));
  const output: string[] = [];
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    server = await startEmbeddedPostgres({
      dataDir,
      database: TEMPLATE_DATABASE,
      ephemeral: true,
      log: (message) => output.push(message),
    });
    await applyMigrations(server.url, { log: (message) => output.push(message) });
  } catch (error) {
    console.error(output.join("\n"));
    await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  project.provide("postgresAdminUrl", databaseUrl(server.url, "postgres"));
  if (process.env.BOLTRAIL_TEST_DEBUG) console.log(`[global-setup] PostgreSQL ready in ${Date.now() - started} ms`);

  return async () => {
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
