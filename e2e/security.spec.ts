import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "@playwright/test";
import { expect, expectAccessible, formError, logIn, logOut, PASSWORD, signUp, test, uniqueEmail } from "./fixtures";

/** The variables for the command, without the runner's NODE_ENV (the launcher then runs as in development, like `npm start` here). */
function withoutNodeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== "NODE_ENV")) as unknown as NodeJS.ProcessEnv;
}

/** The code an authenticator app shows for `secret` (computed here, independently of the app). */
const totpCode = (secret: string, timestamp = Date.now()) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 }).generate({ timestamp });

/** Turns two-factor authentication on from the security page; returns the secret and the recovery codes. */
async function enrolTwoFactor(page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await expect(page.getByRole("img", { name: "QR code of your authenticator set-up key" })).toBeVisible();
  const secret = await page.getByLabel("Set-up key (for manual entry)").inputValue();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("Code from the app").fill(totpCode(secret));
  await page.getByRole("button", { name: "Turn on", exact: true }).click();
  const list = page.getByTestId("recovery-codes");
  await expect(list.getByRole("listitem")).toHaveCount(10);
  return { secret, recoveryCodes: await list.getByRole("listitem").allInnerTexts() };
}

async function inviteMember(browser: Browser, master: Page) {
  await master.goto("/settings/invitations");
  await master.getByRole("button", { name: "Create invite link" }).click();
  const link = await master.getByLabel("New invite link").inputValue();
  const context = await browser.newContext();
  const page = await context.newPage();
  const email = uniqueEmail("member");
  await page.goto(link);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Join team" }).click();
  await expect(page).toHaveURL(/\/pay$/);
  return { context, page, email };
}

test("two-factor set-up, then login asks for the code after the password (a recovery code works too)", async ({ page }) => {
  const account = await signUp(page, "totp");
  await page.goto("/settings");
  await page.getByRole("link", { name: /^Security/ }).click();
  await expect(page.getByRole("heading", { name: "Security", level: 1 })).toBeVisible();
  await expectAccessible(page);

  const { secret, recoveryCodes } = await enrolTwoFactor(page);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText("10 of 10 recovery codes left")).toBeVisible();

  await logOut(page);
  await logIn(page, account.email, account.password);
  const code = page.getByLabel("Authentication code");
  await expect(code).toBeVisible();
  await expectAccessible(page);
  await expect(page).toHaveURL(/\/login/);
  // A wrong code is refused in place; the setup code's step is spent, the next step's code works.
  await code.fill("000000" === totpCode(secret) ? "111111" : "000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText(/^Wrong code/)).toBeVisible();
  await code.fill(totpCode(secret, Date.now() + 30_000));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/pay$/);

  await logOut(page);
  await logIn(page, account.email, account.password);
  await page.getByLabel("Authentication code").fill(recoveryCodes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/pay$/);
  await page.goto("/settings/security");
  await expect(page.getByText("9 of 10 recovery codes left")).toBeVisible();
});

