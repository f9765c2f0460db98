import type { Page, Response } from "@playwright/test";
import { expect, newInvoice, sandboxWithWallet, test } from "./fixtures";

// Every page is served with a strict Content-Security-Policy carrying a fresh nonce (proxy.ts), and
// still works under it: no violation is reported (the fixtures also fail a test on any console
// error, which is where Chromium reports a blocked script or style). GraphiQL has its own policy
// (its inline script by hash) and still renders and runs a query.

declare global {
  interface Window {
    /** The CSP violations the page reported (recordViolations). */
    __violations: string[];
  }
}

/** Records every CSP violation the page reports, from before any of its scripts run. */
async function recordViolations(page: Page) {
  await page.addInitScript(() => {
    const seen: string[] = [];
    window.__violations = seen;
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
}
const violations = (page: Page) => page.evaluate(() => window.__violations);

/** The nonce of a page response's policy, after checking the policy is the strict one. */
function pageNonce(response: Response | null): string {
  expect(response).not.toBeNull();
  const csp = response!.headers()["content-security-policy"];
  expect(csp, response!.url()).toBeTruthy();
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  expect(csp).toMatch(/object-src 'none'/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(response!.headers()["permissions-policy"]).toMatch(/camera=\(\).*microphone=\(\)/);
  expect(response!.headers()["strict-transport-security"]).toBeUndefined(); // plain http here
  return nonce!;
}

/**
 * Every script tag of the page's HTML carries the response's nonce (Next.js put it there). Chunks
 * fetched later (a form's zod schema, the reports' charts) are inserted by those scripts and
 * trusted through 'strict-dynamic': the tests also assert that no violation was reported.
 */
async function expectScriptsNonced(response: Response | null, nonce: string) {
  const tags = (await response!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(0);
  for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
}

test("login and sign-up pages: a fresh nonce per request on every script, and they work under the policy", async ({ page }) => {
  await recordViolations(page);
  const firstResponse = await page.goto("/login");
  const first = pageNonce(firstResponse);
  await expectScriptsNonced(firstResponse, first);
  const secondResponse = await page.goto("/login");
  const second = pageNonce(secondResponse);
  expect(second).not.toBe(first);
  await expectScriptsNonced(secondResponse, second);
  // Hydrated: a client-side link navigation works.
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole("button", { name: "Create account" })).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test("dashboard and hosted checkout work under the policy: server actions, client navigation, QR code", async ({ page, browser }) => {
  await recordViolations(page);
  const { walletUrl } = await sandboxWithWallet(page);
  const txId = await newInvoice(page, walletUrl, "0.0001", { description: "CSP test" });
  const reloaded = await page.reload();
  const nonce = pageNonce(reloaded);
  await expectScriptsNonced(reloaded, nonce);
  await expect(page.getByTestId("payment-status")).toBeVisible();
  expect(await violations(page)).toEqual([]);

  const context = await browser.newContext();
  const payer = await context.newPage();
  await recordViolations(payer);
  const checkout = await payer.goto(`/checkout/${txId}`);
  const checkoutNonce = pageNonce(checkout);
  await expectScriptsNonced(checkout, checkoutNonce);
  await expect(payer.getByRole("img", { name: "QR code of the Lightning invoice" })).toBeVisible();
  await expect(payer.getByRole("button", { name: "Copy invoice" })).toBeVisible();
  expect(await violations(payer)).toEqual([]);
  await context.close();
});

test("the dashboard guard still redirects to the login page without a session", async ({ page }) => {
  await page.goto("/pay");
  await expect(page).toHaveURL(/\/login\?next=%2Fpay$/);
  await page.goto("/settings/team");
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings%2Fteam$/);
});

test("GraphiQL renders under its own policy (its own scripts and workers only, nothing inline) and runs a query", async ({ page }) => {
  await recordViolations(page);
  const response = await page.goto("/graphql");
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toMatch(/script-src 'self'(;|$)/);
  expect(csp).toMatch(/worker-src 'self'(;|$)/);
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).not.toMatch(/unsafe-eval|nonce-|sha256-/);
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  expect(response!.headers()["permissions-policy"]).toMatch(/geolocation=\(\)/);
  await expect(page).toHaveTitle("Boltrail GraphQL");
  const run = page.getByRole("button", { name: /execute query/i });
  await expect(run).toBeVisible({ timeout: 30_000 });
  await run.click();
  await expect(page.getByText('"Hello from Boltrail"')).toBeVisible({ timeout: 15_000 });
  expect(await violations(page)).toEqual([]);
});

test("a page request behind an https proxy gets HSTS; /graphql answers cross-origin requests without credentials", async ({ request }) => {
  const https = await request.get("/login", { headers: { "x-forwarded-proto": "https" } });
  expect(https.headers()["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  expect(https.headers()["content-security-policy"]).toMatch(/upgrade-insecure-requests/);
  const api = await request.post("/graphql", { data: { query: "{ hello }" }, headers: { origin: "https://elsewhere.example", "x-forwarded-proto": "https" } });
  expect(await api.json()).toEqual({ data: { hello: "Hello from Boltrail" } });
  expect(api.headers()["access-control-allow-credentials"]).toBeUndefined();
  expect(api.headers()["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  expect(api.headers()["permissions-policy"]).toBeTruthy();
});

test("a server action posted from another origin is refused with 403, not a 500; the same origin still reaches it", async ({ request, baseURL }) => {
  const form = { "1_email": "x@example.com", "1_password": "whatever", "0": '["$K1"]' };
  for (const origin of ["https://evil.example", "null"]) {
    const res = await request.post("/login", { headers: { origin, "next-action": "0".repeat(42), accept: "text/x-component" }, form, maxRedirects: 0 });
    expect(res.status(), origin).toBe(403);
    expect(await res.text()).toMatch(/another site/);
  }
  // Same origin: past the proxy (an unknown action id is Next.js's own 404, not our 403).
  const same = await request.post("/login", { headers: { origin: baseURL!, "next-action": "0".repeat(42), accept: "text/x-component" }, form, maxRedirects: 0 });
  expect(same.status()).not.toBe(403);
});
