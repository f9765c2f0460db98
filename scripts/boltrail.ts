/**
 * Boltrail's launcher: `npm start`, `npm run dev`, `npm run worker`, `npm run db:migrate`,
 * `npm run reset-password -- <email>`.
 *
 *  1. fills AUTH_SECRET / APP_ENCRYPTION_KEY from DATA_DIR when unset (refused in production),
 *  2. validates the whole configuration (one line per bad variable),
 *  3. starts the embedded PostgreSQL when DATABASE_URL is unset,
 *  4. applies the committed migrations,
 *  5. builds when there is no current production build (start only), then runs the server
 *     (scripts/server.ts: Next.js plus /graphql on node:http; `next dev` for dev).
 * The embedded database stops with the app; should it die before, it is started again (same port).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv, type Env } from "../lib/env.ts";
import { parentOf, postmasterPid, superviseEmbeddedPostgres } from "../lib/health/embedded-postgres-supervisor.ts";
import { computeBuildHash, isBuildCurrent, writeBuildStamp } from "./lib/build-stamp.ts";
import { startEmbeddedPostgres } from "./lib/embedded-postgres.mjs";
import { applyMigrations } from "./lib/migrate.mjs";
import { ensureGeneratedSecrets } from "./lib/secrets.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");

const log = (msg: string) => console.log(`[boltrail] ${msg}`);

function fail(msg: string): never {
  console.error(`[boltrail] ${msg}`);
  process.exit(1);
}

// Node.js 24 (the LTS): `npm install` puts it in node_modules/.bin (the `node` package), and npm
// scripts run with that folder first on PATH, so `npm start` uses it on a machine that has only
// an older Node.js. Started some other way on an older one, say so instead of failing oddly later.
if (Number(process.versions.node.split(".")[0]) < 24) {
  fail(`Boltrail needs Node.js 24 or later; this is ${process.version}. Run it through npm (npm start, npm run worker, …), which uses the Node.js 24 that npm install puts in node_modules/.bin, or install Node.js 24.`);
}

type Prepared = { env: Env; stopDatabase: () => Promise<void> };

async function prepare(): Promise<Prepared> {
  const vars: Record<string, string | undefined> = { ...process.env };
  const userNodeEnv = vars.NODE_ENV;
  const dataDir = path.resolve(root, vars.DATA_DIR?.trim() || ".data");
  vars.DATA_DIR = dataDir;

  if (userNodeEnv !== "production") {
    try {
      const generated = ensureGeneratedSecrets(dataDir, vars);
      if (generated.length) log(`using generated ${generated.join(" and ")} from ${path.join(dataDir, "secrets.json")}`);
    } catch (err) {
      fail((err as Error).message);
    }
  }

  const parsed = parseEnv(vars);
  if (!parsed.ok) {
    fail(`invalid configuration:\n  - ${parsed.problems.join("\n  - ")}`);
  }
  const env = parsed.env;

  let stopDatabase = async () => {};
  if (!env.DATABASE_URL) {
    log(`starting embedded PostgreSQL in ${path.join(dataDir, "postgres")}`);
    try {
      const pg = await startEmbeddedPostgres({ dataDir, log });
      vars.DATABASE_URL = pg.url;
      env.DATABASE_URL = pg.url;
      stopDatabase = pg.stop;
      // Restarted on the same port if it dies (lib/health/embedded-postgres-supervisor.ts); not when
      // it belongs to another live launcher (reused), which supervises it itself.
      const pgDir = path.join(dataDir, "postgres");
      const pid = postmasterPid(pgDir);
      if (pid !== null && parentOf(pid) === process.pid) {
        const supervisor = superviseEmbeddedPostgres({ pgDir, port: pg.port, log });
        stopDatabase = async () => {
          await supervisor.stop();
          await pg.stop();
        };
      }
    } catch (err) {
      fail(`could not start the embedded PostgreSQL: ${(err as Error).message}`);
    }
  }

  try {
    await applyMigrations(env.DATABASE_URL!, { log });
  } catch (err) {
    await stopDatabase();
    fail(`database migration failed: ${(err as Error).message}`);
  }

  // The child processes see exactly the validated variables (with the generated ones).
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) process.env[k] = v;
  return { env, stopDatabase };
}

function run(args: string[], extraEnv: Record<string, string> = {}, nodeArgs: string[] = [nextBin]): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extraEnv },
  });
}

/** Node arguments for one of our TypeScript entry points; react-server: lib/ modules are server-only. */
const serverScript = (file: string) => ["--conditions=react-server", "--import", "tsx", path.join(root, "scripts", file)];

/**
 * V8 flags of the production server: none today.
 * - Node 20's `--interrupt-budget=16384` (hot functions optimised after less profiling: full
 *   create_receive rate 4 s into a load instead of 7 s) does not exist in Node 24's V8, which
 *   tiers up by invocation counts (Maglev, then TurboFan) and refuses the flag at start.
 * - The young generation keeps V8's default size (16 MB semi-spaces). 64 MB ones were tried: a
 *   quarter as many scavenges, no measurable throughput gain, but each scavenge paused the event
 *   loop about three times as long (median 7–8 ms against 2.4–3 ms under the `receive` load,
 *   p99 20 ms against 10–12 ms), and every request in flight waits out the pause: it is tail
 *   latency (`--trace-gc`, decision 003).
 */
const SERVER_NODE_FLAGS: string[] = [];

function waitExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function serve(prepared: Prepared, args: string[], nodeEnv: string, nodeArgs?: string[]) {
  const child = run(args, { NODE_ENV: nodeEnv }, nodeArgs);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    child.kill(signal);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGHUP", () => stop("SIGTERM"));
  const code = await waitExit(child);
  await prepared.stopDatabase();
  process.exit(stopping ? 0 : code);
}

async function main() {
  const command = process.argv[2] ?? "start";
  switch (command) {
    case "start": {
      const prepared = await prepare();
      if (!isBuildCurrent(root)) {
        log("no current production build: running `next build` (about half a minute)");
        const hash = computeBuildHash(root);
        const code = await waitExit(run(["build"], { NODE_ENV: "production" }));
        if (code !== 0) {
          await prepared.stopDatabase();
          fail(`next build failed with exit code ${code}`);
        }
        writeBuildStamp(root, hash);
      }
      log(`serving on http://localhost:${prepared.env.PORT}`);
      await serve(prepared, [], "production", [...SERVER_NODE_FLAGS, ...serverScript("server.ts")]);
      break;
    }
    case "dev": {
      const prepared = await prepare();
      log(`development server on http://localhost:${prepared.env.PORT}`);
      await serve(prepared, ["dev", "-p", String(prepared.env.PORT)], "development");
      break;
    }
    case "worker": {
      const prepared = await prepare();
      log("starting the background worker");
      await serve(prepared, [], "production", serverScript("worker.ts"));
      break;
    }
    case "migrate": {
      const prepared = await prepare();
      await prepared.stopDatabase();
      log("migrations applied");
      break;
    }
    case "reset-password": {
      // `npm run reset-password -- <email> [--set-password] [--disable-two-factor]` (scripts/reset-password.ts).
      const prepared = await prepare();
      const code = await waitExit(run(process.argv.slice(3), {}, serverScript("reset-password.ts")));
      await prepared.stopDatabase();
      process.exit(code);
      break;
    }
    default:
      fail(`unknown command "${command}" (expected start, dev, worker, migrate or reset-password)`);
  }
}

main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
