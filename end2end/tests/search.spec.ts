import { test, expect, uniqueKey, hydrated, projectWithIssues, execute, userContext } from "./fixtures";

test("search with the query language, point at errors, save and reuse a filter", async ({ browser, request }) => {
  const key = uniqueKey("Q");
  await projectWithIssues(request, key, ["Login page", "Logout bug", "Payment form"]);
  await execute(request, key, { type: "update_issue", issue: 1, patch: { assignee: "alice", points: 30 } }, "alice", 1);
  const page = await (await userContext(browser, "alice")).newPage();
  const results = page.getByTestId("result");
  const keys = async () => results.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")));

  const jql = `project = ${key} AND status IN ("To Do", "In Progress") AND assignee = currentUser() AND points >= 3 AND text ~ "login" ORDER BY rank`;
  await page.goto(`/p/${key}/search?q=${encodeURIComponent(jql)}`);
  await hydrated(page);
  await expect(results).toHaveCount(1);
  expect(await keys()).toEqual([`${key}-1`]);

  const query = page.getByLabel("Query");
  await query.fill("status = ");
  await query.press("Enter");
  await expect(page.getByTestId("query-error")).toHaveAttribute("data-column", "10");
  await expect(page.getByTestId("query-error")).toContainText("expected a value");
  await expect(results).toHaveCount(0);

  await query.fill("text ~ log ORDER BY key DESC");
  await query.press("Enter");
  await expect(results).toHaveCount(2);
  expect(await keys()).toEqual([`${key}-2`, `${key}-1`]);
  await expect(page.getByTestId("result-count")).toHaveText("2 issues");

  await hydrated(page);
  await page.getByLabel("Filter name").fill("Log work");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const saved = page.getByTestId("saved-filter");
  await expect(saved).toHaveCount(1);
  await page.goto(`/p/${key}/search`);
  await expect(results).toHaveCount(3);
  await saved.getByRole("link", { name: "Log work" }).click();
  await expect(results).toHaveCount(2);
  await hydrated(page);
  await saved.getByRole("button", { name: "Delete the filter Log work" }).click();
  await expect(saved).toHaveCount(0);
});
