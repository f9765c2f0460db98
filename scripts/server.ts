/**
 * Boltrail's production HTTP server, run by `npm start` (scripts/boltrail.ts, which prepares the
 * database first). One node:http server:
 *  - /graphql is answered by graphql-yoga directly (lib/graphql/http.ts): the same server
 *    definition as the Next.js route handler, without Next.js's routing and request wrapping,
 *    which cost about three quarters of the CPU of a small API request (bench/README.md);
 *  - everything else (dashboard, auth, checkout, test inboxes, static files) goes to Next.js.
 * It also runs the in-app worker (unless WORKER_IN_APP=false) and stops it on SIGINT/SIGTERM.
 * With WEB_CONCURRENCY > 1 (by default one per core, at most 4) this process only supervises that
 * many copies of itself sharing the port (scripts/lib/supervise.ts).
 * Started with `--conditions=react-server --import tsx`: lib/ modules are server-only.
 */
import cluster from "node:cluster";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { env } from "../lib/env.ts";
import { superviseServerProcesses } from "./lib/supervise.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STOP_GRACE_MS = 10_000;
const log = (msg: string) => console.log(`[boltrail] ${msg}`);

const config = env();

if (cluster.isPrimary && config.WEB_CONCURRENCY > 1) superviseServerProcesses({ count: config.WEB_CONCURRENCY, log });
else await serve();

async function serve() {
  // Loaded here, so a supervising primary (above) never loads Next.js or the app.
  const [{ default: next }, { serveGraphQL }, { startInAppWorker }] = await Promise.all([
    import("next"),
    import("../lib/graphql/http.ts"),
    import("../lib/jobs/in-app.ts"),
  ]);
  // Started before Next.js loads instrumentation.ts, so the in-app worker is this module's copy.
  const worker = startInAppWorker({ handleSignals: false });

  const app = next({ dev: false, dir: root, port: config.PORT });
  const handleNext = app.getRequestHandler();
  await app.prepare();

  function isGraphQL(url: string | undefined): boolean {
    if (!url) return false;
    const query = url.indexOf("?");
    return (query === -1 ? url : url.slice(0, query)) === "/graphql";
  }

  // /healthz (lib/health/health.ts): answered here, before Next.js, so a supervisor gets the
  // database and worker state even when Next.js is slow or wedged.
  const { serveHealth } = await import("../lib/health/health.ts");
  const isHealthz = (url: string | undefined) => url === "/healthz" || url?.startsWith("/healthz?") === true;

  // Who the client is, decided here once from the socket (and TRUST_PROXY), never from what the client wrote.
  const { CLIENT_IP_HEADER, resolveClientIp } = await import("../lib/http/client-ip.ts");

  const server = http.createServer((req, res) => {
    req.headers[CLIENT_IP_HEADER] = resolveClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.TRUST_PROXY);
    if (isHealthz(req.url)) {
      serveHealth(res).catch(() => res.destroy());
      return;
    }
    if (!isGraphQL(req.url)) {
      void handleNext(req, res);
      return;
    }
    serveGraphQL(req, res);
  });

  const which = process.env.BOLTRAIL_PROCESS ? ` (process ${process.env.BOLTRAIL_PROCESS})` : "";
  server.listen(config.PORT, () => log(`ready on port ${config.PORT}${which}`));

  let stopping = false;
  async function shutdown(signal: NodeJS.Signals) {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    server.close();
    server.closeIdleConnections();
    const force = setTimeout(() => process.exit(0), STOP_GRACE_MS);
    force.unref();
    await worker?.stop().catch(() => {});
    await app.close().catch(() => {});
    process.exit(0);
  }
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
