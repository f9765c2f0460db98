import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { closeIdleConnections, DeliveryError, MAX_STORED_BODY_BYTES, safeDeliver, type SafeDeliverOptions } from "./safe-fetch";
import type { LookupFn } from "./url-policy";

// Only loopback servers started here and fake resolvers: nothing leaves the machine (except the
// DNS-rebinding test's connection attempt to a public-looking address, which fails or times out).

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };
type TestServer = {
  port: number;
  /** `http://<host>:<port>` */
  origin: string;
  requests: Seen[];
  /** TCP connections accepted, requests or not. */
  connections: number;
  /** TLS servers: the SNI names clients asked for. */
  serverNames: string[];
  close(): Promise<void>;
};

const servers: TestServer[] = [];

afterEach(async () => {
  closeIdleConnections();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

async function listen(server: http.Server | https.Server, host: string, scheme: string, handler: Handler, port = 0): Promise<TestServer> {
  const state: TestServer = { port: 0, origin: "", requests: [], connections: 0, serverNames: [], close: async () => {} };
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => {});
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      state.requests.push(seen);
      res.on("error", () => {});
      handler(req, res, seen);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  state.port = (server.address() as AddressInfo).port;
  state.origin = `${scheme}://${host}:${state.port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  servers.push(state);
  return state;
}

function startServer(handler: Handler, host = "127.0.0.1"): Promise<TestServer> {
  return listen(http.createServer(), host, "http", handler);
}

// A self-signed certificate for pinned.example.com (test fixture only; nothing trusts it).
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBsTCCAVagAwIBAgIUcoEqwfJf6c2fnpFkuVzlZVw3U0swCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwScGlubmVkLmV4YW1wbGUuY29tMCAXDTI2MTEyMjEyMDkzNFoY
DzIxMjYxMDI5MTIwOTM0WjAdMRswGQYDVQQDDBJwaW5uZWQuZXhhbXBsZS5jb20w
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASJAEarpdd1qE8sj0Z2y/ijAD7qAha5
nBXfdfQtHFVQnC2H/xYGscb4AczwGqwOGRDFJPT1DgVrTUxfJqhvx97Yo3IwcDAd
BgNVHQ4EFgQUoT+2+fPldAT368/pKKMUoWyvGvgwHwYDVR0jBBgwFoAUoT+2+fPl
dAT368/pKKMUoWyvGvgwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHREEFjAUghJwaW5u
ZWQuZXhhbXBsZS5jb20wCgYIKoZIzj0EAwIDSQAwRgIhAOU//0oHNe8PxMPrqS8V
o8MKMDDs3K0QiXPzKuNH7lAiAiEAoeXt/X2KAZUVdMmvFkhLytoK+dJ5ojjDdRr/
mej5VqQ=
-----END CERTIFICATE-----
`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7YfIUpgulW2lJ1+j
g+3mYeZaR21qwjZGsluEWjupM4ChRANCAASJAEarpdd1qE8sj0Z2y/ijAD7qAha5
nBXfdfQtHFVQnC2H/xYGscb4AczwGqwOGRDFJPT1DgVrTUxfJqhvx97Y
-----END PRIVATE KEY-----
`;

async function startTlsServer(handler: Handler, host = "127.0.0.1", port = 0): Promise<TestServer> {
  const names: string[] = [];
  const server = https.createServer({
    cert: TEST_CERT,
    key: TEST_KEY,
    SNICallback: (servername, callback) => {
      names.push(servername);
      callback(null, undefined);
    },
  });
  const state = await listen(server, host, "https", handler, port);
  state.serverNames = names;
  return state;
}

/** A resolver answering `answers[i]` on the i-th call (the last one thereafter). */
function scriptedLookup(...answers: string[][]) {
  let call = 0;
  return vi.fn<LookupFn>(async () => {
    const list = answers[Math.min(call++, answers.length - 1)];
    return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  });
}

async function deliveryError(options: SafeDeliverOptions): Promise<DeliveryError> {
  const error = await safeDeliver(options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

const LOOPBACK = ["127.0.0.1/32"];

describe("safeDeliver to an allowlisted loopback receiver", () => {
  it("POSTs the body and returns status, headers and body", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-receiver": "yes" });
      res.end('{"received":true}');
    });
    const payload = JSON.stringify({ id: "payment.completed:tx_1", amount: "100 €" });
    const result = await safeDeliver({
      url: `${server.origin}/hook?env=sandbox`,
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-event": "payment.completed", host: "evil.example", "content-length": "1" },
      body: payload,
      timeoutMs: 2000,
      allowlist: LOOPBACK,
    });
    expect(result).toMatchObject({ status: 200, body: '{"received":true}', remoteAddress: "127.0.0.1" });
    expect(result.headers["content-type"]).toBe("application/json");
    expect(result.headers["x-receiver"]).toBe("yes");
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.durationMs).toBeLessThan(2000);

    expect(server.requests).toHaveLength(1);
    const [seen] = server.requests;
    expect(seen.method).toBe("POST");
    expect(seen.url).toBe("/hook?env=sandbox");
    expect(seen.body).toBe(payload);
    // The transport owns Host and framing; the caller's headers cannot override them.
    expect(seen.headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(seen.headers["content-length"]).toBe(String(Buffer.byteLength(payload)));
    expect(seen.headers.connection).toBe("keep-alive");
    expect(seen.headers["x-webhook-event"]).toBe("payment.completed");
    expect(seen.headers["user-agent"]).toMatch(/^Boltrail/);
  });

  it("returns a 500 as a response, not an error", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("boom");
    });
    const result = await safeDeliver({ url: `${server.origin}/hook`, body: "{}", timeoutMs: 2000, allowlist: LOOPBACK });
    expect(result.status).toBe(500);
    expect(result.body).toBe("boom");
  });

  it("never follows a redirect: a 302 is the response", async () => {
    const target = await startServer((_req, res) => res.end("you should not be here"));
    const server = await startServer((_req, res) => {
      res.writeHead(302, { location: `${target.origin}/elsewhere` });
      res.end();
    });
    const result = await safeDeliver({ url: `${server.origin}/hook`, body: "{}", timeoutMs: 2000, allowlist: LOOPBACK });
    expect(result.status).toBe(302);
    expect(result.headers.location).toBe(`${target.origin}/elsewhere`);
    expect(server.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
    expect(target.connections).toBe(0);
  });

  it("times out a receiver that never answers, within about timeoutMs", async () => {
    const server = await startServer(() => {
      /* never responds */
    });
    const started = Date.now();
    const error = await deliveryError({ url: `${server.origin}/hook`, body: "{}", timeoutMs: 300, allowlist: LOOPBACK });
    const elapsed = Date.now() - started;
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/300 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1500);
    expect(server.requests).toHaveLength(1);
  });

  it("times out a response body that stalls before 2 KB (the timeout covers the body)", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial…");
    });
    const started = Date.now();
    const error = await deliveryError({ url: `${server.origin}/hook`, body: "{}", timeoutMs: 300, allowlist: LOOPBACK });
    expect(error.kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("keeps at most 2 KB of a 10 MB body and does not read the rest", async () => {
    let closed = false;
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(64 * 1024, "a");
      let sent = 0;
      const pump = () => {
        while (sent < 10 * 1024 * 1024 && !closed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => {
        closed = true;
      });
      pump();
    });
    const result = await safeDeliver({ url: `${server.origin}/stream`, body: "{}", timeoutMs: 5000, allowlist: LOOPBACK });
    expect(result.status).toBe(200);
    expect(result.body.length).toBe(MAX_STORED_BODY_BYTES);
    expect(result.body).toBe("a".repeat(MAX_STORED_BODY_BYTES));
  });

  it("cuts the stored body on a character boundary and replaces NUL", async () => {
    const server = await startServer((_req, res) => {
      res.end(`\u0000${"a".repeat(MAX_STORED_BODY_BYTES - 2)}€ and more`);
    });
    const result = await safeDeliver({ url: `${server.origin}/hook`, body: "{}", timeoutMs: 2000, allowlist: LOOPBACK });
    // NUL + 2046 × "a" = 2047 bytes; "€" (3 bytes) does not fit and is dropped whole.
    expect(result.body).toBe(`\uFFFD${"a".repeat(MAX_STORED_BODY_BYTES - 2)}`);
  });

  it("reports a refused connection as a network error", async () => {
    const server = await startServer(() => {});
    const { port } = server;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const error = await deliveryError({ url: `http://127.0.0.1:${port}/hook`, body: "{}", timeoutMs: 2000, allowlist: LOOPBACK });
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/connection refused/);
  });

  it("reports a connection closed mid-response as a network error", async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write("only a little", () => req.socket.destroy());
    });
    const error = await deliveryError({ url: `${server.origin}/hook`, body: "{}", timeoutMs: 2000, allowlist: LOOPBACK });
    expect(error.kind).toBe("network");
  });

  it("connects a hostname-allowlisted URL to the resolved address, with the original Host", async () => {
    const server = await startServer((_req, res) => res.end("ok"));
    const lookup = scriptedLookup(["127.0.0.1"]);
    const result = await safeDeliver({
      url: `http://hooks.internal:${server.port}/x`,
      body: "{}",
      timeoutMs: 2000,
      allowlist: ["hooks.internal"],
      lookup,
    });
    expect(result.status).toBe(200);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(server.requests[0].headers.host).toBe(`hooks.internal:${server.port}`);
  });
});

