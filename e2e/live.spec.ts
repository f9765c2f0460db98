// A LIVE environment on the LND REST simulator, through the dashboard: attach the node (a wrong
// macaroon is refused beside its field), see it connected, issue an invoice on it, settle it from
// the "node" and watch the invoice page turn paid.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import bolt11 from "bolt11";
import { createInterface } from "node:readline";
import type { Page } from "@playwright/test";
import { expect, expectAccessible, newInvoice, signUp, test } from "./fixtures";

type Simulator = { url: string; controlUrl: string; certPem: string; macaroons: Record<"admin" | "invoice" | "readonly" | "send", string>; identityPubkey: string; pid: number };

let child: ChildProcess | null = null;
let sim: Simulator;

/** The simulator in its own process; resolves with the JSON line it prints once it listens. */
function startSimulator(): Promise<Simulator> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "test/lnd-sim/cli.ts", "--network", "regtest", "--port", "0", "--alias", "e2e-node", "--restcors", `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`], { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    proc.once("exit", (code) => reject(new Error(`lnd simulator exited (${code}): ${stderr}`)));
    const timer = setTimeout(() => reject(new Error(`lnd simulator did not start in time: ${stderr}`)), 30_000);
    createInterface({ input: proc.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as Simulator);
    });
  });
}

test.beforeAll(async () => {
  sim = await startSimulator();
});
test.afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
});

/** Signs up and creates the team's LIVE environment; on its overview at the end. */
async function liveEnvironment(page: Page) {
  await signUp(page, "live");
  await page.getByRole("button", { name: "Create your first environment" }).click();
  const dialog = page.getByRole("dialog", { name: "New environment" });
  await dialog.getByLabel("Name").fill("Shop live");
  await dialog.getByRole("radio", { name: /^Live/ }).check();
  await dialog.getByRole("button", { name: "Create environment" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9a-f-]{36}$/);
  return page.url().split("/pay/")[1];
}

