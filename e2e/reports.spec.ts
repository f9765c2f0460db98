import type { Page } from "@playwright/test";
import { expect, expectAccessible, newInvoice, sandboxWithWallet, test } from "./fixtures";

/** The transaction ids the transactions table lists (each amount links to its transaction). */
async function listedIds(page: Page): Promise<string[]> {
  const hrefs = await page.getByRole("table", { name: "Transactions" }).getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
  return hrefs.map((href) => href.split("/").pop()!);
}

async function noHorizontalScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

test("search the transactions by payment hash and by metadata text, with the filters; a reversed date range is refused and every value kept", async ({ page }) => {
  const { environmentId, walletUrl } = await sandboxWithWallet(page);
  const wanted = await newInvoice(page, walletUrl, "0.0005", { description: "Order #77", metadata: '{"order_id":"shop-4711","customer":"dana"}' });
  const paymentHash = (await page.locator("p", { hasText: "Payment hash" }).locator("span.font-mono").textContent())!.trim();
  expect(paymentHash).toMatch(/^[0-9a-f]{64}$/);
  const other = await newInvoice(page, walletUrl, "0.0002", { description: "Order #78", metadata: '{"order_id":"shop-4712"}' });

  await page.goto(`/pay/${environmentId}/transactions`);
  expect((await listedIds(page)).sort()).toEqual([wanted, other].sort());
  const searchBox = page.getByRole("searchbox", { name: "Search" });

  // Metadata text.
  await searchBox.fill("shop-4711");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/q=shop-4711/);
  await expect.poll(() => listedIds(page)).toEqual([wanted]);
  await expect(searchBox).toHaveValue("shop-4711");
  await expectAccessible(page);

  // Payment hash (pasted in capitals), combined with a filter.
  await searchBox.fill(paymentHash.toUpperCase());
  await page.getByLabel("Direction").selectOption("RECEIVE");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/direction=RECEIVE/);
  await expect.poll(() => listedIds(page)).toEqual([wanted]);
  await page.getByLabel("Direction").selectOption("SEND");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("heading", { name: /^No transactions match/ })).toBeVisible();

  // An exact amount in BTC.
  await page.getByLabel("Direction").selectOption("");
  await searchBox.fill("0.0002");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect.poll(() => listedIds(page)).toEqual([other]);

  // "From" after "To": refused with a message naming the field; the form keeps what was typed.
  await searchBox.fill("shop");
  await page.getByLabel("From (UTC)").fill("2026-03-05");
  await page.getByLabel("To (UTC, inclusive)").fill("2026-03-04");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "From:" })).toHaveText("From: must be earlier than the end of the date range");
  await expect(page.getByLabel("From (UTC)")).toHaveAttribute("aria-invalid", "true");
  await expect(searchBox).toHaveValue("shop");
  await expect(page.getByLabel("From (UTC)")).toHaveValue("2026-03-05");
  await expect(page.getByLabel("To (UTC, inclusive)")).toHaveValue("2026-03-04");
  await expectAccessible(page);
});

test("reports: volume, balance and status counts with charts and tables, the period selector, axe, and a phone's width", async ({ page }) => {
  const { environmentId, walletUrl } = await sandboxWithWallet(page);

  // A wallet without payments yet: empty states, no chart.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  await expect(page).toHaveURL(new RegExp(`/pay/${environmentId}/reports$`));
  await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
  await expect(page.getByText("No completed BTC payments in the last 30 days.")).toBeVisible();
  await expect(page.getByText("Main BTC has held nothing in the last 30 days.")).toBeVisible();
  await expectAccessible(page);

  for (const amount of ["0.0001", "0.0002"]) {
    await newInvoice(page, walletUrl, amount);
    await page.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Settle now" }).click();
    await expect(page.getByTestId("payment-status")).toHaveText("Paid");
  }
  await newInvoice(page, walletUrl, "0.0004", { metadata: '{"amb_sandbox_behavior":"fail"}' });
  await page.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Fail" }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Failed");

  await page.goto(`/pay/${environmentId}/reports`);
  const volume = page.locator("section", { has: page.getByRole("heading", { name: "BTC received and sent" }) });
  await expect(volume.getByText("0.0003 BTC").first()).toBeVisible();
  await expect(volume.getByText("2 payments")).toBeVisible();
  // The chart arrives after the page (its own chunk) and draws the axes.
  await expect(volume.locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  await expect(volume.locator(".recharts-wrapper > svg.recharts-surface")).toContainText(/[A-Z][a-z]{2} \d{1,2}/); // dates on the x axis, "Dec 3"
  // Hovering today (the right end of the chart) shows the day's exact amounts.
  const box = (await volume.locator(".recharts-wrapper > svg.recharts-surface").boundingBox())!;
  await page.mouse.move(box.x + box.width - 14, box.y + box.height / 2);
  await expect(volume.getByText("Received: 0.0003 BTC")).toBeVisible();

  // The numbers as a table (read by screen readers all along): today's row.
  const today = new Intl.DateTimeFormat("en", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(new Date());
  const table = page.getByRole("table", { name: /BTC received and sent per day/ });
  await expect(table.getByRole("row", { name: new RegExp(`^${today} 0\\.0003 0$`) })).toHaveCount(1);
  await volume.getByRole("button", { name: "Show as a table" }).click();
  await expect(page.getByRole("region", { name: "BTC per day" })).toBeVisible();
  await expect(page.getByRole("table", { name: /BTC wallet balances/ }).getByRole("row", { name: new RegExp(`^${today} 0\\.0003$`) })).toHaveCount(1);
  const counts = page.getByRole("table", { name: /by status/ });
  await expect(counts.getByRole("row", { name: "Paid 2 0 2" })).toHaveCount(1);
  await expect(counts.getByRole("row", { name: "Failed 1 0 1" })).toHaveCount(1);
  await expectAccessible(page);

  // The period selector.
  await page.getByRole("navigation", { name: "Period" }).getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/days=7/);
  await expect(page.getByRole("navigation", { name: "Period" }).getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("table", { name: /BTC received and sent per day/ }).getByRole("row")).toHaveCount(8); // header + 7 days
  await expect(page.locator(".recharts-wrapper > svg.recharts-surface").first()).toBeVisible();

  // A phone: nothing overflows sideways, with the table shown too.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/pay/${environmentId}/reports?days=90`);
  await expect(page.locator(".recharts-wrapper > svg.recharts-surface").first()).toBeVisible();
  await noHorizontalScroll(page);
  await page.getByRole("button", { name: "Show as a table" }).first().click();
  await noHorizontalScroll(page);
  await expectAccessible(page);
  await page.goto(`/pay/${environmentId}/transactions?q=0.0003`);
  await noHorizontalScroll(page);
});
