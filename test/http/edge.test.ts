// The HTTP edge: request bodies are capped while they are read (a 50 MB POST to the credential-less
// test inbox or to /graphql is refused with 413 without the process growing), and the response
// headers: CSP (nonce per page request from proxy.ts; GraphiQL's scripts from Boltrail's files only),
// Permissions-Policy, HSTS only over https, CORS on /graphql without credentials.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);

import http from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { unstable_doesMiddlewareMatch, unstable_getResponseFromNextConfig } from "next/experimental/testing/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as inboxPost } from "@/app/hooks/inbox/[token]/route";
import { POST as authPost } from "@/app/api/auth/[...nextauth]/route";
import { GET as graphqlGet, OPTIONS as graphqlOptions, POST as graphqlPost } from "@/app/graphql/route";
import { handleGraphQLNodeRequest } from "@/lib/graphql/http";
import { MAX_BODY_BYTES } from "@/lib/graphql/limits";
import { PERMISSIONS_POLICY } from "@/lib/http/security-headers";
import nextConfig from "@/next.config";
import { config as proxyConfig, proxy } from "@/proxy";

const MB = 1024 * 1024;
const HUGE = 50 * MB;
/** What "flat" means here: far below the 50 MB sent (the old inbox grew by the whole body, and more). */
const MAX_GROWTH = 32 * MB;

// ---------------------------------------------------------------------------------------------
// Helpers

/** Peak growth of this process's memory (RSS, and JS heap + array buffers) while `work` runs, sampled every 2 ms. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; rss: number; heap: number }> {
  const base = process.memoryUsage();
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss - base.rss);
    heap = Math.max(heap, now.heapUsed + now.arrayBuffers - (base.heapUsed + base.arrayBuffers));
  };
  const timer = setInterval(sample, 2);
  try {
    const result = await work();
    sample();
    return { result, rss, heap };
  } finally {
    clearInterval(timer);
  }
}

/** A body of `total` bytes produced only as it is read (a fresh 64 KB chunk per pull): `pulled()` says how much was asked for. */
function lazyBody(total: number) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        const n = Math.min(64 * 1024, total - sent);
        sent += n;
        controller.enqueue(new Uint8Array(n).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => sent };
}

const webPost = (url: string, body: BodyInit, headers: Record<string, string> = {}) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, duplex: "half" } as RequestInit);

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; written: number };

let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => void handleGraphQLNodeRequest(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/**
 * A request to the node:http /graphql. With `bodyBytes`, streams that many bytes in 64 KB chunks
 * (chunked unless a content-length header is given), honouring backpressure, and stops once the
 * answer arrives or the server closes the connection; `written` is how much it managed to send.
 */
function send(method: string, headers: Record<string, string>, bodyBytes = 0): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let written = 0;
    const req = http.request({ host: "127.0.0.1", port, method, path: "/graphql", headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), written }));
      res.on("error", reject);
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    void (async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      while (written < bodyBytes && !answered && !req.destroyed) {
        const n = Math.min(chunk.length, bodyBytes - written);
        written += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          await new Promise<void>((resolve) => {
            const done = () => {
              req.off("drain", done);
              req.off("close", done);
              resolve();
            };
            req.once("drain", done);
            req.once("close", done);
          });
        }
      }
      if (!answered && !req.destroyed) req.end();
    })().catch(() => {});
  });
}

// ---------------------------------------------------------------------------------------------
// Bodies