/** A regtest invoice of another node (the simulated network pays it, routing fee included). */
function foreignInvoice(amountSats: number): string {
  const key = randomBytes(32).toString("hex");
  const paymentHash = createHash("sha256").update(randomBytes(32)).digest("hex");
  const encoded = bolt11.encode({
    network: { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
    millisatoshis: String(amountSats * 1000),
    timestamp: Math.floor(Date.now() / 1000),
    tags: [
      { tagName: "payment_hash", data: paymentHash },
      { tagName: "payment_secret", data: randomBytes(32).toString("hex") },
      { tagName: "description", data: "Supplier invoice" },
      { tagName: "expire_time", data: 3600 },
      { tagName: "min_final_cltv_expiry", data: 80 },
    ],
  } as Parameters<typeof bolt11.encode>[0]);
  return bolt11.sign(encoded, key).paymentRequest!;
}

/** From the environment's pages: a new BTC wallet "Live BTC", on its page at the end. */
async function createLiveWallet(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Wallets" }).click();
  await page.getByRole("button", { name: "Create your first wallet" }).click();
  const dialog = page.getByRole("dialog", { name: "New wallet" });
  await dialog.getByLabel("Name").fill("Live BTC");
  await dialog.getByRole("radio", { name: /^BTC/ }).check();
  await dialog.getByRole("button", { name: "Create wallet" }).click();
  await expect(page.getByRole("heading", { name: "Live BTC" })).toBeVisible();
}

/** The payment hash (hex) of an invoice minted on the simulator, which must know it. */
async function hashOnNode(bolt11: string): Promise<string> {
  const invoices = (await (await fetch(`${sim.controlUrl}/control/invoices`)).json()) as { payment_request: string; r_hash: string }[];
  const onNode = invoices.find((i) => i.payment_request === bolt11);
  expect(onNode, "the invoice was minted on the node").toBeTruthy();
  return Buffer.from(onNode!.r_hash, "base64").toString("hex");
}

async function fillAttachForm(page: Page, macaroon: string) {
  await page.getByLabel("REST URL").fill(sim.url);
  await page.getByLabel("TLS certificate (PEM)").fill(sim.certPem);
  await page.getByLabel("Management macaroon (hex or base64)").fill(macaroon);
  await page.getByLabel("gRPC host (optional)").fill("127.0.0.1:10009");
  await page.getByRole("button", { name: "Attach node" }).click();
}

test("attach the simulator to a LIVE environment, issue an invoice on it, settle it on the node → paid", async ({ page }) => {
  test.setTimeout(120_000);
  const environmentId = await liveEnvironment(page);

  // The overview asks for a node first; the navigation has a Node entry for LIVE environments.
  await expect(page.getByText("No Lightning node attached")).toBeVisible();
  await expect(page.getByRole("link", { name: "Attach a node" })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Node" }).click();
  await expect(page).toHaveURL(`/pay/${environmentId}/node`);
  await expect(page.getByRole("heading", { name: "Attach your LND node" })).toBeVisible();
  await expectAccessible(page);

  // A macaroon the node never baked: refused, the message beside the macaroon field.
  await fillAttachForm(page, `0201036c6e64${randomBytes(60).toString("hex")}`);
  const macaroonField = page.getByLabel("Management macaroon (hex or base64)");
  await expect(macaroonField).toHaveAttribute("aria-invalid", "true");
  await expect(macaroonField).toHaveAccessibleDescription(/was refused by the node/i);
  await expect(page.getByLabel("REST URL")).not.toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  // The invoice macaroon: attached and connected.
  await fillAttachForm(page, sim.macaroons.invoice);
  await expect(page.getByTestId("node-state")).toContainText("Connected");
  await expect(page.getByRole("heading", { name: "e2e-node" })).toBeVisible();
  await expect(page.getByText(sim.identityPubkey)).toBeVisible();
  await expect(page.getByText("regtest", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("connection-test")).toContainText("Connection OK");
  // invoice.macaroon may not read channel balances (offchain:read): said so, not an error.
  await expect(page.getByTestId("connection-test")).toContainText("Liquidity unknown");
  await expectAccessible(page);

  // The optional send macaroon: a receive-only one is refused beside the field, the send one is stored.
  const sendField = page.getByLabel("Send macaroon (hex or base64)");
  await sendField.fill(sim.macaroons.invoice);
  await page.getByRole("button", { name: "Store send macaroon" }).click();
  await expect(page.locator("#field-send-macaroon-error")).toBeVisible();
  await sendField.fill(sim.macaroons.send);
  await page.getByRole("button", { name: "Store send macaroon" }).click();
  await expect(page.getByText("A send macaroon is stored: create_send")).toBeVisible();
  await expect(page.getByTestId("send-mode")).toContainText("Boltrail pays");

  // At 390 px wide nothing overflows sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 720 });

  // The overview's step is done.
  await page.goto(`/pay/${environmentId}`);
  await expect(page.getByText("No Lightning node attached")).toHaveCount(0);

  // A BTC wallet and an invoice minted on the node.
  await createLiveWallet(page);
  await newInvoice(page, page.url(), "0.00002", { description: "Live order" });
  await expect(page.getByTestId("payment-status")).toHaveText("Pending");
  const bolt11 = await page.getByLabel("BOLT11 invoice").inputValue();
  expect(bolt11).toMatch(/^lnbcrt/);

  const paymentHash = await hashOnNode(bolt11);

  // The payer pays it: the node settles, Boltrail's stream completes it, the page follows.
  const settled = await fetch(`${sim.controlUrl}/control/settle`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ payment_hash: paymentHash }) });
  expect(settled.status).toBe(200);
  await expect(page.getByTestId("payment-status")).toHaveText("Paid", { timeout: 30_000 });
  await expect(page.getByText("Paid — this invoice has been settled.")).toBeVisible();
});

