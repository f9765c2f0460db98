import type { Browser, Page } from "@playwright/test";
import { expect, expectAccessible, newInvoice, sandboxWithWallet, signUp, test } from "./fixtures";

// Issue 15 §2: every page usable on a 360 px phone — no sideways scrolling, a navigation drawer,
// tables as stacked rows, a phone-first hosted checkout.
const PHONE = { width: 360, height: 740 };

/** The page is no wider than the viewport; on failure, names the elements that stick out. */
async function expectFits(page: Page, what: string) {
  const { scrollWidth, innerWidth, sticking } = await page.evaluate(() => {
    const vw = window.innerWidth;
    const sticking = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > vw + 0.5)
      .slice(0, 6)
      .map((el) => `<${el.tagName.toLowerCase()} class="${String(el.getAttribute("class") ?? "").slice(0, 80)}"> right=${Math.round(el.getBoundingClientRect().right)}`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, sticking };
  });
  expect(scrollWidth, `${what}: ${scrollWidth} px wide in a ${innerWidth} px viewport; sticking out: ${sticking.join(" · ")}`).toBeLessThanOrEqual(innerWidth);
}

/** Opens a page at phone size, waits for its heading, checks its width and axe. */
async function visit(page: Page, url: string, what: string) {
  await page.goto(url);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await expectFits(page, what);
  await expectAccessible(page);
}

async function phoneContext(browser: Browser) {
  const context = await browser.newContext({ viewport: PHONE });
  return { context, page: await context.newPage() };
}

test("every sandbox page fits a 360 px phone, tables stack, and the hosted checkout is phone-first", async ({ page, browser }) => {
  test.setTimeout(240_000);
  // Set up at desktop size: a sandbox environment, a wallet, an invoice, an API key, a webhook endpoint with its test inbox.
  const { environmentId, walletUrl } = await sandboxWithWallet(page);
  const env = `/pay/${environmentId}`;
  const invoiceId = await newInvoice(page, walletUrl, "0.0001", { description: "Order #42 for a customer with a rather long description that must wrap" });
  const invoiceUrl = page.url();

  await page.goto(`${env}/api-keys`);
  await page.getByRole("button", { name: "Create API key" }).click();
  const keyDialog = page.getByRole("dialog", { name: "Create API key" });
  await keyDialog.getByLabel("Name").fill("backend-prod");
  await keyDialog.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("dialog", { name: "Your new API key" }).getByRole("button", { name: "Done" }).click();

  await page.goto(`${env}/webhooks`);
  await page.getByRole("button", { name: "Generate test URL" }).click();
  await page.getByRole("dialog", { name: "Test URL ready" }).getByRole("link", { name: "Open the inbox" }).click();
  await expect(page.getByRole("heading", { name: "Test inbox" })).toBeVisible();
  const inboxUrl = page.url();
  await page.goto(`${env}/webhooks`);
  const endpointUrl = await page.getByRole("link", { name: /\/hooks\/inbox\// }).getAttribute("href");

  await page.setViewportSize(PHONE);
  await visit(page, env, "overview");
  // The content starts at the top, under a one-line header (it started 434 px down).
  expect((await page.getByRole("heading", { level: 1 }).first().boundingBox())!.y).toBeLessThan(120);
  await visit(page, `${env}/wallets`, "wallets");
  await visit(page, walletUrl, "wallet");
  await visit(page, `${walletUrl}/invoices/new`, "new invoice");
  await visit(page, `${walletUrl}/send`, "send");
  await visit(page, invoiceUrl, "invoice");
  await visit(page, `${env}/transactions`, "transactions");

  // The transactions table is a stack of cards of label/value pairs, still a table for screen readers.
  const table = page.getByRole("table", { name: "Transactions" });
  await expect(table.getByRole("columnheader", { name: "Amount" })).toHaveCount(1);
  const row = table.getByRole("row").filter({ hasText: "Order #42" });
  await expect(row.getByRole("cell")).toHaveCount(7);
  const cells = await row.getByRole("cell").evaluateAll((tds) =>
    tds.map((td) => ({ label: getComputedStyle(td, "::before").content, display: getComputedStyle(td).display, width: td.getBoundingClientRect().width })),
  );
  expect(cells.map((c) => /^"([^"]*)"/.exec(c.label)?.[1])).toEqual(["Amount", "USD", "Status", "Direction", "Description", "Wallet", "Created (UTC)"]);
  const rowWidth = (await row.boundingBox())!.width;
  for (const c of cells) expect(c.width).toBeGreaterThan(rowWidth * 0.8); // one pair per line, not a column
  await expect(row.getByRole("cell").nth(4)).toHaveAttribute("title", /rather long description/);

  await visit(page, `${env}/transactions/${invoiceId}`, "transaction");
  await visit(page, `${env}/reports`, "reports");
  await visit(page, `${env}/api-keys`, "API keys");
  await expect(page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: "backend-prod" })).toBeVisible();
  await visit(page, `${env}/webhooks`, "webhooks");
  await visit(page, endpointUrl!, "webhook endpoint");
  await visit(page, inboxUrl, "test inbox");

  // The hosted checkout, on the payer's phone: merchant, big amount, QR, open in wallet, copy, countdown.
  const successUrl = new URL("/login?paid=1", page.url()).toString();
  await page.setViewportSize({ width: 1280, height: 800 });
  const payId = await newInvoice(page, walletUrl, "0.0005", { metadata: JSON.stringify({ success_url: successUrl }) });
  const bolt11 = await page.getByLabel("BOLT11 invoice").inputValue();
  const payer = await phoneContext(browser);
  await payer.page.goto(`/checkout/${payId}`);
  await expect(payer.page.getByText(/^Team master \d+$/)).toBeVisible();
  await expect(payer.page.getByRole("heading", { name: "0.0005 BTC" })).toBeVisible();
  expect(await payer.page.getByRole("heading", { name: "0.0005 BTC" }).evaluate((h) => parseFloat(getComputedStyle(h).fontSize))).toBeGreaterThanOrEqual(32);
  await expect(payer.page.getByRole("img", { name: "QR code of the Lightning invoice" })).toBeVisible();
  await expect(payer.page.getByRole("link", { name: "Open in wallet" })).toHaveAttribute("href", `lightning:${bolt11}`);
  await expect(payer.page.getByRole("button", { name: "Copy invoice" })).toBeVisible();
  await expect(payer.page.getByText(/Expires in \d\d:\d\d/)).toBeVisible();
  await payer.page.getByText("Show the invoice text").click();
  await expect(payer.page.getByText(bolt11)).toBeVisible();
  await expectFits(payer.page, "checkout");
  await expectAccessible(payer.page);

  // Paid (the sandbox settles it by itself): the payer sees it before being sent back to the merchant.
  await expect(payer.page.getByText("Payment received. Thank you!")).toBeVisible({ timeout: 20_000 });
  expect(payer.page.url()).toContain(`/checkout/${payId}`);
  await expect(payer.page.getByText(/Taking you back to/)).toBeVisible();
  await expectFits(payer.page, "paid checkout");
  await expect(payer.page).toHaveURL(successUrl, { timeout: 10_000 });

  // A link that leads nowhere: words for a payer, nothing of the dashboard.
  const missing = await payer.page.goto("/checkout/tx_00000000000000000000000000");
  expect(missing!.status()).toBe(404);
  await expect(payer.page.getByRole("heading", { name: "This payment link does not work" })).toBeVisible();
  await expect(payer.page.getByRole("link")).toHaveCount(0);
  await expect(payer.page.getByText(/dashboard/i)).toHaveCount(0);
  await expectFits(payer.page, "checkout 404");
  await expectAccessible(payer.page);
  await payer.context.close();
});

