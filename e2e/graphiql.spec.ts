import type { Page } from "@playwright/test";
import { expect, expectAccessible, test } from "./fixtures";

/** The GraphiQL page is up: the editor rendered and the Run button enabled. */
async function explorerReady(page: Page) {
  await expect(page).toHaveTitle("Boltrail GraphQL");
  const run = page.getByRole("button", { name: /execute query/i });
  await expect(run).toBeVisible({ timeout: 30_000 });
  return run;
}

test("the GraphQL explorer is a small page loading Boltrail's own files only, runs a query, and passes axe", async ({ page }) => {
  // Anything not served by Boltrail itself (a CDN) is refused and recorded: the page must not need it.
  const foreign: string[] = [];
  const local: string[] = [];
  await page.route(/^https?:\/\/(?!(127\.0\.0\.1|localhost)[:/])/, (route) => {
    foreign.push(route.request().url());
    return route.abort();
  });
  page.on("request", (request) => {
    if (!request.url().startsWith("data:") && !request.url().startsWith("blob:")) local.push(new URL(request.url()).pathname);
  });
  const response = await page.goto("/graphql");
  expect(response!.status()).toBe(200);
  // The page itself is a few KB (it was 9 MB with every asset inlined).
  expect((await response!.body()).byteLength).toBeLessThan(10_000);
  const run = await explorerReady(page);
  // Boltrail's header, in the dashboard's look, with a way back.
  await expect(page.getByRole("banner").getByRole("link", { name: "Boltrail" })).toHaveAttribute("href", "/pay");
  await expect(page.getByRole("link", { name: "Schema (SDL)" })).toBeVisible();

  await run.click();
  await expect(page.getByText('"Hello from Boltrail"')).toBeVisible({ timeout: 15_000 });
  expect(foreign).toEqual([]);
  // Scripts, styles and the editor's workers came from /graphql/assets, by content-hashed name.
  const assets = local.filter((p) => p.startsWith("/graphql/assets/"));
  expect(assets.filter((p) => p.endsWith(".js")).length).toBeGreaterThanOrEqual(3);
  expect(assets.filter((p) => p.endsWith(".css")).length).toBe(2);
  for (const p of assets) expect(p).toMatch(/^\/graphql\/assets\/[a-z.-]+\.[0-9a-f]{16}\.(js|css)$/);

  await expectAccessible(page);
});

test("GraphiQL's files are cached for good: a second visit loads none of them from the server", async ({ browser }) => {
  // A context without request routing (routing turns the browser's cache off).
  const context = await browser.newContext();
  const page = await context.newPage();
  const first = new Map<string, string | undefined>();
  const encodings = new Map<string, string | undefined>();
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith("/graphql/assets/")) return;
    first.set(path, r.headers()["cache-control"]);
    encodings.set(path, r.headers()["content-encoding"]);
  });
  await page.goto("/graphql");
  await explorerReady(page);
  expect(first.size).toBeGreaterThanOrEqual(4);
  for (const [path, cacheControl] of first) expect(cacheControl, path).toBe("public, max-age=31536000, immutable");
  // Compressed on the way (GraphiQL's script is 5 MB as text).
  const script = [...encodings.keys()].find((p) => /^\/graphql\/assets\/graphiql\.[0-9a-f]{16}\.js$/.test(p))!;
  expect(encodings.get(script)).toBe("gzip");

  // The second visit: every asset the page loads is answered by the browser's cache.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const paths = new Map<string, string>();
  const fromCache = new Set<string>();
  cdp.on("Network.requestWillBeSent", (event: { requestId: string; request: { url: string } }) => {
    const path = new URL(event.request.url).pathname;
    if (path.startsWith("/graphql/assets/")) paths.set(event.requestId, path);
  });
  cdp.on("Network.requestServedFromCache", (event: { requestId: string }) => fromCache.add(event.requestId));
  cdp.on("Network.responseReceived", (event: { requestId: string; response: { fromDiskCache?: boolean; fromMemoryCache?: boolean } }) => {
    if (event.response.fromDiskCache || event.response.fromMemoryCache) fromCache.add(event.requestId);
  });
  await page.goto("/graphql");
  await explorerReady(page);
  const stylesAndScripts = [...first.keys()].filter((p) => !p.includes(".worker."));
  const cached = new Set([...paths].filter(([id]) => fromCache.has(id)).map(([, path]) => path));
  expect([...paths.values()].length).toBeGreaterThanOrEqual(stylesAndScripts.length);
  for (const path of stylesAndScripts) expect(cached.has(path), path).toBe(true);
  await context.close();
});