test("the security page on a phone: no sideways scrolling, sessions listed, others signed out", async ({ browser, page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const account = await signUp(page, "phone");
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await logIn(otherPage, account.email, account.password);
  await expect(otherPage).toHaveURL(/\/pay$/);

  await page.goto("/settings/security");
  const sessions = page.getByRole("list", { name: "Signed-in sessions" }).getByRole("listitem");
  await expect(sessions).toHaveCount(2);
  await expect(sessions.first()).toContainText("This device");
  await expect(sessions.first()).toContainText(/Chrome on Linux/);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expectAccessible(page);

  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(page.getByRole("status").getByText("Signed out 1 other session")).toBeVisible();
  await expect(sessions).toHaveCount(1);
  await otherPage.goto("/pay");
  await expect(otherPage).toHaveURL(/\/login/);
  await other.close();
});

test("changing the password needs the current one and keeps this session", async ({ page }) => {
  const account = await signUp(page, "change");
  await page.goto("/settings/security");
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password").fill("a new long passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("This is not your current password")).toBeVisible();
  await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Current password").fill(account.password);
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Must be at least 10 characters")).toBeVisible();

  await page.getByLabel("Current password").fill(account.password);
  await page.getByLabel("New password").fill("a new long passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText(/^Password changed\./)).toBeVisible();
  await page.goto("/pay");
  await expect(page).toHaveURL(/\/pay$/);
  await logOut(page);
  await logIn(page, account.email, "a new long passphrase");
  await expect(page).toHaveURL(/\/pay$/);
});

test("npm run reset-password prints a one-time link that sets a new password", async ({ page }) => {
  const account = await signUp(page, "cli");
  await logOut(page);
  // The command, against this server's data directory (it reuses the running database).
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const node = Number(process.versions.node.split(".")[0]) >= 24 ? process.execPath : path.join(root, "node_modules", ".bin", "node");
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(node, ["--import", "tsx", "scripts/boltrail.ts", "reset-password", account.email], {
      cwd: root,
      env: withoutNodeEnv({ ...process.env, DATA_DIR: ".e2e-data" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`reset-password exited with ${code}:\n${out}`))));
  });
  const link = /https?:\/\/\S+(\/reset-password\/[A-Za-z0-9_-]{43})/.exec(output);
  expect(link, output).not.toBeNull();

  await page.goto(link![1]);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("New password").fill("reset by the admin");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=done$/);
  await expect(page.getByRole("status").getByText(/Your password was changed/)).toBeVisible();
  await logIn(page, account.email, account.password);
  await expect(formError(page)).toHaveText("Wrong email or password");
  await logIn(page, account.email, "reset by the admin");
  await expect(page).toHaveURL(/\/pay$/);

  // The link worked once.
  await page.goto(link![1]);
  await expect(page.getByRole("heading", { name: "This link cannot be used" })).toBeVisible();
});

test("a master gives a member a reset link, and can require two-factor authentication of the team", async ({ browser, page }) => {
  await signUp(page, "policy");
  const member = await inviteMember(browser, page);

  await page.goto("/settings/security");
  await page.getByRole("button", { name: `Create a password reset link for ${member.email}` }).click();
  const link = await page.getByLabel(`Reset link for ${member.email}`, { exact: true }).inputValue();
  expect(link).toMatch(/\/reset-password\/[A-Za-z0-9_-]{43}$/);

  // Requiring it needs the master's own first.
  await expect(page.getByRole("button", { name: "Require two-factor authentication" })).toBeDisabled();
  await enrolTwoFactor(page);
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("button", { name: "Require two-factor authentication" }).click();
  await expect(page.getByRole("status").getByText(/now required: 1 member/)).toBeVisible();

  // The member uses the link (which signs them out), logs in, and is sent to set up two-factor first.
  await member.page.goto(link);
  await member.page.getByLabel("New password").fill("member reset passphrase");
  await member.page.getByRole("button", { name: "Set new password" }).click();
  await expect(member.page).toHaveURL(/\/login\?reset=done$/);
  await logIn(member.page, member.email, "member reset passphrase");
  await expect(member.page).toHaveURL(/\/two-factor\/setup$/);
  await member.page.goto("/pay/");
  await expect(member.page).toHaveURL(/\/two-factor\/setup$/);
  await expect(member.page.getByRole("heading", { name: "Set up two-factor authentication" })).toBeVisible();
  await expectAccessible(member.page);
  await enrolTwoFactor(member.page);
  await member.page.getByRole("link", { name: "Continue to the dashboard" }).click();
  await expect(member.page).toHaveURL(/\/pay$/);
  await member.context.close();
});

test("deleting an environment needs its name typed", async ({ page }) => {
  await signUp(page, "delete");
  await page.getByRole("button", { name: "Create your first environment" }).click();
  await page.getByRole("dialog", { name: "New environment" }).getByLabel("Name").fill("Throwaway box");
  await page.getByRole("dialog", { name: "New environment" }).getByRole("button", { name: "Create environment" }).click();
  await expect(page).toHaveURL(/\/pay\/[0-9a-f-]{36}$/);
  await page.getByRole("button", { name: "Delete environment" }).click();
  const dialog = page.getByRole("dialog", { name: 'Delete "Throwaway box"?' });
  const confirm = dialog.getByRole("button", { name: "Delete environment" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/^Type the environment's name/).fill("throwaway box");
  await expect(confirm).toBeDisabled();
  await expectAccessible(page);
  await dialog.getByLabel(/^Type the environment's name/).fill("Throwaway box");
  await confirm.click();
  await expect(page).toHaveURL(/\/pay$/);
  await expect(page.getByRole("status").getByText('Environment "Throwaway box" deleted')).toBeVisible();
});
