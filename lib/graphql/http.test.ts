// The /graphql HTTP edge on both transports: node:http (the production server, scripts/server.ts)
// and the Next.js route handler (npm run dev). Same answers, same 1 MB cap, same headers.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as routePost, GET as routeGet } from "@/app/graphql/route";
import { handleGraphQLNodeRequest } from "./http";
import { MAX_BODY_BYTES } from "./limits";

type Answer = { status: number; headers: Record<string, string>; body: string };

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
 * Sends a request body in 64 KB chunks (chunked encoding unless a content-length is given) and
 * stops sending as soon as the answer arrives: the server answers an over-limit body early.
 */
function send(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ host: "127.0.0.1", port, method, path, headers: { "content-type": "application/json", ...headers } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks).toString() }),
      );
      res.on("error", reject);
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    void (async () => {
      if (body) {
        for (let offset = 0; offset < body.length && !answered; offset += 65_536) {
          if (!req.write(body.subarray(offset, offset + 65_536))) await new Promise((r) => req.once("drain", r));
        }
      }
      if (!answered) req.end();
    })().catch(() => {});
  });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
/** A valid `{ hello }` request padded with spaces to exactly `size` bytes. */
const paddedHello = (size: number) => {
  const core = '{"query":"{ hello }"}';
  return Buffer.from(core.slice(0, -1) + " ".repeat(size - core.length) + "}");
};

describe("/graphql on node:http", () => {
  it("answers a query, with the security headers", async () => {
    const answer = await send("POST", "/graphql", json({ query: "{ hello }" }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { hello: "Hello from Boltrail" } });
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.headers["x-frame-options"]).toBe("DENY");
    expect(answer.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  });

  it("answers GET queries", async () => {
    const answer = await send("GET", `/graphql?query=${encodeURIComponent("{ hello }")}`, undefined, { accept: "application/json" });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { hello: "Hello from Boltrail" } });
  });

  it("serves GraphiQL to a browser as a small page loading Boltrail's own files (no CDN), with the security headers", async () => {
    const answer = await send("GET", "/graphql", undefined, { accept: "text/html" });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/text\/html/);
    expect(answer.headers["x-frame-options"]).toBe("DENY");
    expect(answer.body).toContain("<title>Boltrail GraphQL</title>");
    expect(answer.body.length).toBeLessThan(8_000);
    const scripts = [...answer.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    const styles = [...answer.body.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(2);
    expect(styles).toHaveLength(2);
    for (const url of [...scripts, ...styles]) expect(url).toMatch(/^\/graphql\/assets\/[a-z.-]+\.[0-9a-f]{16}\.(js|css)$/);
    expect(answer.body).not.toMatch(/unpkg\.com|jsdelivr|https?:\/\//);
    expect(answer.headers["content-security-policy"]).toMatch(/^default-src 'none'; script-src 'self'; worker-src 'self';/);
    expect(answer.headers["permissions-policy"]).toMatch(/camera=\(\)/);
  });

  it("accepts a body of exactly the limit", async () => {
    const answer = await send("POST", "/graphql", paddedHello(MAX_BODY_BYTES));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { hello: "Hello from Boltrail" } });
  });

  it("refuses a body one byte over the limit without a content-length (chunked)", async () => {
    const answer = await send("POST", "/graphql", paddedHello(MAX_BODY_BYTES + 1));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      errors: [{ message: `Request body is more than ${MAX_BODY_BYTES} bytes; the limit is ${MAX_BODY_BYTES}`, extensions: { code: "PAYLOAD_TOO_LARGE" } }],
    });
  });

  it("refuses a declared content-length over the limit before reading the body", async () => {
    const body = paddedHello(MAX_BODY_BYTES + 10);
    const answer = await send("POST", "/graphql", body, { "content-length": String(body.length) });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).errors[0]).toMatchObject({
      message: `Request body is ${MAX_BODY_BYTES + 10} bytes; the limit is ${MAX_BODY_BYTES}`,
      extensions: { code: "PAYLOAD_TOO_LARGE" },
    });
  });

  it("answers a body that is not JSON with a GraphQL error, not a crash", async () => {
    const answer = await send("POST", "/graphql", Buffer.from("{not json"));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).errors[0].message).toMatch(/JSON/i);
  });

  it("answers an empty POST with a GraphQL error", async () => {
    const answer = await send("POST", "/graphql", Buffer.alloc(0));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(JSON.parse(answer.body).errors.length).toBeGreaterThan(0);
  });
});

describe("/graphql in the Next.js route handler", () => {
  const request = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request("http://localhost/graphql", { method: "POST", headers: { "content-type": "application/json", ...headers }, body, duplex: "half" } as RequestInit);
  const stream = (bytes: Buffer) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 65_536) controller.enqueue(bytes.subarray(offset, offset + 65_536));
        controller.close();
      },
    });

  it("answers a query and a GET query", async () => {
    const post = await routePost(request(json({ query: "{ hello }" })));
    expect(await post.json()).toEqual({ data: { hello: "Hello from Boltrail" } });
    const get = await routeGet(new Request(`http://localhost/graphql?query=${encodeURIComponent("{ hello }")}`, { headers: { accept: "application/json" } }));
    expect(await get.json()).toEqual({ data: { hello: "Hello from Boltrail" } });
  });

  it("accepts exactly the limit and refuses one byte more, streamed", async () => {
    const atLimit = await routePost(request(stream(paddedHello(MAX_BODY_BYTES))));
    expect(atLimit.status).toBe(200);
    const over = await routePost(request(stream(paddedHello(MAX_BODY_BYTES + 1))));
    expect(over.status).toBe(413);
    expect((await over.json()).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses a declared content-length over the limit", async () => {
    const over = await routePost(request(json({ query: "{ hello }" }), { "content-length": String(MAX_BODY_BYTES + 1) }));
    expect(over.status).toBe(413);
  });
});
