// The database failing under a running app process (issue 12, findings 5 and 6), on a PostgreSQL
// of this file's own (other test files keep the shared cluster of test/global-setup.ts):
//  (c) /healthz answers 200 with the database and worker state;
//  (a) PostgreSQL SIGKILLed (postmaster and backends) and started again 10 times while the app
//      process serves requests and runs its worker: after each restart the process answers and
//      its worker settles an invoice created after the restart;
//  (b) PostgreSQL paused (SIGSTOP): a GraphQL request answers SERVICE_UNAVAILABLE within 8 s
//      (no stack trace), /healthz answers 503; after SIGCONT both recover;
//  (c) PostgreSQL down: /healthz answers 503 at once, and 200 again once it is back.
// The app process is test/db/app-process.ts (the production server's /graphql, /healthz and
// in-app worker, without Next.js) with short database timeouts.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.mjs";
import { applyMigrations } from "../../scripts/lib/migrate.mjs";
import { startPostmaster, type Postmaster } from "@/lib/health/embedded-postgres-supervisor";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CYCLES = 10;
const STATEMENT_TIMEOUT_MS = 3000;
const CONNECT_TIMEOUT_MS = 2000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let dataDir: string;
let pgDir: string;
let port: number;
let databaseUrl: string;
let postgres: Postmaster | null = null;
let app: ChildProcess;
let appOutput = "";
let appExit: string | null = null;
let base: string;
let apiKey: string;
let walletId: string;

