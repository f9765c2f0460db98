import { expect, expectAccessible, inBtc, logOut, PASSWORD, sandboxWithWallet, signUp, test, uniqueEmail } from "./fixtures";

// Issue 15 §1: every form keeps what was typed after any error, shows every field error at once
// beside its field, focuses the first invalid one, and counts the characters of limited inputs.

test("an empty sign-up shows every field's error at once, focuses the first, and counts the team name", async ({ page }) => {
  await page.goto("/signup");
  const teamName = page.getByLabel("Team name");
  await expect(page.getByText("0 / 80")).toBeVisible();
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/Enter your email/);
  await expect(page.getByLabel("Password")).toHaveAccessibleDescription(/Enter a password/);
  await expect(teamName).toHaveAccessibleDescription(/Enter a team name/);
  for (const field of [page.getByLabel("Email"), page.getByLabel("Password"), teamName]) await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email")).toBeFocused();

  await teamName.fill("Acme");
  await expect(page.getByText("4 / 80")).toBeVisible();
  // Fixed fields lose their error as they are corrected; the others keep theirs.
  await expect(teamName).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
});

test("a sign-up the server refuses (email taken) keeps every value", async ({ page }) => {
  const taken = await signUp(page, "taken");
  await logOut(page);
  await page.goto("/signup");
  await page.getByLabel("Email").fill(taken.email);
  await page.getByLabel("Password").fill("long enough password");
  await page.getByLabel("Team name").fill("Second team");
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page.getByText("An account with this email already exists")).toBeVisible();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByLabel("Email")).toHaveValue(taken.email);
  // The password is kept too: it was valid, and the user could not see it to retype it the same.
  await expect(page.getByLabel("Password")).toHaveValue("long enough password");
  await expect(page.getByLabel("Team name")).toHaveValue("Second team");
  await expectAccessible(page);
});

test("a wrong password keeps the email on the login form", async ({ page }) => {
  const account = await signUp(page, "login");
  await logOut(page);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Wrong email or password")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(account.email);
  await expect(page.getByLabel("Password")).toHaveValue("not the password");

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/pay$/);
});

test("an invoice the server refuses keeps its description and metadata", async ({ page }) => {
  const { walletUrl } = await sandboxWithWallet(page);
  await page.goto(walletUrl);
  await page.getByRole("link", { name: "New invoice" }).click();
  await inBtc(page);
  await page.getByLabel(/^Amount/).fill("0.0004");
  await page.getByLabel(/^Description/).fill("Order #42, two coffees");
  await expect(page.getByText("22 / 640")).toBeVisible();
  // A string, so the browser lets it through; not a JSON object, so the service refuses it.
  await page.getByLabel(/^Metadata/).fill("order 42");
  await page.getByRole("button", { name: "Create invoice" }).click();

  const metadata = page.getByLabel(/^Metadata/);
  await expect(metadata).toHaveAttribute("aria-invalid", "true");
  await expect(metadata).toHaveAccessibleDescription(/Must be a JSON object/);
  await expect(metadata).toBeFocused();
  await expect(metadata).toHaveValue("order 42");
  await expect(page.getByLabel(/^Description/)).toHaveValue("Order #42, two coffees");
  await expect(page.getByLabel(/^Amount/)).toHaveValue("0.0004");
  await expectAccessible(page);

  await metadata.fill('{"order_id":"42"}');
  await page.getByRole("button", { name: "Create invoice" }).click();
  await expect(page).toHaveURL(/\/invoices\/tx_[0-9A-Z]{26}$/);
});

test("the webhook form keeps a refused URL and says why beside it", async ({ page }) => {
  const { environmentId } = await sandboxWithWallet(page);
  await page.goto(`/pay/${environmentId}/webhooks`);
  await page.getByRole("button", { name: "Add endpoint" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add webhook endpoint" });
  const url = dialog.getByLabel("Endpoint URL");

  await dialog.getByRole("button", { name: "Add endpoint" }).click();
  await expect(url).toHaveAccessibleDescription(/Enter the endpoint URL/);
  await expect(url).toBeFocused();

  await url.fill("http://shop.example.com/hooks/boltrail");
  await dialog.getByRole("button", { name: "Add endpoint" }).click();
  await expect(url).toHaveAttribute("aria-invalid", "true");
  await expect(url).toHaveAccessibleDescription(/https/);
  await expect(url).toHaveValue("http://shop.example.com/hooks/boltrail");
  await expectAccessible(page);
});

test("a long environment name is cut in its header with the full name on hover", async ({ page }) => {
  await signUp(page, "long");
  const name = `Sandbox ${"for a very long store name ".repeat(2)}end`.slice(0, 80);
  await page.getByRole("button", { name: "Create your first environment" }).click();
  const dialog = page.getByRole("dialog", { name: "New environment" });
  await dialog.getByLabel("Name").fill(name);
  await expect(dialog.getByText(`${name.length} / 80`)).toBeVisible();
  await dialog.getByRole("button", { name: "Create environment" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9a-f-]{36}$/);
  await page.setViewportSize({ width: 360, height: 740 });
  const heading = page.getByRole("heading", { level: 1, name });
  await expect(heading).toHaveAttribute("title", name);
  const box = await heading.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right }));
  expect(box.scroll, "the name is cut (it is wider than its box)").toBeGreaterThan(box.client);
  expect(box.right).toBeLessThanOrEqual(360);
});

test("the email of a new account is checked in the browser with the service's message", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("long enough password");
  await page.getByLabel("Team name").fill("Acme");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription(/Enter a valid email address, such as you@example.com/);
  await expect(page.getByLabel("Email")).toBeFocused();
  await page.getByLabel("Email").fill(uniqueEmail("fixed"));
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/pay$/);
});
