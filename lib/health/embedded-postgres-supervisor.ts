// Supervision of the embedded PostgreSQL (scripts/boltrail.ts): when the server started for the
// app exits without being asked to (killed, crashed, OOM), it is started again on the same port
// and data directory, with backoff, so the app's DATABASE_URL stays valid and the app recovers
// by itself (its pool reconnects) instead of answering errors until someone restarts it by hand.
//
//   const supervisor = superviseEmbeddedPostgres({ pgDir, port, log });
//   …
//   await supervisor.stop(); // before stopping the database on purpose
//
// Not server-only: the launcher loads it. The first server (started by scripts/lib/embedded-postgres.mjs,
// which owns initdb, credentials and an orphan left by a killed launcher) is watched through the
// pid in postmaster.pid; the ones this module starts are its own children.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 60_000;
/** A server that stayed up this long resets the backoff. */
const STABLE_MS = 30_000;

export type Exit = { code: number | null; signal: string | null };
export type Postmaster = { pid: number; exited: Promise<Exit>; stop: () => Promise<void> };
export type StartPostmaster = (options: { pgDir: string; port: number; ephemeral?: boolean }) => Promise<Postmaster>;

/** The pid recorded in `<pgDir>/postmaster.pid`, or null. */
export function postmasterPid(pgDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(pgDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether `pid` is a live process (not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (process.platform === "linux") {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  }
  return true;
}

/** The parent of `pid`, when it can be read. */
export function parentOf(pid: number): number | null {
  try {
    if (process.platform === "linux") {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    }
    return Number(execFileSync("ps", ["-o", "ppid=", "-p", String(pid)], { encoding: "utf8" }).trim());
  } catch {
    return null;
  }
}

/** Resolves when `pid` is gone (polled: it is not our child, so there is no exit event). */
function watchPid(pid: number, intervalMs = 250): { exited: Promise<Exit>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<Exit>((resolve) => {
    const check = () => {
      if (!isAlive(pid)) resolve({ code: null, signal: null });
      else {
        timer = setTimeout(check, intervalMs);
        timer.unref();
      }
    };
    check();
  });
  return { exited, cancel: () => clearTimeout(timer) };
}

function postgresBinary(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("embedded-postgres");
  const nodeModules = path.resolve(path.dirname(entry), "..", "..");
  const binary = path.join(nodeModules, "@embedded-postgres", `${process.platform}-${process.arch}`, "native", "bin", "postgres");
  if (!fs.existsSync(binary)) throw new Error(`no PostgreSQL binary at ${binary}`);
  return binary;
}

/** As root, PostgreSQL must run as the `postgres` user (scripts/lib/embedded-postgres.mjs made it own the data). */
function runAs(): { uid: number; gid: number } | Record<string, never> {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return {};
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/**
 * Starts PostgreSQL on an existing data directory, on `port`, with the flags the launcher's first
 * start uses (127.0.0.1 only, no Unix socket). Resolves once it accepts connections.
 */
export const startPostmaster: StartPostmaster = async ({ pgDir, port, ephemeral = false }) => {
  const args = ["-D", pgDir, "-p", String(port), "-c", `listen_addresses=${HOST}`, "-c", "unix_socket_directories="];
  if (ephemeral) args.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const child: ChildProcess = spawn(postgresBinary(), args, { ...runAs(), stdio: ["ignore", "ignore", "pipe"] });
  // Never left running by a launcher that ends without stopping it (as scripts/lib/embedded-postgres.mjs does for the first one).
  const onProcessExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
  };
  process.on("exit", onProcessExit);
  const exited = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => {
      process.removeListener("exit", onProcessExit);
      resolve({ code, signal });
    }),
  );
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      if (output.length < 50) output.push(text.trim());
      if (text.includes("ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited during startup (code ${code}, signal ${signal}): ${output.join(" ").slice(-600)}`));
    });
  });
  // Keep reading its log so it never blocks on a full pipe.
  child.stderr!.resume();
  return {
    pid: child.pid!,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT"); // fast shutdown
      await exited;
    },
  };
};

export type SupervisorOptions = {
  pgDir: string;
  port: number;
  ephemeral?: boolean;
  log?: (message: string) => void;
  /** First restart delay; doubles after each crash in a row, up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** For tests; the real one by default. */
  start?: StartPostmaster;
};

export type Supervisor = {
  /** Stops supervising, and stops the server when this supervisor started it. Idempotent. */
  stop: () => Promise<void>;
  /** Restarts done so far. */
  restarts: () => number;
};

/**
 * Watches the PostgreSQL of `pgDir` (running now, started by the launcher) and starts it again on
 * the same port whenever it exits while not stopping: after `minBackoffMs`, doubling for each crash
 * or failed start in a row (up to `maxBackoffMs`), back to the minimum once a server stays up 30 s.
 */
export function superviseEmbeddedPostgres({
  pgDir,
  port,
  ephemeral = false,
  log = (message) => console.log(`[boltrail] ${message}`),
  minBackoffMs = 500,
  maxBackoffMs = 30_000,
  start = startPostmaster,
}: SupervisorOptions): Supervisor {
  let stopping = false;
  let restarts = 0;
  let current: Postmaster | null = null;
  let cancelWatch: (() => void) | null = null;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = null;
    });

  const firstPid = postmasterPid(pgDir);
  const loop = (async () => {
    let exited: Promise<Exit>;
    let upSince = Date.now();
    if (firstPid !== null && isAlive(firstPid)) {
      const watch = watchPid(firstPid);
      cancelWatch = watch.cancel;
      exited = watch.exited;
    } else {
      exited = Promise.resolve({ code: null, signal: null });
    }
    let backoff = minBackoffMs;
    for (;;) {
      const exit = await Promise.race([exited, new Promise<null>((resolve) => (wake = () => resolve(null)))]);
      wake = null;
      if (stopping || exit === null) return;
      if (Date.now() - upSince >= STABLE_MS) backoff = minBackoffMs;
      const how = exit.code === null && exit.signal === null ? "code unknown: its process is gone" : `code ${exit.code}, signal ${exit.signal}`;
      log(`embedded PostgreSQL exited (${how}); restarting in ${backoff} ms`);
      for (;;) {
        await sleep(backoff);
        if (stopping) return;
        backoff = Math.min(maxBackoffMs, backoff * 2);
        try {
          current = await start({ pgDir, port, ephemeral });
        } catch (error) {
          log(`embedded PostgreSQL restart failed: ${(error as Error).message.split("\n")[0]}; retrying in ${backoff} ms`);
          continue;
        }
        if (stopping) {
          await current.stop();
          return;
        }
        restarts++;
        upSince = Date.now();
        log(`embedded PostgreSQL restarted on ${HOST}:${port} (pid ${current.pid}, restart ${restarts})`);
        exited = current.exited;
        break;
      }
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    restarts: () => restarts,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        cancelWatch?.();
        wake?.();
        await loop;
        await current?.stop();
      })()),
  };
}