/** The postmaster's children (backends, checkpointer, …), read from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function signalTree(pids: number[], signal: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function startDatabase() {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      postgres = await startPostmaster({ pgDir, port, ephemeral: true });
      return;
    } catch (error) {
      // Backends of a killed postmaster can hold its shared memory for a moment.
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

async function killDatabase() {
  const pm = postgres!;
  const tree = [pm.pid, ...childrenOf(pm.pid)];
  signalTree(tree, "SIGKILL");
  await pm.exited;
  postgres = null;
}

async function gql(query: string, variables: Record<string, unknown> = {}, timeoutMs = 15_000) {
  const started = Date.now();
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  return { status: response.status, body, text, ms: Date.now() - started };
}

const CREATE = `mutation($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id status } } } }`;
const FIND = `query($id: String!) { payment { transaction { find_one(id: $id) { id status } } } }`;

async function createInvoice(): Promise<string | null> {
  const res = await gql(CREATE, { input: { wallet_id: walletId, amount: "1000", expires_in_seconds: 3600 } }, 10_000).catch(() => null);
  const created = (res?.body.data as { payment?: { transaction?: { create_receive?: { id: string } } } } | null | undefined)?.payment?.transaction?.create_receive;
  return created?.id ?? null;
}

async function statusOf(id: string): Promise<string | null> {
  const res = await gql(FIND, { id }, 10_000).catch(() => null);
  return (res?.body.data as { payment?: { transaction?: { find_one?: { status: string } } } } | null | undefined)?.payment?.transaction?.find_one?.status ?? null;
}

async function healthz(timeoutMs = 10_000) {
  const started = Date.now();
  const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: (await response.json()) as { status: string; database: { ok: boolean }; worker: { running?: boolean } }, ms: Date.now() - started };
}

function expectAlive() {
  expect(appExit, `the app process exited (${appExit}):\n${appOutput.slice(-3000)}`).toBeNull();
}

beforeAll(async () => {
  dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), "boltrail-faults-"));
  const log: string[] = [];
  const first = await startEmbeddedPostgres({ dataDir, database: "boltrail", ephemeral: true, log: (m: string) => log.push(m) });
  databaseUrl = first.url;
  port = first.port;
  pgDir = path.join(dataDir, "postgres");
  await applyMigrations(first.url, { log: () => {} });
  // Owned by this file from here on (same port and data), so it can be killed and paused.
  await first.stop();
  await startDatabase();

  app = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "test/db/app-process.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      NODE_ENV: "test",
      LOG_LEVEL: "error",
      SANDBOX_SETTLE_DELAY_MS: "0",
      WORKER_IN_APP: "true",
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      AUTH_SECRET: process.env.AUTH_SECRET ?? "x".repeat(40),
      APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY ?? "ab".repeat(32),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.once("exit", (code, signal) => (appExit = `code ${code}, signal ${signal}`));
  const ready = await new Promise<{ port: number; apiKey: string; walletId: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app process not ready within 30 s:\n${appOutput}`)), 30_000);
    app.stdout!.on("data", (chunk: Buffer) => {
      appOutput += chunk.toString();
      const match = /app-process ready (\{.*\})/.exec(appOutput);
      if (match) {
        clearTimeout(timer);
        resolve(JSON.parse(match[1]!));
      }
    });
    app.stderr!.on("data", (chunk: Buffer) => (appOutput += chunk.toString()));
    app.once("exit", () => reject(new Error(`app process exited:\n${appOutput}`)));
  });
  base = `http://127.0.0.1:${ready.port}`;
  apiKey = ready.apiKey;
  walletId = ready.walletId;
}, 90_000);

afterAll(async () => {
  if (app && appExit === null) {
    app.kill("SIGKILL");
    await new Promise((resolve) => app.once("exit", resolve));
  }
  if (postgres) {
    signalTree([postgres.pid, ...childrenOf(postgres.pid)], "SIGCONT");
    await postgres.stop();
  }
  if (dataDir) await fsp.rm(dataDir, { recursive: true, force: true });
});

describe("the database failing under a running app process", () => {
  it("(c) /healthz answers 200 with the database and worker state", async () => {
    const res = await healthz();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", database: { ok: true }, worker: { enabled: true, running: true } });
  });

  it(`(a) PostgreSQL killed and restarted ${CYCLES}×: each time the process answers again and its worker settles a new invoice`, { timeout: 120_000 }, async () => {
    const recoveries: number[] = [];
    const settles: number[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      // Requests in flight (and the worker settling them) when PostgreSQL dies.
      let loading = true;
      const lanes = Array.from({ length: 8 }, async () => {
        while (loading) await createInvoice();
      });
      await sleep(400 + Math.random() * 400);
      await killDatabase();
      loading = false;
      await Promise.all(lanes);
      await startDatabase();
      const restarted = Date.now();

      let id: string | null = null;
      while (!id) {
        expectAlive();
        expect(Date.now() - restarted, `cycle ${cycle}: no invoice could be created within 15 s of the restart\n${appOutput.slice(-2000)}`).toBeLessThan(15_000);
        id = await createInvoice();
        if (!id) await sleep(100);
      }
      recoveries.push(Date.now() - restarted);
      const created = Date.now();
      let status: string | null = null;
      while (status !== "COMPLETED") {
        expectAlive();
        expect(Date.now() - created, `cycle ${cycle}: invoice ${id} still ${status} 15 s after it was created\n${appOutput.slice(-2000)}`).toBeLessThan(15_000);
        await sleep(100);
        status = await statusOf(id);
      }
      settles.push(Date.now() - created);
    }
    console.log(`[faults] ${CYCLES} restarts: first invoice accepted ${recoveries.join("/")} ms after the restart, settled ${settles.join("/")} ms after creation`);
    const health = await healthz();
    expect(health.status, JSON.stringify(health.body)).toBe(200);
  });

  it("(b) PostgreSQL paused: SERVICE_UNAVAILABLE within 8 s, /healthz 503; after SIGCONT both recover", { timeout: 60_000 }, async () => {
    const pm = postgres!;
    const tree = [pm.pid, ...childrenOf(pm.pid)];
    signalTree(tree, "SIGSTOP");
    try {
      const res = await gql(CREATE, { input: { wallet_id: walletId, amount: "1000", expires_in_seconds: 3600 } }, 20_000);
      console.log(`[faults] paused database: GraphQL answered in ${res.ms} ms with HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      expect(res.ms).toBeLessThan(8_000);
      expect(res.status).toBe(503);
      expect(res.body.errors?.map((e) => e.extensions?.code), res.text).toEqual(["SERVICE_UNAVAILABLE"]);
      expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+|stack|Query read timeout|timeout exceeded/);

      const health = await healthz();
      console.log(`[faults] paused database: /healthz answered ${health.status} in ${health.ms} ms`);
      expect(health.status).toBe(503);
      expect(health.ms).toBeLessThan(5_000);
      expect(health.body).toMatchObject({ status: "unavailable", database: { ok: false } });
    } finally {
      signalTree(tree, "SIGCONT");
    }
    const resumed = Date.now();
    let id: string | null = null;
    while (!id) {
      expect(Date.now() - resumed, "no invoice could be created within 15 s of SIGCONT").toBeLessThan(15_000);
      id = await createInvoice();
    }
    console.log(`[faults] after SIGCONT: invoice accepted after ${Date.now() - resumed} ms`);
    expect((await healthz()).status).toBe(200);
  });

  it("(c) /healthz answers 503 with PostgreSQL down, and 200 once it is back", { timeout: 60_000 }, async () => {
    await killDatabase();
    const down = await healthz();
    expect(down.status, JSON.stringify(down.body)).toBe(503);
    expect(down.body).toMatchObject({ status: "unavailable", database: { ok: false }, worker: { running: true } });
    expect(down.ms).toBeLessThan(3_000);
    await startDatabase();
    const deadline = Date.now() + 15_000;
    let up = await healthz();
    while (up.status !== 200 && Date.now() < deadline) {
      await sleep(200);
      up = await healthz();
    }
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expectAlive();
  });
});
