// The embedded PostgreSQL's supervisor (lib/health/embedded-postgres-supervisor.ts, started by
// scripts/boltrail.ts) with a real server: killed, it is started again on the same port, with
// the same data, and says so; stopped on purpose, it stays stopped.
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.mjs";
import { isAlive, postmasterPid, superviseEmbeddedPostgres, type Supervisor } from "@/lib/health/embedded-postgres-supervisor";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let dataDir: string | undefined;
let supervisor: Supervisor | undefined;
let stopFirst: (() => Promise<void>) | undefined;

afterAll(async () => {
  await supervisor?.stop();
  await stopFirst?.();
  if (dataDir) await fsp.rm(dataDir, { recursive: true, force: true });
});

function killTree(pid: number) {
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // none
  }
  for (const p of [pid, ...children]) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // gone
    }
  }
}

async function query(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.query<{ v: string }>("SELECT value AS v FROM marks LIMIT 1")).rows[0]!.v;
  } finally {
    await client.end().catch(() => {});
  }
}

async function waitFor<T>(probe: () => Promise<T | null> | T | null, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe("superviseEmbeddedPostgres", () => {
  it("restarts a killed embedded PostgreSQL on the same port, twice, then stays stopped once stopped", { timeout: 60_000 }, async () => {
    dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), "boltrail-supervisor-"));
    const server = await startEmbeddedPostgres({ dataDir, database: "boltrail", ephemeral: true, log: () => {} });
    stopFirst = server.stop;
    const pgDir = path.join(dataDir, "postgres");
    const setup = new pg.Client({ connectionString: server.url });
    await setup.connect();
    await setup.query("CREATE TABLE marks (value text); INSERT INTO marks VALUES ('kept')");
    await setup.query("CHECKPOINT"); // synchronous_commit is off on this throwaway cluster
    await setup.end();

    const lines: string[] = [];
    supervisor = superviseEmbeddedPostgres({ pgDir, port: server.port, ephemeral: true, log: (m) => lines.push(m), minBackoffMs: 100 });

    for (let round = 1; round <= 2; round++) {
      const pid = postmasterPid(pgDir)!;
      expect(isAlive(pid)).toBe(true);
      const killedAt = Date.now();
      killTree(pid);
      await waitFor(() => (supervisor!.restarts() === round ? true : null), 20_000, `restart ${round}\n${lines.join("\n")}`);
      expect(await waitFor(() => query(server.url), 5_000, "a query on the restarted server")).toBe("kept");
      expect(postmasterPid(pgDir)).not.toBe(pid);
      console.log(`[supervisor] round ${round}: PostgreSQL answering again ${Date.now() - killedAt} ms after SIGKILL`);
    }
    expect(lines.filter((l) => /^embedded PostgreSQL exited \(.*\); restarting in \d+ ms$/.test(l))).toHaveLength(2);
    expect(lines.some((l) => /exited \(code null, signal SIGKILL\); restarting/.test(l)), lines.join("\n")).toBe(true);
    expect(lines.filter((l) => /^embedded PostgreSQL restarted on 127\.0\.0\.1:\d+/.test(l))).toHaveLength(2);

    const last = postmasterPid(pgDir)!;
    await supervisor.stop();
    expect(isAlive(last)).toBe(false);
    await sleep(500);
    expect(supervisor.restarts()).toBe(2);
    await expect(query(server.url)).rejects.toThrow();
  });
});