describe("safeDeliver refuses what the policy refuses", () => {
  it("blocks a loopback URL that is not allowlisted, before any connection", async () => {
    const server = await startServer((_req, res) => res.end("ok"));
    for (const url of [`${server.origin}/hook`, `https://127.0.0.1:${server.port}/hook`, `https://2130706433:${server.port}/hook`]) {
      const error = await deliveryError({ url, body: "{}", timeoutMs: 2000, allowlist: [] });
      expect(error.kind).toBe("blocked");
    }
    expect(server.connections).toBe(0);
  });

  it("blocks a name that resolves to loopback, before any connection", async () => {
    const server = await startServer((_req, res) => res.end("ok"));
    const lookup = scriptedLookup(["127.0.0.1"]);
    const error = await deliveryError({ url: `https://hook.example.com:${server.port}/hook`, body: "{}", timeoutMs: 2000, allowlist: [], lookup });
    expect(error).toMatchObject({ kind: "blocked", message: "host resolves to a loopback address 127.0.0.1" });
    expect(server.connections).toBe(0);
  });

  it("blocks a mixed answer (public + loopback)", async () => {
    const server = await startServer((_req, res) => res.end("ok"));
    const lookup = scriptedLookup(["93.184.216.34", "127.0.0.1"]);
    const error = await deliveryError({ url: `https://mixed.example.com:${server.port}/`, body: "{}", timeoutMs: 2000, allowlist: [], lookup });
    expect(error.kind).toBe("blocked");
    expect(server.connections).toBe(0);
  });

  it("blocks credentials, other schemes and garbage even for an allowlisted address", async () => {
    for (const url of ["https://user:pw@127.0.0.1/", "ftp://127.0.0.1/", "not a url"]) {
      expect((await deliveryError({ url, body: "{}", timeoutMs: 2000, allowlist: LOOPBACK })).kind).toBe("blocked");
    }
  });

  it("reports a name that does not resolve as a network error", async () => {
    const lookup = vi.fn<LookupFn>(async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    });
    const error = await deliveryError({ url: "https://gone.example.com/hook", body: "{}", timeoutMs: 2000, allowlist: [], lookup });
    expect(error).toMatchObject({ kind: "network", message: "host gone.example.com could not be resolved (ENOTFOUND)" });
  });

  it("applies the timeout to a DNS lookup that hangs", async () => {
    const lookup = vi.fn<LookupFn>(() => new Promise(() => {}));
    const started = Date.now();
    const error = await deliveryError({ url: "https://slow-dns.example.com/hook", body: "{}", timeoutMs: 200, allowlist: [], lookup });
    expect(error.kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe("DNS rebinding", () => {
  // Only loopback addresses are ever connected to in tests (this machine sends no other traffic).
  it("looks up once and never connects to a second answer: validated 127.0.0.3 (allowlisted, nothing listening), rebound 127.0.0.1", async () => {
    const server = await startServer((_req, res) => res.end("rebound!"));
    const lookup = scriptedLookup(["127.0.0.3"], ["127.0.0.1"]);
    const error = await deliveryError({
      url: `https://rebind.example.com:${server.port}/hook`,
      body: "{}",
      timeoutMs: 2000,
      allowlist: ["127.0.0.3/32"],
      lookup,
    });
    expect(error).toMatchObject({ kind: "network", message: `connection refused (127.0.0.3:${server.port})` });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(server.connections).toBe(0);
  });

  it("connects to the validated address even when a later answer would differ (TLS: SNI kept, certificate verified)", async () => {
    // 127.0.0.1 is allowlisted by CIDR, 127.0.0.2 is not: a second lookup answering 127.0.0.2 must not matter.
    const validated = await startTlsServer((_req, res) => res.end("validated"), "127.0.0.1");
    // The "attacker" listens on the same port at 127.0.0.2, where a rebound connection would land.
    const attacker = await startTlsServer((_req, res) => res.end("attacker"), "127.0.0.2", validated.port);
    const lookup = scriptedLookup(["127.0.0.1"], ["127.0.0.2"]);
    const error = await deliveryError({
      url: `https://pinned.example.com:${validated.port}/hook`,
      body: "{}",
      timeoutMs: 2000,
      allowlist: LOOPBACK,
      lookup,
    });
    expect(lookup).toHaveBeenCalledTimes(1);
    // The validated server got the connection, with SNI = the URL's hostname…
    expect(validated.connections).toBe(1);
    expect(validated.serverNames).toEqual(["pinned.example.com"]);
    // …and the client verified its certificate (self-signed: refused), so no request was sent.
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/certificate/i);
    expect(validated.requests).toHaveLength(0);
    expect(attacker.connections).toBe(0);
  });
});

describe("kept-alive connections", () => {
  const post = (url: string, extra: Partial<SafeDeliverOptions> = {}) => safeDeliver({ url, body: "{}", timeoutMs: 2000, allowlist: LOOPBACK, ...extra });

  it("consecutive deliveries to the same validated address reuse one connection", async () => {
    const server = await startServer((_req, res) => res.end("ok"));
    for (let i = 0; i < 3; i++) expect((await post(`${server.origin}/hook`)).status).toBe(200);
    expect(server.requests).toHaveLength(3);
    expect(server.connections).toBe(1);
  });

  it("a new DNS answer gets a new connection to the newly validated address, never the kept one", async () => {
    const first = await startServer((_req, res) => res.end("first"), "127.0.0.1");
    const second = await listen(http.createServer(), "127.0.0.2", "http", (_req, res) => res.end("second"), first.port);
    const lookup = scriptedLookup(["127.0.0.1"], ["127.0.0.2"]);
    const allowlist = ["moving.example.com"];
    const url = `http://moving.example.com:${first.port}/hook`;
    expect(await post(url, { lookup, allowlist })).toMatchObject({ body: "first", remoteAddress: "127.0.0.1" });
    expect(await post(url, { lookup, allowlist })).toMatchObject({ body: "second", remoteAddress: "127.0.0.2" });
    expect(lookup).toHaveBeenCalledTimes(2);
    expect([first.requests.length, second.requests.length]).toEqual([1, 1]);
    expect(second.connections).toBe(1);
  });

  it("an address that no longer validates is blocked, though a kept-alive connection to it is open", async () => {
    const server = await startServer((_req, res) => res.end("ok"));
    expect((await post(`${server.origin}/hook`)).status).toBe(200);
    // The same address, but the allowlist no longer covers it: blocked before any request.
    expect((await deliveryError({ url: `${server.origin}/hook`, body: "{}", timeoutMs: 2000, allowlist: [] })).kind).toBe("blocked");
    expect((await post(`${server.origin}/hook`)).status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(server.connections).toBe(1);
  });

  it("a connection whose response was cut at 2 KB is closed, not reused", async () => {
    const server = await startServer((_req, res) => res.end("x".repeat(10_000)));
    for (let i = 0; i < 2; i++) expect((await post(`${server.origin}/hook`)).body).toHaveLength(MAX_STORED_BODY_BYTES);
    expect(server.connections).toBe(2);
  });

  it("a kept-alive connection the receiver drops is retried once on a new connection", async () => {
    const served = new WeakMap<Socket, number>();
    const server = await startServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      // The second request on a connection: dropped unanswered, as a receiver closing an idle connection would.
      if (n === 2) req.socket.destroy();
      else res.end(`answer ${n}`);
    });
    expect((await post(`${server.origin}/hook`)).body).toBe("answer 1");
    expect((await post(`${server.origin}/hook`)).body).toBe("answer 1");
    expect(server.requests).toHaveLength(3);
    expect(server.connections).toBe(2);
  });
});
