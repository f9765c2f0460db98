// HTTP servers of the LNURL tests, on 127.0.0.1 (allowlisted by the test files): a Boltrail
// serving its Lightning Addresses (lib/lnurl/http.ts, the handler of the Next.js routes), and
// scriptable payee servers that answer whatever a test needs (errors, lies, slowness, size).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CLIENT_IP_HEADER, parseTrustedProxies, resolveClientIp } from "@/lib/http/client-ip";
import { handleLnurl } from "@/lib/lnurl/http";

export type TestServer = { origin: string; host: string; close: () => Promise<void> };

export function listen(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        host: `127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

const LOOPBACK_PROXY = parseTrustedProxies(["127.0.0.1", "::1"]);

/** A second Boltrail, as far as Lightning Addresses go: its /.well-known/lnurlp and callback routes over real HTTP. */
export function boltrailLnurlServer(): Promise<TestServer> {
  return listen(async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    // As scripts/server.ts does, here behind a trusted proxy on loopback: X-Forwarded-For names the client.
    headers.delete(CLIENT_IP_HEADER);
    headers.set(CLIENT_IP_HEADER, resolveClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], LOOPBACK_PROXY));
    const response = await handleLnurl(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(await response.text());
  });
}

export type Reply = { status?: number; body: unknown; delayMs?: number; headers?: Record<string, string>; raw?: string };

/** A payee server whose two answers (pay request, callback) are given by `route(path, query)`. */
export function scriptedServer(route: (path: string, query: URLSearchParams, origin: string) => Reply): Promise<TestServer> {
  let origin = "";
  const started = listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const reply = route(url.pathname, url.searchParams, origin);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
    res.end(reply.raw ?? JSON.stringify(reply.body));
  });
  return started.then((s) => {
    origin = s.origin;
    return s;
  });
}
