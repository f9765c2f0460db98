import type { Page } from "@playwright/test";
import { expect, expectAccessible, joinAsMember, signUp, test } from "./fixtures";

async function createSandbox(page: Page, name: string): Promise<string> {
  await page.getByRole("button", { name: "Create your first environment" }).click();
  const dialog = page.getByRole("dialog", { name: "New environment" });
  await expectAccessible(page);
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create environment" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  return page.url().split("/pay/")[1];
}

async function graphql(page: Page, key: string, query: string) {
  const response = await page.request.post("/graphql", { headers: { "x-api-key": key }, data: { query } });
  return (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
}

test("create a sandbox, mint a key shown once, use it, then revoke it", async ({ page }) => {
  await signUp(page);
  const environmentId = await createSandbox(page, "Sandbox - dev");
  await expect(page.getByText("0 of 4 steps done")).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Environment" })).toHaveValue(environmentId);
  await expectAccessible(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "No API keys yet" })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("button", { name: "Create API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill("backend-prod");
  await dialog.getByRole("button", { name: "Read only" }).click();
  await expect(dialog.getByRole("radio", { name: "Payments: read" })).toBeChecked();
  await dialog.getByRole("button", { name: "Receive payments only" }).click();
  await expect(dialog.getByRole("radio", { name: "Payments: write" })).toBeChecked();
  await expect(dialog.getByRole("radio", { name: "Webhooks: no access" })).toBeChecked();
  await dialog.getByRole("radio", { name: "Environments: read" }).check();
  await expectAccessible(page);
  await dialog.getByRole("button", { name: "Create key" }).click();

  const shown = page.getByRole("dialog", { name: "Your new API key" });
  await expect(shown.getByRole("alert")).toContainText("never shown again");
  const plaintext = await shown.getByLabel(/Secret key for/).inputValue();
  expect(plaintext).toMatch(/^amb_test_[A-Za-z0-9_-]{43}$/);
  await shown.getByRole("button", { name: "Copy API key" }).click();
  await expect(shown.getByRole("button", { name: "Copied API key" })).toHaveText("Copied");
  await expectAccessible(page);
  await shown.getByRole("button", { name: "Done" }).click();

  // Listed by prefix and suffix, never again in full.
  const row = page.getByRole("row", { name: /backend-prod/ });
  await expect(row).toContainText(`${plaintext.slice(0, 13)}…${plaintext.slice(-4)}`);
  await expect(row).toContainText("PAYMENTS WRITE");
  await expect(row).toContainText("Active");
  expect(await page.content()).not.toContain(plaintext);
  await page.reload();
  expect(await page.content()).not.toContain(plaintext);
  await expectAccessible(page);

  // The key works against the API…
  const listed = await graphql(page, plaintext, "{ payment { environment { find_many { list { id name } } } } }");
  expect(listed).toEqual({ data: { payment: { environment: { find_many: { list: [{ id: environmentId, name: "Sandbox - dev" }] } } } } });

  // …until it is revoked.
  await page.getByRole("button", { name: "Revoke backend-prod" }).click();
  const revoke = page.getByRole("dialog", { name: 'Revoke "backend-prod"?' });
  await expect(revoke.getByRole("button", { name: "Revoke key" })).toBeDisabled(); // until the name is typed
  await revoke.getByLabel(/^Type the key's name/).fill("backend-prod");
  await revoke.getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByRole("status").getByText('API key "backend-prod" revoked')).toBeVisible();
  await expect(page.getByRole("row", { name: /backend-prod/ })).toContainText("Revoked");
  const refused = await graphql(page, plaintext, "{ payment { environment { find_many { list { id } } } } }");
  expect(refused.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");

  // A revoked key does not count as a done step.
  await page.goto(`/pay/${environmentId}`);
  await expect(page.getByText("0 of 4 steps done")).toBeVisible();
});

test("a member sees environments but cannot open the API keys page", async ({ browser, page }) => {
  await signUp(page);
  const environmentId = await createSandbox(page, "Shared sandbox");
  const { member, close } = await joinAsMember(page, browser);
  await expect(member.getByRole("link", { name: /Shared sandbox/ })).toBeVisible();
  await expect(member.getByRole("button", { name: "New environment" })).toHaveCount(0);
  await expect(member.getByRole("navigation", { name: "Main" }).getByText("API keys")).toHaveCount(0);

  await member.goto(`/pay/${environmentId}/api-keys`);
  await expect(member.getByRole("heading", { name: "Only the team's master can do this" })).toBeVisible();
  await expect(member.getByRole("button", { name: "Create API key" })).toHaveCount(0);
  await expectAccessible(member);
  await close();
});

test("an environment of another team is not found", async ({ browser, page, consoleErrors }) => {
  consoleErrors.allow(/status of 404/);
  await signUp(page);
  const environmentId = await createSandbox(page, "Private");
  const context = await browser.newContext();
  const stranger = await context.newPage();
  await signUp(stranger, "stranger");
  await stranger.goto(`/pay/${environmentId}`);
  await expect(stranger.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await stranger.goto(`/pay/${environmentId}/api-keys`);
  await expect(stranger.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await context.close();
});
