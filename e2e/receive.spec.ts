import { expect, expectAccessible, inBtc, newInvoice, sandboxWithWallet, test } from "./fixtures";

test("create a wallet and an invoice, watch it turn paid without reloading", async ({ page }) => {
  const { walletUrl } = await sandboxWithWallet(page);
  await page.getByRole("link", { name: "New invoice" }).click();
  const amount = page.getByLabel(/^Amount/);
  await inBtc(page);
  await amount.fill("0.001");
  await expect(page.getByText("= 100,000 sats")).toBeVisible();
  await amount.fill("0.000000001");
  await expect(page.getByText("At most 8 decimal places")).toBeVisible();
  await expectAccessible(page);

  await page.goto(walletUrl);
  const txId = await newInvoice(page, walletUrl, "0.001", { description: "Order #42" });
  await expect(page.getByRole("img", { name: "QR code of the Lightning invoice" })).toBeVisible();
  const bolt11 = await page.getByLabel("BOLT11 invoice").inputValue();
  expect(bolt11).toMatch(/^lnbcrt1m1/);
  await expect(page.getByText(/Expires in \d\d:\d\d/)).toBeVisible();
  await expect(page.getByTestId("payment-status")).toHaveText("Pending");
  await expectAccessible(page);

  // Mark the document: a reload would lose the marker.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await expect(page.getByTestId("payment-status")).toHaveText("Paid", { timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await expect(page.getByText("Paid — this invoice has been settled.")).toBeVisible();

  // Transaction detail: timeline and raw JSON.
  await page.getByRole("link", { name: "Transaction details and timeline" }).click();
  await expect(page.getByText("payment.pending", { exact: true })).toBeVisible();
  await expect(page.getByText("payment.completed", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Transaction as JSON")).toContainText(`"id": "${txId}"`);
  await expectAccessible(page);

  // The wallet shows the balance.
  await page.goto(walletUrl);
  await expect(page.getByText("0.001 BTC").first()).toBeVisible();
});

test("sandbox buttons end an invoice now; the hosted checkout follows along and redirects when paid", async ({ page, browser }) => {
  const { walletUrl } = await sandboxWithWallet(page, "USDT");
  await newInvoice(page, walletUrl, "12.50", { metadata: '{"amb_sandbox_behavior":"fail"}' });
  await expect(page.getByText(/payer pays 12,500 sats/)).toBeVisible();
  await page.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Fail" }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Failed");

  const successUrl = new URL("/login?paid=1", page.url()).toString();
  const txId = await newInvoice(page, walletUrl, "5", { description: "Coffee", metadata: JSON.stringify({ success_url: successUrl, amb_sandbox_behavior: "complete" }) });

  const context = await browser.newContext();
  const payer = await context.newPage();
  await payer.goto(`/checkout/${txId}`);
  await expect(payer.getByRole("heading", { name: "5 USDT" })).toBeVisible();
  await expect(payer.getByText("≈ $5 USD · 5,000 sats")).toBeVisible();
  await expect(payer.getByRole("img", { name: "QR code of the Lightning invoice" })).toBeVisible();
  await expect(payer.getByRole("button", { name: "Copy invoice" })).toBeVisible();
  await expectAccessible(payer);

  await page.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Settle now" }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Paid");
  await expect(payer).toHaveURL(successUrl, { timeout: 15_000 });
  await context.close();
});

test("filter the transactions list and export it as CSV", async ({ page }) => {
  const { environmentId, walletUrl } = await sandboxWithWallet(page);
  const failed = await newInvoice(page, walletUrl, "0.0001", { metadata: '{"amb_sandbox_behavior":"fail"}' });
  await page.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Fail" }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Failed");
  const paid = await newInvoice(page, walletUrl, "0.0002");
  await page.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Settle now" }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Paid");

  await page.goto(`/pay/${environmentId}/transactions`);
  await expect(page.getByRole("row")).toHaveCount(3);
  await expectAccessible(page);
  await page.getByLabel("Status").selectOption("FAILED");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=FAILED/);
  await expect(page.getByRole("row")).toHaveCount(2);
  await expect(page.getByRole("link", { name: new RegExp(failed) })).toBeVisible();
  await expect(page.getByText("1 transaction · page 1 of 1")).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await download;
  const csv = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toMatch(/^id,created_at,direction,status,asset,amount,display_amount/);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(failed);
  expect(lines[1]).toContain("FAILED");
  expect(csv).not.toContain(paid);

  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page.getByRole("row")).toHaveCount(3);

  // The overview counts by status.
  await page.goto(`/pay/${environmentId}`);
  await expect(page.getByText("Received, last 30 days")).toBeVisible();
  await expect(page.getByRole("img", { name: /BTC received per day/ })).toBeVisible();
  await expectAccessible(page);
});
