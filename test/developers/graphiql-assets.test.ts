// GraphiQL's files served by Boltrail (lib/graphql/graphiql.ts, app/graphql/assets/[file]/route.ts):
// a small page naming content-hashed files, each served with a year-long immutable cache, byte for
// byte the package's; and the schema as SDL.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { css, editorWorkerService, graphqlWorker, js, jsonWorker } from "@graphql-yoga/render-graphiql/graphiql";
import { GET as graphqlGet } from "@/app/graphql/route";
import { GET as assetGet } from "@/app/graphql/assets/[file]/route";
import { GET as schemaGet } from "@/app/graphql/schema.graphql/route";

async function page(): Promise<string> {
  const response = await graphqlGet(new Request("http://localhost/graphql", { headers: { accept: "text/html" } }));
  expect(response.status).toBe(200);
  return response.text();
}

function fetchAsset(url: string) {
  const file = url.replace("/graphql/assets/", "");
  return assetGet(new Request(`http://localhost${url}`, {}), { params: Promise.resolve({ file }) });
}

describe("GraphiQL assets", () => {
  it("the page is a few KB and names every file it loads (scripts, styles, editor workers) under /graphql/assets", async () => {
    const html = await page();
    expect(Buffer.byteLength(html)).toBeLessThan(8_000);
    const config = JSON.parse(/<script type="application\/json" id="graphiql-config">([^<]*)<\/script>/.exec(html)![1]) as {
      workers: Record<string, string>;
      options: Record<string, unknown>;
    };
    expect(Object.keys(config.workers).sort()).toEqual(["editorWorkerService", "graphql", "json"]);
    // Requests without cookies; headers (a pasted token) never stored in the browser.
    expect(config.options).toMatchObject({ credentials: "omit", shouldPersistHeaders: false, title: "Boltrail GraphQL" });
    const urls = [...html.matchAll(/(?:src|href)="(\/graphql\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(urls).toHaveLength(4);
    expect(new Set([...urls, ...Object.values(config.workers)]).size).toBe(7);
  });

  it("serves each file byte for byte, named by its content's hash, cached as immutable for a year", async () => {
    const html = await page();
    const config = JSON.parse(/id="graphiql-config">([^<]*)</.exec(html)![1]) as { workers: Record<string, string> };
    const urls = [...[...html.matchAll(/(?:src|href)="(\/graphql\/assets\/[^"]+)"/g)].map((m) => m[1]), ...Object.values(config.workers)];
    const served = new Map<string, Buffer>();
    for (const url of urls) {
      const response = await fetchAsset(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("content-type")).toMatch(url.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
      expect(response.headers.get("content-encoding")).toBeNull();
      const body = Buffer.from(await response.arrayBuffer());
      const hash = /\.([0-9a-f]{16})\.(js|css)$/.exec(url)![1];
      expect(createHash("sha256").update(body).digest("hex").slice(0, 16)).toBe(hash);
      served.set(url, body);
    }
    // GraphiQL itself, its stylesheet and the three workers are the package's files, unchanged.
    const texts = [...served.values()].map((b) => b.toString("utf8"));
    for (const original of [js, css, editorWorkerService, jsonWorker, graphqlWorker]) expect(texts).toContain(original);
  });

  it("answers 404 for anything else", async () => {
    const html = await page();
    const real = /src="(\/graphql\/assets\/graphiql\.[0-9a-f]{16}\.js)"/.exec(html)![1];
    for (const url of [real.replace(/\.[0-9a-f]{16}\./, ".0000000000000000."), "/graphql/assets/..%2Fserver.ts", "/graphql/assets/graphiql.js"]) {
      const response = await fetchAsset(url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("serves the schema as SDL", async () => {
    const response = schemaGet();
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const sdl = await response.text();
    expect(sdl).toContain("create_receive(input: CreateReceiveTransactionInput!): PaymentsTransaction!");
    expect(sdl).toMatch(/type Query \{/);
  });
});
