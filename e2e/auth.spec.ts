import { expect, expectAccessible, formError, logIn, logOut, signUp, test, uniqueEmail } from "./fixtures";

test("sign-up creates a master account and lands on the dashboard", async ({ page }) => {
  const account = await signUp(page);
  await expect(page.getByRole("heading", { name: "Environments" })).toBeVisible();
  await expect(page.getByText(account.teamName)).toBeVisible();
  await expect(page.getByText("Master", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Create your first environment" })).toBeVisible();
  await expectAccessible(page);
});

test("sign-up rejects a short password and a taken email, naming the field", async ({ page }) => {
  const account = await signUp(page, "taken");
  await logOut(page);
  await page.goto("/signup");
  await page.getByLabel("Email").fill(uniqueEmail("short"));
  await page.getByLabel("Password").fill("short");
  await page.getByLabel("Team name").fill("Acme");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Must be at least 10 characters")).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill("long enough password");
  await page.getByLabel("Team name").fill("Acme");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("An account with this email already exists")).toBeVisible();
  await expect(page).toHaveURL(/\/signup$/);
});

test("logout ends the session and the dashboard asks to log in again", async ({ page }) => {
  await signUp(page);
  await logOut(page);
  await page.goto("/pay");
  await expect(page).toHaveURL(/\/login\?next=%2Fpay/);
  await expectAccessible(page);
});

test("logout revokes the session server-side: a copy of the old cookie opens nothing, as a cookie or as Bearer", async ({ page, context, request }) => {
  await signUp(page);
  const cookie = (await context.cookies()).find((c) => c.name.endsWith("authjs.session-token"));
  expect(cookie, "the session cookie").toBeDefined();
  const asBearer = () =>
    request.post("/graphql", { headers: { authorization: `Bearer ${cookie!.value}`, "content-type": "application/json" }, data: { query: "{ user { email } }" } });
  expect((await (await asBearer()).json()).errors).toBeUndefined(); // works while signed in
  await logOut(page);
  // The stolen (or simply kept) cookie after logout: the dashboard sends it to log in…
  const dashboard = await request.get("/pay", { headers: { cookie: `${cookie!.name}=${cookie!.value}` }, maxRedirects: 0 });
  expect(dashboard.status()).toBe(307);
  expect(dashboard.headers()["location"]).toMatch(/\/login/);
  // …and the API refuses it.
  const body = await (await asBearer()).json();
  expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
});

test("login with the right password opens the dashboard", async ({ page }) => {
  const account = await signUp(page);
  await logOut(page);
  await logIn(page, account.email, account.password);
  await expect(page).toHaveURL(/\/pay$/);
  await expect(page.getByText(account.email)).toBeVisible();
});

test("a wrong password says so and does not log in", async ({ page }) => {
  const account = await signUp(page);
  await logOut(page);
  await logIn(page, account.email, "not the password");
  await expect(formError(page)).toHaveText("Wrong email or password");
  await expect(page).toHaveURL(/\/login/);
});

test("ten failed attempts lock the account with a clear message", async ({ page }) => {
  const account = await signUp(page);
  await logOut(page);
  for (let i = 0; i < 10; i++) {
    await logIn(page, account.email, `wrong password ${i}`);
    await expect(formError(page)).toHaveText("Wrong email or password");
  }
  // Even the right password is refused while the account is locked.
  await logIn(page, account.email, account.password);
  await expect(formError(page)).toContainText("Too many failed attempts: this account is locked for 15 more minutes");
  await expect(page).toHaveURL(/\/login/);
});

test("auth pages have no serious accessibility violations", async ({ page, consoleErrors }) => {
  // The browser reports the 404 status of the unknown page below as a console error.
  consoleErrors.allow(/status of 404/);
  await page.goto("/login");
  await expectAccessible(page);
  await page.goto("/signup");
  await expectAccessible(page);
  await page.goto("/invite/not-a-real-token");
  await expect(page.getByRole("heading", { name: "Invitation not found" })).toBeVisible();
  await expectAccessible(page);
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expectAccessible(page);
});
