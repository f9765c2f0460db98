import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "./embedded-postgres.mjs";

const moduleUrl = pathToFileURL(fileURLToPath(new URL("./embedded-postgres.mjs", import.meta.url))).href;
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
// fsync off (initdb --no-sync): the behaviour under test is the same, and the suite stays fast.
const ephemeral = true;

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie is dead for our purposes.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

async function postmasterPid(dataDir: string): Promise<number> {
  return Number((await fs.readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0]);
}

/**
 * Runs startEmbeddedPostgres in a child node process that inserts a row, prints READY <url> and
 * then waits (forever) for its fate.
 */
async function startInChild(dataDir: string, table: string, value: string): Promise<{ child: ChildProcess; url: string }> {
  const code = `
    import pg from "pg";
    import { startEmbeddedPostgres } from ${JSON.stringify(moduleUrl)};
    const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, log: () => {}, ephemeral: true });
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query("CREATE TABLE ${table} (value text)");
    await client.query("INSERT INTO ${table} VALUES ($1)", [${JSON.stringify(value)}]);
    await client.end();
    console.log("READY " + server.url);
    setInterval(() => {}, 60_000);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      const match = /READY (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code, signal) => reject(new Error(`child exited (${code ?? signal}) before READY:\n${stderr}`)));
  });
  return { child, url };
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

describe("startEmbeddedPostgres", () => {
  let root: string;
  const log: string[] = [];
  const quietLog = (message: string) => log.push(message);

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "boltrail-embedded-"));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  // initdb is the slow part (~1-2 s): after the first test, every scenario runs on that same
  // (stopped) cluster, each with its own table; initialised here if that test did not run.
  let cluster: Promise<string> | undefined;
  function sharedCluster(): Promise<string> {
    cluster ??= (async () => {
      const dir = path.join(root, "main");
      const server = await startEmbeddedPostgres({ dataDir: dir, log: quietLog, ephemeral });
      await server.stop();
      return dir;
    })();
    return cluster;
  }

  it("initialises, keeps data across a stop and a start, and stops idempotently", async () => {
    const dataDir = path.join(root, "main");
    const messages: string[] = [];
    const first = await startEmbeddedPostgres({ dataDir, database: "boltrail", log: (m) => messages.push(m), ephemeral });
    expect(messages.join("\n")).toMatch(/Initialising a PostgreSQL data directory/);
    expect(first.url).toMatch(/^postgres:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/boltrail$/);
    expect(first.url).toContain(`:${first.port}/`);
    await sql(first.url, "CREATE TABLE notes (value text)");
    await sql(first.url, "INSERT INTO notes VALUES ($1)", ["kept"]);
    await first.stop();
    await first.stop();
    await expect(sql(first.url, "SELECT 1")).rejects.toThrow();

    const second = await startEmbeddedPostgres({ dataDir, database: "boltrail", log: quietLog, ephemeral });
    try {
      expect(await sql<{ value: string }>(second.url, "SELECT value FROM notes")).toEqual([{ value: "kept" }]);
      const [{ listen, version }] = await sql<{ listen: string; version: string }>(
        second.url,
        "SELECT current_setting('server_version_num') AS version, current_setting('listen_addresses') AS listen",
      );
      expect(Number(version)).toBeGreaterThanOrEqual(170000);
      expect(Number(version)).toBeLessThan(180000); // the wasm schema engine crashes on 18
      expect(listen).toBe("127.0.0.1");
    } finally {
      await second.stop();
    }
    cluster = Promise.resolve(dataDir);
  });

  it("creates the requested database when it is missing from an existing cluster", async () => {
    const dataDir = await sharedCluster();
    const server = await startEmbeddedPostgres({ dataDir, database: "another_one", log: quietLog, ephemeral });
    try {
      const [{ db }] = await sql<{ db: string }>(server.url, "SELECT current_database() AS db");
      expect(db).toBe("another_one");
    } finally {
      await server.stop();
    }
  });

  it("recovers when the process that started the server was SIGKILLed", async () => {
    const dataDir = await sharedCluster();
    const { child } = await startInChild(dataDir, "crash_notes", "before the crash");
    const orphan = await postmasterPid(dataDir);
    child.kill("SIGKILL");
    await waitForExit(child);
    expect(isAlive(orphan)).toBe(true); // PostgreSQL outlives its parent

    const messages: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, log: (m) => messages.push(m), ephemeral });
    try {
      expect(messages.join("\n")).toMatch(/left running by a process that is gone/);
      expect(isAlive(orphan)).toBe(false);
      expect(await postmasterPid(dataDir)).not.toBe(orphan);
      expect(await sql<{ value: string }>(server.url, "SELECT value FROM crash_notes")).toEqual([
        { value: "before the crash" },
      ]);
    } finally {
      await server.stop();
    }
  });

  it("reuses a server still owned by a live process and leaves it running", async () => {
    const dataDir = await sharedCluster();
    const { child, url: ownerUrl } = await startInChild(dataDir, "owner_notes", "from the owner");
    try {
      const messages: string[] = [];
      const guest = await startEmbeddedPostgres({ dataDir, log: (m) => messages.push(m), ephemeral });
      expect(messages.join("\n")).toMatch(/reusing it/);
      expect(guest.url).toBe(ownerUrl);
      expect(await sql<{ value: string }>(guest.url, "SELECT value FROM owner_notes")).toEqual([{ value: "from the owner" }]);
      await guest.stop();
      expect(await sql(ownerUrl, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      child.kill("SIGTERM"); // no handler of its own: ours stops the server cleanly, then exits
      await waitForExit(child);
    }
    await expect(fs.access(path.join(dataDir, "postgres", "postmaster.pid"))).rejects.toThrow();
  });

  it("says why when PostgreSQL refuses to start", async () => {
    const dataDir = await sharedCluster();
    const conf = path.join(dataDir, "postgres", "postgresql.conf");
    const original = await fs.readFile(conf, "utf8");
    await fs.appendFile(conf, "\nthis_is_not_a_setting = 1\n");
    try {
      await expect(startEmbeddedPostgres({ dataDir, log: quietLog, ephemeral })).rejects.toThrow(
        /Embedded PostgreSQL failed to start[\s\S]*this_is_not_a_setting/,
      );
    } finally {
      await fs.writeFile(conf, original);
    }
  });

  it("reports a data directory it cannot use", async () => {
    const dataDir = path.join(root, "not-postgres");
    await fs.mkdir(path.join(dataDir, "postgres"), { recursive: true });
    await fs.writeFile(path.join(dataDir, "postgres", "something.txt"), "hello");
    await expect(startEmbeddedPostgres({ dataDir, log: quietLog, ephemeral })).rejects.toThrow(/is not a PostgreSQL data directory/);
  });
});
