import { expect, expectAccessible, formError, logIn, logOut, PASSWORD, signUp, test, uniqueEmail } from "./fixtures";
import type { Page } from "@playwright/test";

async function createInviteLink(page: Page): Promise<string> {
  await page.goto("/settings/team");
  await page.getByRole("link", { name: "Invite members" }).click();
  await expect(page).toHaveURL(/\/settings\/invitations$/);
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = await page.getByLabel("New invite link").inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  return link;
}

async function acceptInvite(page: Page, link: string, email: string) {
  await page.goto(link);
  await expect(page.getByRole("heading", { name: /^Join / })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Join team" }).click();
  await expect(page).toHaveURL(/\/pay$/);
}

test("the master invites a member who joins through the link, once", async ({ browser, page }) => {
  const master = await signUp(page);
  const link = await createInviteLink(page);
  await expectAccessible(page);
  await expect(page.getByRole("table", { name: "Pending invitations" })).toBeVisible();

  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();
  const memberEmail = uniqueEmail("member");
  await memberPage.goto(link);
  await expectAccessible(memberPage);
  await acceptInvite(memberPage, link, memberEmail);
  await expect(memberPage.getByText(master.teamName)).toBeVisible();
  await expect(memberPage.getByText("Member", { exact: true })).toBeVisible();

  // The link is single use.
  const otherContext = await browser.newContext();
  const otherPage = await otherContext.newPage();
  await otherPage.goto(link);
  await expect(otherPage.getByRole("heading", { name: "This invitation cannot be used" })).toBeVisible();
  await expect(otherPage.getByText("already used")).toBeVisible();

  // The master sees the new member with their role.
  await page.goto("/settings/team");
  const row = page.getByRole("row", { name: new RegExp(memberEmail) });
  await expect(row.getByRole("cell", { name: "Member", exact: true })).toBeVisible();
  await expectAccessible(page);
  await memberContext.close();
  await otherContext.close();
});

test("a member cannot reach master-only pages or controls", async ({ browser, page }) => {
  await signUp(page);
  const link = await createInviteLink(page);
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await acceptInvite(member, link, uniqueEmail("member"));

  // Master-only navigation is hidden…
  await expect(member.getByRole("navigation", { name: "Main" }).getByText("API keys")).toHaveCount(0);
  await member.goto("/settings/team");
  await expect(member.getByRole("link", { name: "Invite members" })).toHaveCount(0);
  await expect(member.getByRole("button", { name: /^Remove/ })).toHaveCount(0);
  await expectAccessible(member);
  // …and refused on the server when opened directly.
  await member.goto("/settings/invitations");
  await expect(member.getByRole("heading", { name: "Only the team's master can do this" })).toBeVisible();
  await expect(member.getByRole("button", { name: "Create invite link" })).toHaveCount(0);
  await expectAccessible(member);
  await memberContext.close();
});

test("a removed member's session stops working on its next request", async ({ browser, page }) => {
  await signUp(page);
  const link = await createInviteLink(page);
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  const memberEmail = uniqueEmail("removed");
  await acceptInvite(member, link, memberEmail);

  await page.goto("/settings/team");
  await page.getByRole("button", { name: `Remove ${memberEmail}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByRole("status").getByText(`${memberEmail} was removed from the team`)).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(memberEmail) })).toHaveCount(0);

  await member.goto("/settings/team");
  await expect(member).toHaveURL(/\/login/);
  // The deleted account cannot log in again either.
  await logIn(member, memberEmail, PASSWORD);
  await expect(formError(member)).toHaveText("Wrong email or password");
  await memberContext.close();
});

test("an expired or unknown invite link explains what to do", async ({ page }) => {
  await signUp(page);
  await logOut(page);
  await page.goto("/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  await expect(page.getByRole("heading", { name: "Invitation not found" })).toBeVisible();
  await logIn(page, "nobody@example.com", PASSWORD);
  await expect(formError(page)).toHaveText("Wrong email or password");
});
