// A throwaway Boltrail for one benchmark: an embedded PostgreSQL in a temporary folder (fsync off),
// the committed migrations, then the production build served by the launcher
// (`node --import tsx scripts/boltrail.ts start`, which runs `next build` first when the build is
// stale). Everything is torn down by stop(), on SIGINT/SIGTERM and when startup fails.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isBuildCurrent } from "../../scripts/lib/build-stamp.ts";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.mjs";
import { applyMigrations } from "../../scripts/lib/migrate.mjs";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const HOST = "127.0.0.1";
/** A first `next build` takes a minute or more on 2 cores; leave a wide margin. */
const READY_TIMEOUT_MS = 15 * 60_000;
const STOP_GRACE_MS = 10_000;

export type BenchServer = {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** The app's database (superuser credentials), for seeding fixtures. */
  databaseUrl: string;
  /** pid of the launcher (its the server (scripts/server.ts) child is in the same process group). */
  pid: number;
  /** Kills the app and the database and removes the temporary folder. Idempotent. */
  stop(): Promise<void>;
};

export type StartOptions = {
  /** Prefix of the lines of the server's output that are echoed (default "[server]"). */
  label?: string;
  /** Extra environment for the app (e.g. NODE_OPTIONS for a CPU profile). */
  env?: Record<string, string>;
  log?: (message: string) => void;
  /**
   * The database URL the app gets, from the real one (default: the same), e.g. a tracing proxy's
   * (lib/pg-trace.ts). Fixtures and `databaseUrl` keep using the real one.
   */
  appDatabaseUrl?: (databaseUrl: string) => string | Promise<string>;
  /**
   * Serve this (migrated) database instead of starting one, e.g. a second app on the database of
   * a running benchmark server; stop() then leaves it alone.
   */
  existingDatabaseUrl?: string;
};

export async function startServer({
  label = "[server]",
  env = {},
  log = (m) => console.log(m),
  appDatabaseUrl,
  existingDatabaseUrl,
}: StartOptions = {}): Promise<BenchServer> {
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), "boltrail-bench-"));
  const dataDir = path.join(tempDir, "data");
  let database: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let child: ChildProcess | undefined;
  let childExit: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;

  /** Signals the launcher's process group; `sweep`: also once the launcher itself has exited. */
  const killGroup = (signal: NodeJS.Signals, sweep = false) => {
    if (!child?.pid) return;
    if (!sweep && (child.exitCode !== null || child.signalCode !== null)) return;
    try {
      process.kill(-child.pid, signal); // the launcher and the server (scripts/server.ts) (detached → own group)
    } catch {
      if (!sweep) {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
      }
    }
  };
  // Last resort when this process ends without stop() (an uncaught error, process.exit).
  const onExit = () => killGroup("SIGKILL");
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${label} ${signal}: stopping the server and the database…`);
    void stop().finally(() => process.exit(128 + (os.constants.signals[signal] ?? 0)));
  };
  process.on("exit", onExit);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  function stop(): Promise<void> {
    stopped ??= (async () => {
      if (child && childExit) {
        killGroup("SIGTERM");
        const timer = setTimeout(() => killGroup("SIGKILL"), STOP_GRACE_MS);
        await childExit;
        clearTimeout(timer);
        killGroup("SIGKILL", true); // anything of the group left behind by the launcher
      }
      await database?.stop().catch((err: unknown) => log(`${label} could not stop PostgreSQL: ${(err as Error).message}`));
      await fs.rm(tempDir, { recursive: true, force: true }).catch(() => {});
      process.off("exit", onExit);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    })();
    return stopped;
  }

  try {
    let databaseUrl: string;
    if (existingDatabaseUrl) {
      databaseUrl = existingDatabaseUrl;
    } else {
      log(`${label} starting an embedded PostgreSQL in ${dataDir}`);
      const pgLog: string[] = [];
      database = await startEmbeddedPostgres({ dataDir, ephemeral: true, log: (m: string) => pgLog.push(m) });
      const { applied } = await applyMigrations(database.url, { log: (m: string) => pgLog.push(m) });
      log(`${label} PostgreSQL ready, ${applied.length} migrations applied`);
      databaseUrl = database.url;
    }

    const port = await freePort();
    const baseUrl = `http://${HOST}:${port}`;
    if (!isBuildCurrent(PROJECT_ROOT)) {
      log(`${label} the production build is missing or stale: the launcher runs \`next build\` first (about a minute or more)…`);
    }

    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: appDatabaseUrl ? await appDatabaseUrl(databaseUrl) : databaseUrl,
      PORT: String(port),
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      APP_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      DATA_DIR: dataDir,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      ...env,
    };
    // npm sets these for `npm run`; they mean nothing to the app.
    for (const key of Object.keys(childEnv)) if (key.startsWith("npm_")) delete childEnv[key];
    // BENCH_CPU_PROF=<dir>: every Node process of the server (launcher, the server (scripts/server.ts)) writes a
    // V8 CPU profile there when it exits (open it in Chrome DevTools → Performance, or speedscope).
    const profileDir = process.env.BENCH_CPU_PROF?.trim();
    if (profileDir) {
      const dir = path.resolve(profileDir);
      await fs.mkdir(dir, { recursive: true });
      const preload = pathToFileURL(path.join(PROJECT_ROOT, "bench", "lib", "cpu-profile.mjs")).href;
      childEnv.BENCH_CPU_PROF_DIR = dir;
      childEnv.NODE_OPTIONS = `${childEnv.NODE_OPTIONS ?? ""} --import ${preload}`.trim();
      log(`${label} CPU profiles of the server go to ${dir}`);
    }

    child = spawn(process.execPath, ["--import", "tsx", "scripts/boltrail.ts", "start"], {
      cwd: PROJECT_ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group, so stop() reaches the server (scripts/server.ts) too
    });
    const spawned = child;
    childExit = new Promise((resolve) => spawned.once("exit", () => resolve()));
    echo(spawned.stdout, label, log);
    echo(spawned.stderr, label, log);

    await waitUntilReady(`${baseUrl}/login`, spawned);
    log(`${label} Boltrail ready on ${baseUrl} (pid ${spawned.pid})`);
    return { baseUrl, databaseUrl, pid: spawned.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function echo(stream: NodeJS.ReadableStream | null, label: string, log: (m: string) => void) {
  if (!stream) return;
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) log(`${label} ${line}`);
  });
  stream.on("end", () => {
    if (pending.trim()) log(`${label} ${pending}`);
  });
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "no answer yet";
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the launcher exited (code ${child.exitCode}, signal ${child.signalCode}) before ${url} answered`);
    }
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${READY_TIMEOUT_MS / 1000}s (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
