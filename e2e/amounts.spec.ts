// Issue 15 §4: amounts in units people think in. The invoice form's amount says its unit (sats by
// default, as the API), converts live while typing at the rate the invoice will use (sandbox:
// USD 100 000 per BTC), can price the invoice in USD; the invoice shows the USD price and the sats;
// after settlement the transactions list and the detail page carry the USD value.
import { expect, expectAccessible, sandboxWithWallet, test } from "./fixtures";

test("a USD-priced invoice: live conversion while typing, USD price and sats on the invoice, USD in the list after settlement", async ({ page }) => {
  const { environmentId } = await sandboxWithWallet(page);
  await page.getByRole("link", { name: "New invoice" }).click();

  const amount = page.getByLabel(/^Amount/);
  const conversion = page.locator("output#field-amount-conversion");
  // Sats by default, the unit the API's amount takes.
  await expect(page.getByText("Amount (in sats)")).toBeVisible();
  await expect(page.getByRole("radio", { name: "sats", exact: true })).toBeChecked();
  await expect(conversion).toHaveText("Rate: USD 100,000.00 per BTC.");
  await amount.fill("150000");
  await expect(conversion).toHaveText("= 0.0015 BTC · ≈ USD 150.00, at USD 100,000.00 per BTC.");
  // A decimal in sats is refused with a way out, not read as BTC.
  await amount.fill("1.5");
  await expect(page.getByText("Sats are whole numbers; choose BTC to type a fraction of a bitcoin such as 0.0015")).toBeVisible();
  await expect(amount).toHaveAttribute("aria-invalid", "true");

  // BTC: 1.5 means 1.5 BTC, and says so in sats.
  await amount.fill("150000");
  await page.getByRole("radio", { name: "BTC", exact: true }).check();
  await expect(amount).toHaveValue("0.0015"); // converted, not reinterpreted
  await amount.fill("1.5");
  await expect(conversion).toHaveText("= 150,000,000 sats · ≈ USD 150,000.00, at USD 100,000.00 per BTC.");

  // USD: the price, converted (rounded up) at the same rate.
  await page.getByRole("radio", { name: "USD", exact: true }).check();
  await expect(page.getByText("Amount (in USD)")).toBeVisible();
  await amount.fill("25");
  await expect(conversion).toHaveText("= 25,000 sats · 0.00025 BTC · priced at USD 25.00 (rounded up to the next sat), at USD 100,000.00 per BTC.");
  await amount.fill("12.345");
  await expect(page.getByText("At most 2 decimal places")).toBeVisible();
  await amount.fill("19.99");
  await expect(conversion).toContainText("= 19,990 sats · 0.0001999 BTC · priced at USD 19.99");
  await page.getByLabel(/^Description/).fill("USD-priced order");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create invoice" }).click();

  // The invoice: its USD price, the BTC amount and the sats.
  await expect(page).toHaveURL(/\/invoices\/tx_[0-9A-Z]{26}$/);
  const txId = page.url().split("/invoices/")[1];
  await expect(page.getByTestId("usd-price")).toHaveText("Priced at USD 19.99 (at USD 100000 per BTC, rounded up)");
  await expect(page.getByText("0.0001999 BTC").first()).toBeVisible();
  await expect(page.getByText("19,990 sats")).toBeVisible();
  await expectAccessible(page);

  // The payer sees the price itself, not an estimate.
  const checkout = await page.context().newPage();
  await checkout.goto(`/checkout/${txId}`);
  await expect(checkout.getByText("$19.99 USD · 19,990 sats", { exact: true })).toBeVisible();
  await checkout.close();

  await page.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Settle now" }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Paid");

  // The list: the USD value recorded at settlement.
  await page.goto(`/pay/${environmentId}/transactions`);
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: new RegExp(txId) }) });
  await expect(row.getByRole("cell").nth(1)).toHaveText("$19.99");
  await expect(page.getByRole("columnheader", { name: "USD" })).toBeVisible();
  await expectAccessible(page);

  // The detail page: the price and the value at settlement, each with its rate.
  await page.goto(`/pay/${environmentId}/transactions/${txId}`);
  await expect(page.getByText("USD 19.99 at USD 100000 per BTC (rounded up)")).toBeVisible();
  await expect(page.getByText("USD 19.99 at USD 100000 per BTC", { exact: true })).toBeVisible();
  await expectAccessible(page);

  // The CSV export carries both.
  const csv = await (await page.request.get(`/pay/${environmentId}/transactions/export`)).text();
  const [header, line] = csv.trim().split("\r\n");
  expect(header.endsWith(",metadata,amount_usd,usd_rate,settled_usd,settled_usd_rate")).toBe(true);
  expect(line.startsWith(`${txId},`)).toBe(true);
  expect(line.endsWith(",19.99,100000,19.99,100000")).toBe(true);
});

test("a stablecoin wallet converts its amount to the sats the payer pays", async ({ page }) => {
  await sandboxWithWallet(page, "USDT");
  await page.getByRole("link", { name: "New invoice" }).click();
  const amount = page.getByLabel(/^Amount/);
  const conversion = page.locator("output#field-amount-conversion");
  await expect(page.getByText("Amount (in USDT)")).toBeVisible();
  await amount.fill("12.50");
  await expect(conversion).toHaveText("= 12,500,000 minor units · paid as 12,500 sats · ≈ USD 12.50, at USD 1.00 per USDT, 1000 sats per USDT.");
  await page.getByRole("radio", { name: "USD", exact: true }).check();
  await expect(amount).toHaveValue("12.50");
  await expect(conversion).toContainText("= 12.5 USDT · 12,500,000 minor units · paid as 12,500 sats · priced at USD 12.50");
  await expectAccessible(page);
});
