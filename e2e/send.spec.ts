import type { Page } from "@playwright/test";
import { expect, expectAccessible, inBtc, newInvoice, sandboxWithWallet, test } from "./fixtures";

/** A second BTC wallet in the environment, funded with `amount` BTC through a settled invoice; returns its page URL. */
async function fundedWallet(page: Page, environmentId: string, name: string, amount: string) {
  await page.goto(`/pay/${environmentId}/wallets`);
  await page.getByRole("button", { name: "New wallet" }).click();
  const dialog = page.getByRole("dialog", { name: "New wallet" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("radio", { name: /^BTC/ }).check();
  await dialog.getByRole("button", { name: "Create wallet" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const url = page.url();
  await newInvoice(page, url, amount, { description: "funding" });
  await page.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Settle now" }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Paid");
  return url;
}

test("pay one wallet's invoice from another in the dashboard; both turn paid, and the preimage verifies", async ({ page }) => {
  const { environmentId, walletUrl } = await sandboxWithWallet(page);
  const payerUrl = await fundedWallet(page, environmentId, "Payer", "0.001");

  await page.goto(payerUrl);
  await page.getByRole("link", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Send" })).toBeVisible();
  await expectAccessible(page);
  // A refusal is shown in the form, naming what is wrong.
  await page.getByLabel("Invoice or Lightning Address").fill("lnbc1notaninvoice");
  await page.getByRole("button", { name: "Review payment" }).click();
  await expect(page.locator("#send-target-error")).toContainText("cannot appear in one");

  // The payee's invoice, made in a second tab only now: a sandbox invoice settles by itself after
  // SANDBOX_SETTLE_DELAY_MS (10 s here), so it is paid soon after it is made, even on a slow machine.
  const payeeTab = await page.context().newPage();
  const receiveId = await newInvoice(payeeTab, walletUrl, "0.0002", { description: "Order #7" });
  const bolt11 = await payeeTab.getByLabel("BOLT11 invoice").inputValue();
  await payeeTab.close();

  await page.getByLabel("Invoice or Lightning Address").fill(`lightning:${bolt11}`);
  await page.getByRole("button", { name: "Review payment" }).click();
  await expect(page.getByRole("heading", { name: "Review the payment" })).toBeVisible();
  await expect(page.getByText("0.0002 BTC", { exact: false }).first()).toBeVisible();
  await expect(page.getByText("20,000 sats", { exact: false })).toBeVisible();
  await expect(page.getByText("Order #7")).toBeVisible();
  await expect(page.getByText(/None: the payee is a wallet of this Boltrail/)).toBeVisible();
  await expect(page.getByText(/Expires in/)).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: /Confirm and pay/ }).click();

  await expect(page).toHaveURL(/\/transactions\/tx_[0-9A-Z]{26}$/);
  await expect(page.getByTestId("payment-status")).toHaveText("Paid");
  await expect(page.getByTestId("payment-preimage")).toHaveText(/[0-9a-f]{64}/);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("✓ SHA-256 of the preimage equals the payment hash")).toBeVisible();
  await expectAccessible(page);

  // The receiving side is paid too, and the wallet pages show the movement.
  await page.goto(`/pay/${environmentId}/invoices/${receiveId}`);
  await expect(page.getByTestId("payment-status")).toHaveText("Paid");
  await page.goto(payerUrl);
  await expect(page.getByText("↑ Send")).toBeVisible();
  await expect(page.getByText("0.0008 BTC").first()).toBeVisible(); // available: 0.001 − 0.0002
  await expectAccessible(page);
});

test("give a wallet a Lightning Address and pay it from another wallet", async ({ page }) => {
  const { environmentId, walletUrl } = await sandboxWithWallet(page);
  const payerUrl = await fundedWallet(page, environmentId, "Payer", "0.001");
  const name = `shop-${Date.now().toString(36)}`;

  await page.goto(walletUrl);
  await page.getByLabel("Address name").fill("Not Valid!");
  await page.getByRole("button", { name: "Set address" }).click();
  await expect(page.locator("#lightning-address-error")).toContainText("May contain only");
  await page.getByLabel("Address name").fill(name);
  await page.getByRole("button", { name: "Set address" }).click();
  const address = page.getByTestId("lightning-address");
  await expect(address).toContainText(`${name}@`);
  await expect(page.getByRole("img", { name: /QR code of the Lightning Address/ })).toBeVisible();
  await expectAccessible(page);
  const full = (await address.textContent())!.trim();

  // The address answers LUD-16 over HTTP.
  const payRequest = await (await page.request.get(`/.well-known/lnurlp/${name}`)).json();
  expect(payRequest).toMatchObject({ tag: "payRequest", minSendable: 1000, commentAllowed: 255 });

  await page.goto(payerUrl);
  await page.getByRole("link", { name: "Send" }).click();
  await page.getByLabel("Invoice or Lightning Address").fill(full);
  await page.getByRole("button", { name: "Review payment" }).click();
  await expect(page.getByText(`Payment to ${full}`)).toBeVisible();
  await expect(page.getByText("1 to 100,000,000 sats")).toBeVisible();
  await inBtc(page);
  await page.getByLabel(/^Amount/).fill("0.00005");
  await expect(page.getByText("= 5,000 sats")).toBeVisible();
  await page.getByLabel(/^Comment/).fill("for the coffee");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Confirm and pay" }).click();

  await expect(page).toHaveURL(/\/transactions\/tx_[0-9A-Z]{26}$/);
  await expect(page.getByTestId("payment-status")).toHaveText("Paid");
  await expect(page.getByText(`Paid to ${full}`, { exact: true })).toBeVisible();

  await page.goto(walletUrl);
  await expect(page.getByText(`Payment to ${full}: for the coffee`)).toBeVisible();
});
