import type { APIRequestContext, Page } from "@playwright/test";
import { expect, expectAccessible, joinAsMember, sandboxWithWallet, test } from "./fixtures";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

type Answer = { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };

/**
 * A sample's curl command sent the way curl sends it, with no cookies: its single-quoted `-H`
 * headers and `-d` body, plus `extra` (what the shell would expand, e.g. $BOLTRAIL_API_KEY).
 */
async function runCurlBody(request: APIRequestContext, curl: string, extra: Record<string, string> = {}): Promise<Answer> {
  const body = /-d '(.*)'$/s.exec(curl)![1].replace(/'\\''/g, "'");
  const headers = Object.fromEntries([...curl.matchAll(/-H '([^:']+): ([^']*)'/g)].map((m) => [m[1].toLowerCase(), m[2]]));
  const response = await request.post("/graphql", { headers: { ...headers, ...extra }, data: body });
  return (await response.json()) as Answer;
}

async function openDevelopers(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Developers" }).click();
  await expect(page.getByRole("heading", { name: "Developers", level: 1 })).toBeVisible();
}

test("the Developers page fills the ids into the samples, copies them, and a new key appears in them once", async ({ page, request }) => {
  const { environmentId, walletUrl } = await sandboxWithWallet(page);
  const walletId = walletUrl.split("/wallets/")[1];
  await openDevelopers(page);
  await expect(page).toHaveURL(`/pay/${environmentId}/developers`);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Developers" })).toHaveAttribute("aria-current", "page");

  const endpoint = page.getByRole("definition").filter({ hasText: "/graphql" }).locator("code");
  await expect(endpoint).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
  const invoiceCurl = page.getByRole("region", { name: "Issue an invoice" }).locator("pre");
  await expect(invoiceCurl).toContainText(`"wallet_id":"${walletId}"`);
  await expect(invoiceCurl).toContainText("create_receive(input: $input)");
  await expect(invoiceCurl).toContainText('"x-api-key: $BOLTRAIL_API_KEY"');
  const listCurl = page.getByRole("region", { name: "List transactions" }).locator("pre");
  await expect(listCurl).toContainText(`"environment_id":"${environmentId}"`);
  await expectAccessible(page);

  // Copy buttons put exactly the sample on the clipboard.
  await page.getByRole("button", { name: "Copy curl command: Issue an invoice" }).click();
  await expect(page.getByRole("button", { name: "Copied curl command: Issue an invoice" })).toBeVisible();
  expect(await clipboard(page)).toBe(await invoiceCurl.textContent());
  await page.getByRole("button", { name: "Copy environment id" }).click();
  expect(await clipboard(page)).toBe(environmentId);

  // TypeScript, chosen with the tabs (arrow keys too).
  await page.getByRole("tab", { name: "curl" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "TypeScript" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tab", { name: "TypeScript" })).toBeFocused();
  const invoiceTs = page.getByRole("region", { name: "Issue an invoice" }).locator("pre");
  await expect(invoiceTs).toContainText("await fetch(");
  await expect(invoiceTs).toContainText(`"wallet_id": "${walletId}"`);
  await expect(invoiceTs).toContainText("process.env.BOLTRAIL_API_KEY");
  await page.getByRole("button", { name: "Copy TypeScript code: Issue an invoice" }).click();
  expect(await clipboard(page)).toBe(await invoiceTs.textContent());
  await expectAccessible(page);

  // A new key: the samples carry it, this once.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  await page.getByRole("button", { name: "Create API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill("backend");
  await dialog.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByRole("dialog", { name: "Your new API key" });
  const plaintext = await shown.getByLabel(/Secret key for/).inputValue();
  expect(plaintext).toMatch(/^amb_test_/);
  const keyCurl = shown.getByRole("region", { name: "Issue an invoice" }).locator("pre");
  await expect(keyCurl).toContainText(`x-api-key: ${plaintext}`);
  await expect(keyCurl).toContainText(`"wallet_id":"${walletId}"`);
  await shown.getByRole("button", { name: "Copy curl command: Issue an invoice" }).click();
  const copied = await clipboard(page);
  expect(copied).toBe(await keyCurl.textContent());
  await expect(shown.getByRole("link", { name: "Developers page" })).toHaveAttribute("href", `/pay/${environmentId}/developers`);
  await expectAccessible(page);
  // The sample works as copied: it issues an invoice with the new key.
  const created = await runCurlBody(request, copied);
  expect(created.errors).toBeUndefined();
  expect(JSON.stringify(created.data)).toMatch(/"status":"PENDING"/);

  await shown.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  expect(await page.content()).not.toContain(plaintext);
  await openDevelopers(page);
  expect(await page.content()).not.toContain(plaintext);

  // On a phone the samples scroll inside their blocks; the page never scrolls sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Developers", level: 1 })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
});

test("a master copies an API session token that works as Bearer on /graphql; a member does not get the button", async ({ page, request, browser }) => {
  const { environmentId } = await sandboxWithWallet(page);
  await openDevelopers(page);
  const mint = page.getByRole("button", { name: "Copy API session token" });
  await mint.click();
  const warning = page.getByRole("alert").filter({ hasText: "acts as you" });
  await expect(warning).toContainText(/until \d{1,2}:\d\d/);
  await expect(warning.locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
  const expiresAt = new Date((await warning.locator("time").getAttribute("datetime"))!);
  expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
  expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  const token = await clipboard(page);
  expect(await page.getByLabel("API session token (Authorization: Bearer)").inputValue()).toBe(token);
  // Not the browser's cookie.
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.value)).not.toContain(token);
  await expectAccessible(page);

  // curl-like: a request with no cookies, only the Bearer header — a master-only operation.
  const sample = await page.locator("pre").filter({ hasText: "authorization: Bearer" }).textContent();
  const keys = await runCurlBody(request, sample!);
  expect(keys.errors).toBeUndefined();
  expect(keys.data).toEqual({ service_api_keys: { get_many: { list: [] } } });
  const environment = await request.post("/graphql", {
    headers: { authorization: `Bearer ${token}` },
    data: { query: `mutation { payment { environment { create(input: { name: "From the token", type: SANDBOX }) { id name } } } }` },
  });
  expect(((await environment.json()) as Answer).data).toMatchObject({ payment: { environment: { create: { name: "From the token" } } } });
  const without = await request.post("/graphql", { data: { query: "{ service_api_keys { get_many { list { id } } } }" } });
  expect(((await without.json()) as Answer).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

  // GraphiQL opened with the token in its headers runs the master-only query.
  await page.getByRole("link", { name: "Open GraphiQL with this token" }).click();
  await expect(page).toHaveTitle("Boltrail GraphQL");
  await expect(page).toHaveURL(/\/graphql$/); // the token left the address bar at once
  const run = page.getByRole("button", { name: /execute query/i });
  await expect(run).toBeVisible({ timeout: 30_000 });
  await run.click();
  await expect(page.getByText('"get_many"')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText("UNAUTHENTICATED")).toHaveCount(0);

  // Listed among the sessions, where it can be signed out.
  await page.goto("/settings/security");
  await expect(page.getByRole("list", { name: "Signed-in sessions" })).toContainText(/API session token, until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

  // A member of the team sees the samples but not the button.
  const { member, close } = await joinAsMember(page, browser);
  await member.goto(`/pay/${environmentId}/developers`);
  await expect(member.getByRole("heading", { name: "Developers", level: 1 })).toBeVisible();
  await expect(member.getByRole("region", { name: "Issue an invoice" }).locator("pre")).toContainText("create_receive");
  await expect(member.getByRole("button", { name: /API session token/ })).toHaveCount(0);
  await expect(member.getByRole("heading", { name: "API session token" })).toHaveCount(0);
  await expectAccessible(member);
  await close();
});