describe("a 50 MB body is refused with 413, without being read", () => {
  const inbox = "http://localhost/hooks/inbox/no-such-token";
  const params = { params: Promise.resolve({ token: "no-such-token" }) };

  it("the test inbox, streamed without a content-length: 413 after at most the cap (plus one chunk) was read, memory flat", async () => {
    const body = lazyBody(HUGE);
    const { result: res, rss, heap } = await peakGrowth(() => inboxPost(webPost(inbox, body.stream), params));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "body too large", limit: 256 * 1024 });
    expect(body.pulled()).toBeLessThanOrEqual(256 * 1024 + 128 * 1024);
    expect(heap).toBeLessThan(MAX_GROWTH);
    expect(rss).toBeLessThan(MAX_GROWTH);
  });

  it("the test inbox with a declared content-length of 50 MB: 413 before a byte is read", async () => {
    const body = lazyBody(HUGE);
    const { result: res, heap } = await peakGrowth(() => inboxPost(webPost(inbox, body.stream, { "content-length": String(HUGE) }), params));
    expect(res.status).toBe(413);
    expect(body.pulled()).toBe(0);
    expect(heap).toBeLessThan(MAX_GROWTH);
  });

  it("Auth.js's POST endpoints (the login form's target), 50 MB streamed: 413 at the 16 KB cap, memory flat", async () => {
    const body = lazyBody(HUGE);
    const { result: res, heap } = await peakGrowth(() => authPost(webPost("http://localhost/api/auth/callback/credentials", body.stream)));
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(16 * 1024 + 128 * 1024);
    expect(heap).toBeLessThan(MAX_GROWTH);
  });

  // That small forms still reach Auth.js is what every e2e login and logout shows (it needs Next.js's runtime).

  it("the test inbox still takes a body within the cap (and answers 404 for an unknown inbox)", async () => {
    const res = await inboxPost(webPost(inbox, JSON.stringify({ hello: "x".repeat(200 * 1024) })), params);
    expect(res.status).toBe(404);
  });

  it("/graphql on node:http, 50 MB chunked: 413, the server stopped reading, memory flat", async () => {
    const { result: answer, rss, heap } = await peakGrowth(() => send("POST", { "content-type": "application/json" }, HUGE));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
    expect(answer.headers.connection).toBe("close");
    // What the client got onto the wire before the answer: the cap plus socket buffers, not 50 MB.
    expect(answer.written).toBeLessThan(HUGE / 4);
    expect(heap).toBeLessThan(MAX_GROWTH);
    expect(rss).toBeLessThan(MAX_GROWTH);
  });

  it("/graphql on node:http, 50 MB with a content-length: 413 before reading", async () => {
    const { result: answer, heap } = await peakGrowth(() => send("POST", { "content-type": "application/json", "content-length": String(HUGE) }, HUGE));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).errors[0].message).toBe(`Request body is ${HUGE} bytes; the limit is ${MAX_BODY_BYTES}`);
    expect(answer.written).toBeLessThan(HUGE / 4);
    expect(heap).toBeLessThan(MAX_GROWTH);
  });

  it("/graphql in the Next.js route handler, 50 MB streamed: 413 after at most the cap was read", async () => {
    const body = lazyBody(HUGE);
    const { result: res, heap } = await peakGrowth(() => graphqlPost(webPost("http://localhost/graphql", body.stream)));
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
    expect(body.pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 128 * 1024);
    expect(heap).toBeLessThan(MAX_GROWTH);
  });

  it("/graphql in the Next.js route handler with a declared content-length of 50 MB: 413, nothing read", async () => {
    const body = lazyBody(HUGE);
    const res = await graphqlPost(webPost("http://localhost/graphql", body.stream, { "content-length": String(HUGE) }));
    expect(res.status).toBe(413);
    expect(body.pulled()).toBe(0);
  });

  it("server actions have an explicit body limit, and the proxy's copy of a body is bounded", async () => {
    expect(nextConfig.experimental?.serverActions?.bodySizeLimit).toBe("256kb");
    expect(nextConfig.experimental?.proxyClientMaxBodySize).toBe("512kb");
  });
});

// ---------------------------------------------------------------------------------------------
// Headers of /graphql