test.describe("Rails' custody: the browser pays on the node", () => {
  // The simulator's certificate is self-signed: this browser is told to trust it, as a merchant's would be.
  test.use({ ignoreHTTPSErrors: true });

  test("set a team password, store the admin macaroon encrypted, send from a live wallet: the browser pays on the node, Boltrail records it", async ({ page }) => {
    test.setTimeout(150_000);
    const environmentId = await liveEnvironment(page);
    // The admin macaroon as management macaroon too: it may follow payments (offchain:read).
    await page.goto(`/pay/${environmentId}/node`);
    await fillAttachForm(page, sim.macaroons.admin);
    await expect(page.getByTestId("node-state")).toContainText("Connected");
    await expect(page.getByTestId("send-mode")).toContainText("Clients pay");
    await expect(page.getByText(/Set a\s+team password\s+first/)).toBeVisible();

    // Settings → Team: the password, derived in the browser.
    await page.goto("/settings/team");
    await page.getByLabel("Team password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Set team password" }).click();
    await expect(page.getByLabel("Team password", { exact: true })).toHaveAccessibleDescription(/at least 12 characters/i);
    await expect(page.getByLabel("Team password", { exact: true })).toBeFocused();
    await page.getByLabel("Team password", { exact: true }).fill("our shop's team password");
    await page.getByLabel("Repeat it").fill("our shop's team password");
    await page.getByRole("button", { name: "Set team password" }).click();
    await expect(page.getByText("A team password is set.")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(/never leaves this browser/).first()).toBeVisible();
    await expectAccessible(page);

    // The node page: a wrong password is caught in the browser; the right one stores the envelope.
    await page.goto(`/pay/${environmentId}/node`);
    await page.getByLabel("Team password").fill("not the team password");
    await page.getByLabel("Admin macaroon (hex or base64)").fill(sim.macaroons.admin);
    await page.getByRole("button", { name: "Store admin macaroon" }).click();
    await expect(page.getByLabel("Team password")).toHaveAccessibleDescription(/Wrong team password/, { timeout: 30_000 });
    await expect(page.getByLabel("Admin macaroon (hex or base64)")).toHaveValue(sim.macaroons.admin);
    await page.getByLabel("Team password").fill("our shop's team password");
    await page.getByRole("button", { name: "Store admin macaroon" }).click();
    await expect(page.getByText("An admin macaroon is stored, encrypted under the team password.")).toBeVisible({ timeout: 30_000 });
    await expectAccessible(page);

    // A funded live wallet: an invoice minted on the node, settled there.
    await createLiveWallet(page);
    const walletUrl = page.url();
    await newInvoice(page, walletUrl, "0.0005", { description: "Funding" });
    const funding = await page.getByLabel("BOLT11 invoice").inputValue();
    const hash = await hashOnNode(funding);
    await fetch(`${sim.controlUrl}/control/settle`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ payment_hash: hash }) });
    await expect(page.getByTestId("payment-status")).toHaveText("Paid", { timeout: 30_000 });

    // Send: the browser decrypts the macaroon with the team password and pays on the node.
    await page.goto(walletUrl);
    await page.getByRole("link", { name: "Send" }).click();
    await page.getByLabel("Invoice or Lightning Address").fill(foreignInvoice(12_000));
    await page.getByRole("button", { name: "Review payment" }).click();
    await expect(page.getByRole("heading", { name: "Review the payment" })).toBeVisible();
    await expect(page.getByText(/restcors=http:\/\/127\.0\.0\.1/)).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: /Confirm and pay/ }).click();
    await expect(page.getByLabel("Team password")).toHaveAccessibleDescription(/Enter the team password/);
    await page.getByLabel("Team password").fill("our shop's team password");
    await page.getByRole("button", { name: /Confirm and pay/ }).click();
    await expect(page).toHaveURL(/\/transactions\/tx_[0-9A-Z]{26}$/, { timeout: 60_000 });
    await expect(page.getByTestId("payment-status")).toHaveText("Paid", { timeout: 30_000 });
  });
});
