import type { Page } from "@playwright/test";
import { expect, expectAccessible, sandboxWithWallet, test } from "./fixtures";

/** Within this long of the change, without a reload (issue 15 §3 asks for 1 s; 2 s leaves room for a loaded CI machine). */
const LIVE = { timeout: 2_000 };

/** The signed-in session's token, as a backend would use it (`Authorization: Bearer`, DESIGN.md §4). */
async function bearer(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name === "authjs.session-token");
  expect(cookie, "the session cookie").toBeTruthy();
  return cookie!.value;
}

async function createReceive(page: Page, walletId: string, amount: string, description: string): Promise<string> {
  const response = await page.request.post("/graphql", {
    headers: { authorization: `Bearer ${await bearer(page)}` },
    data: {
      query: "mutation ($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id status } } } }",
      variables: { input: { wallet_id: walletId, amount, description, idempotency_key: `live-${Date.now()}-${Math.random()}` } },
    },
  });
  const body = (await response.json()) as { data?: { payment: { transaction: { create_receive: { id: string; status: string } } } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  expect(body.data!.payment.transaction.create_receive.status).toBe("PENDING");
  return body.data!.payment.transaction.create_receive.id;
}

/** Waits for the page's live stream to be open (so the test measures delivery, not connection set-up). */
async function streaming(page: Page) {
  await expect(page.getByTestId("live-state")).toHaveText("Live updates on");
}

/** Records, on every change of the invoice page, whether its header badge and its body say the same. */
async function watchAgreement(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __disagreements: string[] };
    w.__disagreements = [];
    const check = () => {
      const header = document.querySelector('[data-testid="payment-status"]')?.textContent?.trim();
      // What is rendered (innerText: not the page's inline scripts, whose data holds every view).
      const paidBody = document.querySelector("main")?.innerText.includes("Paid — this invoice has been settled.") ?? false;
      const qr = document.querySelector('[data-testid="invoice-qr"]') !== null;
      const body = paidBody && !qr ? "Paid" : qr && !paidBody ? "Pending" : `unclear (qr ${qr}, paid text ${paidBody})`;
      if (header !== body) w.__disagreements.push(`header ${header} / body ${body}`);
    };
    check();
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

test("a payment made through the API shows up on open pages within 2 s: list, toast, balance, agreeing badges", async ({ page, context }) => {
  const { environmentId, walletUrl } = await sandboxWithWallet(page);
  const walletId = walletUrl.split("/wallets/")[1];

  // The wallet page (balance) and the transactions list stay open, each with its own stream.
  await streaming(page);
  await expect(page.getByText("Available", { exact: true }).locator("xpath=..")).toContainText("0 BTC");
  const list = await context.newPage();
  await list.goto(`/pay/${environmentId}/transactions`);
  await streaming(list);

  // A backend creates an invoice through the API: the open list shows it, pending, without a reload.
  const txId = await createReceive(page, walletId, "50000", "Order #42");
  const row = list.getByRole("row", { name: new RegExp(txId) });
  await expect(row).toBeVisible(LIVE);
  await expect(row).toContainText("Order #42");
  await expect(row).toContainText("Pending");

  // It is paid (the sandbox's "Settle now"): the other pages update in place and show a toast.
  const invoice = await context.newPage();
  await invoice.goto(`/pay/${environmentId}/invoices/${txId}`);
  await streaming(invoice);
  await expect(invoice.getByTestId("payment-status")).toHaveText("Pending");
  await watchAgreement(invoice);
  await invoice.getByRole("group", { name: "Sandbox controls" }).getByRole("button", { name: "Settle now" }).click();

  await expect(list.getByRole("status").getByText("Received 0.0005 BTC · Order #42")).toBeVisible(LIVE);
  await expect(row).toContainText("Paid", LIVE);
  await expect(page.getByRole("status").getByText("Received 0.0005 BTC · Order #42")).toBeVisible(LIVE);
  await expect(page.getByText("Available", { exact: true }).locator("xpath=..")).toContainText("0.0005 BTC", LIVE);
  await expectAccessible(list);

  // On the invoice page the header badge and the body agreed at every moment.
  await expect(invoice.getByTestId("payment-status")).toHaveText("Paid");
  await expect(invoice.getByText("Paid — this invoice has been settled.")).toBeVisible();
  expect(await invoice.evaluate(() => (window as unknown as { __disagreements: string[] }).__disagreements)).toEqual([]);
  await expectAccessible(invoice);

  // The toast links to the payment; the transaction page's badge says the same.
  await list.getByRole("status").getByRole("link", { name: "View payment" }).first().click();
  await expect(list).toHaveURL(new RegExp(`/transactions/${txId}$`));
  await expect(list.getByRole("term").filter({ hasText: /^Status$/ }).locator("xpath=following-sibling::dd[1]")).toHaveText("Paid");
  await expectAccessible(list);
});

test("the stream: unbuffered text/event-stream for a session, 401 JSON without one; notifications only on request", async ({ page, browser }) => {
  await sandboxWithWallet(page);
  await streaming(page);
  // Read from the production server through the browser (gzip offered, as always): the first bytes
  // arrive at once, so nothing on the way (compression, proxy buffering) holds the stream back.
  const first = await page.evaluate(async () => {
    const started = performance.now();
    const controller = new AbortController();
    const response = await fetch("/api/events", { signal: controller.signal });
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    const result = {
      status: response.status,
      type: response.headers.get("content-type"),
      encoding: response.headers.get("content-encoding"),
      text: new TextDecoder().decode(value),
      ms: performance.now() - started,
    };
    controller.abort();
    return result;
  });
  expect(first).toMatchObject({ status: 200, type: "text/event-stream; charset=utf-8", encoding: null });
  expect(first.text).toMatch(/^retry: \d+\n\n/);
  expect(first.ms).toBeLessThan(1_000);

  const anonymous = await browser.newContext();
  const response = await anonymous.request.get("/api/events");
  expect(response.status()).toBe(401);
  expect(await response.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
  await anonymous.close();

  // Browser notifications are opt-in: nothing is asked until the button is pressed.
  expect(await page.evaluate(() => Notification.permission)).toBe("default");
  await expect(page.getByRole("button", { name: "Turn on browser notifications for payments" })).toBeVisible();
});