/** The inline script of a page, hashed as a browser hashes it for CSP. */
describe("/graphql headers", () => {
  it("every answer carries Permissions-Policy and the other security headers; no HSTS over plain http", async () => {
    const ok = await send("GET", { accept: "application/json" });
    const tooLarge = await send("POST", { "content-type": "application/json" }, MAX_BODY_BYTES + 1);
    expect(tooLarge.status).toBe(413);
    for (const a of [ok, tooLarge]) {
      expect(a.headers["permissions-policy"]).toBe(PERMISSIONS_POLICY);
      expect(a.headers["x-content-type-options"]).toBe("nosniff");
      expect(a.headers["strict-transport-security"]).toBeUndefined();
    }
    expect(PERMISSIONS_POLICY).toMatch(/camera=\(\)/);
    for (const feature of ["microphone", "geolocation", "payment", "usb"]) expect(PERMISSIONS_POLICY).toContain(`${feature}=()`);
  });

  it("HSTS when the proxy in front says https (X-Forwarded-Proto), not for http", async () => {
    const https = await send("GET", { accept: "application/json", "x-forwarded-proto": "https" });
    expect(https.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    const chain = await send("GET", { accept: "application/json", "x-forwarded-proto": "https, http" });
    expect(chain.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    const http = await send("GET", { accept: "application/json", "x-forwarded-proto": "http" });
    expect(http.headers["strict-transport-security"]).toBeUndefined();
  });

  it("GraphiQL gets a CSP that allows scripts and workers from Boltrail's own files only, nothing inline or remote", async () => {
    const answer = await send("GET", { accept: "text/html" });
    expect(answer.status).toBe(200);
    const csp = answer.headers["content-security-policy"] as string;
    expect(csp).toBeTruthy();
    const directives = Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives["default-src"]).toEqual(["'none'"]);
    expect(directives["script-src"]).toEqual(["'self'"]);
    expect(directives["worker-src"]).toEqual(["'self'"]);
    expect(directives["connect-src"]).toEqual(["'self'"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-eval|https?:/);
    // No executable inline script: every <script> has a src, or is a JSON data block.
    for (const tag of answer.body.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\ssrc="\/graphql\/assets\/|type="application\/json"/);
    // The same policy from the Next.js route handler.
    const viaNext = await graphqlGet(new Request("http://localhost/graphql", { headers: { accept: "text/html" } }));
    expect(viaNext.headers.get("content-security-policy")).toBe(csp);
  });

  it("CORS: a cross-origin request may read the answer, but never with credentials (node:http and Next.js)", async () => {
    const origin = "https://evil.example";
    const preflight = await send("OPTIONS", { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, x-api-key" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toMatch(/^(\*|https:\/\/evil\.example)$/);
    expect(preflight.headers["access-control-allow-headers"]).toMatch(/x-api-key/);
    expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();
    const post = await new Promise<Answer>((resolve, reject) => {
      const body = JSON.stringify({ query: "{ hello }" });
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/graphql", headers: { origin, "content-type": "application/json" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), written: body.length }));
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(post.status).toBe(200);
    expect(post.headers["access-control-allow-origin"]).toMatch(/^(\*|https:\/\/evil\.example)$/);
    expect(post.headers["access-control-allow-credentials"]).toBeUndefined();

    const nextPreflight = await graphqlOptions(
      new Request("http://localhost/graphql", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } }),
    );
    expect(nextPreflight.headers.get("access-control-allow-credentials")).toBeNull();
    const nextPost = await graphqlPost(webPost("http://localhost/graphql", JSON.stringify({ query: "{ hello }" }), { origin }));
    expect(await nextPost.json()).toEqual({ data: { hello: "Hello from Boltrail" } });
    expect(nextPost.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Pages: proxy.ts and next.config.ts

const cspOf = (res: Response) => res.headers.get("content-security-policy") ?? "";
const nonceOf = (csp: string) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];

describe("pages: proxy.ts", () => {
  it("sets a strict CSP with a fresh nonce on the response and on the request Next.js renders", () => {
    const first = proxy(new NextRequest("http://localhost/login"));
    const second = proxy(new NextRequest("http://localhost/login"));
    const csp = cspOf(first);
    const nonce = nonceOf(csp);
    expect(nonce).toBeTruthy();
    expect(nonceOf(cspOf(second))).not.toBe(nonce);
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/base-uri 'none'/);
    expect(csp).not.toMatch(/script-src[^;]*('unsafe-inline'|'unsafe-eval')/); // NODE_ENV is "test" here, not development
    // The team keys' Argon2id runs in WebAssembly in a same-origin worker; a client-paid live send connects to the team's node over https.
    expect(csp).toMatch(/script-src[^;]*'wasm-unsafe-eval'/);
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("connect-src 'self' https:");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'"); // style attributes; styles run no code
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    // NextResponse.next({ request: { headers } }) hands the request headers to the renderer this way.
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(first.headers.get("x-middleware-override-headers")).toMatch(/x-nonce/);
    // Behind an https proxy, mixed content is upgraded.
    expect(cspOf(proxy(new NextRequest("http://localhost/login", { headers: { "x-forwarded-proto": "https" } })))).toMatch(/upgrade-insecure-requests/);
  });

  it("keeps the dashboard guard: /pay and /settings without a session cookie redirect to /login?next=…", () => {
    for (const path of ["/pay", "/pay/env_1/wallets?x=1", "/settings", "/settings/team"]) {
      const res = proxy(new NextRequest(`http://localhost${path}`));
      expect(res.status, path).toBe(307);
      const location = new URL(res.headers.get("location")!);
      expect(location.pathname).toBe("/login");
      expect(location.searchParams.get("next")).toBe(path);
    }
    for (const cookie of ["authjs.session-token", "__Secure-authjs.session-token"]) {
      const res = proxy(new NextRequest("http://localhost/pay/env_1", { headers: { cookie: `${cookie}=abc` } }));
      expect(res.headers.get("location")).toBeNull();
      expect(nonceOf(cspOf(res))).toBeTruthy();
    }
    // Not the dashboard: no redirect, only the CSP.
    for (const path of ["/login", "/signup", "/checkout/tx_1", "/payments", "/settingsx", "/"]) {
      const res = proxy(new NextRequest(`http://localhost${path}`));
      expect(res.headers.get("location"), path).toBeNull();
      expect(nonceOf(cspOf(res)), path).toBeTruthy();
    }
  });

  it("runs on every page, not on API and webhook routes (whose bodies it would copy) nor static files", () => {
    const matches = (url: string) => unstable_doesMiddlewareMatch({ config: proxyConfig, url });
    for (const path of ["/", "/login", "/signup", "/pay", "/pay/env_1/webhooks", "/settings/team", "/checkout/tx_1", "/invite/abc", "/no-such-page"]) {
      expect(matches(path), path).toBe(true);
    }
    for (const path of ["/graphql", "/api/auth/session", "/api/lnurlp/alice", "/.well-known/lnurlp/alice", "/hooks/inbox/abc", "/_next/static/chunks/app.js", "/_next/image", "/favicon.ico", "/icon.svg"]) {
      expect(matches(path), path).toBe(false);
    }
  });
});

describe("pages: next.config.ts headers", () => {
  it("security headers everywhere; HSTS only when X-Forwarded-Proto says https", async () => {
    const plain = await unstable_getResponseFromNextConfig({ url: "http://localhost/login", nextConfig });
    expect(plain.headers.get("permissions-policy")).toBe(PERMISSIONS_POLICY);
    expect(plain.headers.get("x-frame-options")).toBe("DENY");
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    for (const proto of ["https", "HTTPS", "https,http"]) {
      const https = await unstable_getResponseFromNextConfig({ url: "http://localhost/hooks/inbox/x", nextConfig, headers: { "x-forwarded-proto": proto } });
      expect(https.headers.get("strict-transport-security"), proto).toBe("max-age=63072000; includeSubDomains");
    }
    const http = await unstable_getResponseFromNextConfig({ url: "http://localhost/login", nextConfig, headers: { "x-forwarded-proto": "http" } });
    expect(http.headers.get("strict-transport-security")).toBeNull();
  });
});