test("the navigation drawer opens, navigates and closes with the keyboard; team, settings and a live environment fit a phone", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize(PHONE);
  await signUp(page);
  await page.getByRole("button", { name: "Create your first environment" }).click();
  await page.getByRole("dialog", { name: "New environment" }).getByLabel("Name").fill("Phone sandbox");
  await page.getByRole("dialog", { name: "New environment" }).getByRole("button", { name: "Create environment" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9a-f-]{36}$/);
  const environmentId = page.url().split("/pay/")[1];

  const menu = page.getByRole("button", { name: "Menu", exact: true });
  const drawer = page.getByRole("dialog", { name: "Menu", exact: true });
  // No sidebar on a phone until the menu is opened.
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  expect(await page.locator(`[id="${await menu.getAttribute("aria-controls")}"]`).count()).toBe(1);

  // Open with the keyboard: focus moves into the drawer, the page behind is inert.
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(drawer).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(drawer.getByRole("button", { name: "Close menu" })).toBeFocused();
  await expect(drawer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Environments" })).toHaveAttribute("aria-current", "page");
  await expectFits(page, "open drawer");
  await expectAccessible(page);

  // Tab to "Wallets" and follow it: the drawer closes on navigation.
  for (let i = 0; i < 10 && !(await drawer.getByRole("link", { name: "Wallets" }).evaluate((a) => a === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(drawer.getByRole("link", { name: "Wallets" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/pay/${environmentId}/wallets$`));
  await expect(page.getByRole("heading", { name: "No wallets yet" })).toBeVisible();
  await expect(drawer).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  // Escape closes it and gives focus back to the menu button.
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(drawer.getByRole("link", { name: "Wallets" })).toHaveAttribute("aria-current", "page");
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
  await expect(menu).toBeFocused();
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  // A tap on the backdrop beside the drawer closes it too.
  await menu.click();
  await expect(drawer).toBeVisible();
  await page.mouse.click(PHONE.width - 10, PHONE.height / 2);
  await expect(drawer).toBeHidden();
  await expect(menu).toBeFocused();

  // Team pages, with an invitation in the table.
  await visit(page, "/settings/invitations", "invitations");
  await page.getByRole("button", { name: "Create invite link" }).click();
  await expect(page.getByLabel("New invite link")).toHaveValue(/\/invite\//);
  await page.reload();
  await expect(page.getByRole("table", { name: "Pending invitations" }).getByRole("button", { name: "Revoke invitation" })).toBeVisible();
  await expectFits(page, "invitations with one");
  await visit(page, "/settings/team", "team");
  await visit(page, "/settings", "settings");
  await visit(page, "/settings/security", "security");
  await visit(page, "/pay", "environments");

  // A live environment without a node: its overview and node page.
  await page.getByRole("button", { name: "New environment" }).click();
  const dialog = page.getByRole("dialog", { name: "New environment" });
  await dialog.getByLabel("Name").fill("Phone live");
  await dialog.getByRole("radio", { name: /^Live/ }).check();
  await dialog.getByRole("button", { name: "Create environment" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9a-f-]{36}$/);
  await expect(page.getByText("No Lightning node attached")).toBeVisible();
  const liveId = page.url().split("/pay/")[1];
  await visit(page, `/pay/${liveId}`, "live overview");
  await visit(page, `/pay/${liveId}/node`, "node");

  // The environment switcher in the drawer navigates too, and closes it.
  await menu.click();
  await drawer.getByLabel("Environment").selectOption({ label: "Phone sandbox (Sandbox)" });
  await expect(page).toHaveURL(new RegExp(`/pay/${environmentId}$`));
  await expect(drawer).toBeHidden();
});
