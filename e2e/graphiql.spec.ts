import { expect, test } from "./fixtures";

test("the GraphQL explorer works with no network beyond Boltrail and runs a query", async ({ page }) => {
  // Anything not served by Boltrail itself (a CDN) is refused: the page must not need it.
  const foreign: string[] = [];
  await page.route(/^https?:\/\/(?!(127\.0\.0\.1|localhost)[:/])/, (route) => {
    foreign.push(route.request().url());
    return route.abort();
  });
  await page.goto("/graphql");
  await expect(page).toHaveTitle("Boltrail GraphQL");
  const run = page.getByRole("button", { name: /execute query/i });
  await expect(run).toBeVisible({ timeout: 30_000 });
  await run.click();
  await expect(page.getByText('"Hello from Boltrail"')).toBeVisible({ timeout: 15_000 });
  expect(foreign).toEqual([]);
});
