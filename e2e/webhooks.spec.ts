import { expect, expectAccessible, inBtc, signUp, test } from "./fixtures";

test("generate a test URL, watch signed events arrive, pause the endpoint, redeliver", async ({ page }) => {
  await signUp(page);
  await page.getByRole("button", { name: "Create your first environment" }).click();
  await page.getByRole("dialog", { name: "New environment" }).getByLabel("Name").fill("Hooks sandbox");
  await page.getByRole("dialog", { name: "New environment" }).getByRole("button", { name: "Create environment" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9a-f-]{36}$/);
  const environmentId = page.url().split("/pay/")[1];

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "No webhook endpoints yet" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Generate test URL" }).click();
  const dialog = page.getByRole("dialog", { name: "Test URL ready" });
  const secret = await dialog.getByLabel("Signing secret", { exact: true }).inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  await expectAccessible(page);
  await dialog.getByRole("link", { name: "Open the inbox" }).click();
  await expect(page.getByRole("heading", { name: "Test inbox" })).toBeVisible();
  await expect(page.getByText("Waiting for deliveries")).toBeVisible();
  const inboxUrl = page.url();

  // A sandbox invoice: payment.pending now, payment.completed after the settle delay.
  await page.goto(`/pay/${environmentId}/wallets`);
  await page.getByRole("button", { name: "Create your first wallet" }).click();
  await page.getByRole("dialog", { name: "New wallet" }).getByLabel("Name").fill("Hooks wallet");
  await page.getByRole("dialog", { name: "New wallet" }).getByRole("button", { name: "Create wallet" }).click();
  await page.getByRole("link", { name: "New invoice" }).click();
  await inBtc(page);
  await page.getByLabel(/^Amount/).fill("0.0005");
  await page.getByRole("button", { name: "Create invoice" }).click();
  await expect(page).toHaveURL(/\/invoices\/tx_/);

  await page.goto(inboxUrl);
  const received = page.getByRole("list", { name: "Received deliveries" });
  await expect(received.getByText("payment.pending", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(received.getByText("payment.completed", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(received.getByText("✓ signature verified")).toHaveCount(2);
  await expect(received.getByText("✗ signature does not verify")).toHaveCount(0);
  await received.getByText("payment.completed", { exact: true }).click();
  await expect(received.getByText(/"event_type": "payment.completed"/)).toBeVisible();
  await expectAccessible(page);

  // The endpoint page lists the deliveries; pause, resume, redeliver.
  await page.goto(`/pay/${environmentId}/webhooks`);
  await page.getByRole("link", { name: /\/hooks\/inbox\// }).click();
  await expect(page.getByRole("heading", { name: "Webhook endpoint" })).toBeVisible();
  await expect(page.getByText("Delivered")).toHaveCount(2);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByRole("status").getByText("Endpoint paused")).toBeVisible();
  await expect(page.getByText("Paused by hand")).toBeVisible();
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByRole("status").getByText("Endpoint resumed")).toBeVisible();

  await page.getByRole("button", { name: "Redeliver" }).first().click();
  await expect(page.getByRole("status").getByText("Redelivery queued")).toBeVisible();
  await page.goto(inboxUrl);
  await expect(received.getByRole("listitem")).toHaveCount(3, { timeout: 15_000 });
  await expect(received.getByText("✓ signature verified")).toHaveCount(3);
});
