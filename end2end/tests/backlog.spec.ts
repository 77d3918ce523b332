import { test, expect, uniqueKey, hydrated, projectWithIssues, execute, userContext } from "./fixtures";

test("plan, start and complete a sprint with carry-over; commitment and outcome are recorded", async ({ browser, request }) => {
  const key = uniqueKey("S");
  await projectWithIssues(request, key, ["Sign-up form", "Password reset", "Audit log"], "scrum");
  // Story points in tenths: 3 and 5.
  await execute(request, key, { type: "update_issue", issue: 1, patch: { points: 30 } }, "alice", 1);
  await execute(request, key, { type: "update_issue", issue: 2, patch: { points: 50 } }, "alice", 1);

  const page = await (await userContext(browser, "alice")).newPage();
  // A Scrum board without an active sprint shows no cards, and says why.
  await page.goto(`/p/${key}/board`);
  await expect(page.getByTestId("no-active-sprint")).toBeVisible();
  await expect(page.locator(".card")).toHaveCount(0);
  await page.goto(`/p/${key}/backlog`);
  await hydrated(page);
  const sprint = (n: number) => page.locator(`[data-testid="sprint"][data-sprint="${n}"]`);
  const rows = (section: import("@playwright/test").Locator) => section.getByTestId("issue-row");
  const backlog = page.getByTestId("backlog-section");
  await expect(rows(backlog)).toHaveCount(3);

  await page.getByRole("button", { name: "Create sprint" }).click();
  await expect(sprint(1)).toContainText(`${key} Sprint 1`);
  await page.getByRole("button", { name: "Create sprint" }).click();
  await expect(sprint(2)).toContainText(`${key} Sprint 2`);

  // Multi-select and bulk-move into sprint 1, then sprint 2.
  await page.getByLabel(`Select ${key}-1`).check();
  await page.getByLabel(`Select ${key}-2`).check();
  await expect(page.getByTestId("bulk-bar")).toContainText("2 selected");
  await page.getByLabel("Move the selected issues to").selectOption({ label: `${key} Sprint 1` });
  await page.getByRole("button", { name: "Move", exact: true }).click();
  await expect(rows(sprint(1))).toHaveCount(2);
  await expect(sprint(1).getByTestId("sprint-summary")).toHaveText("2 issues · 8 points");
  await page.getByLabel(`Select ${key}-3`).check();
  await page.getByLabel("Move the selected issues to").selectOption({ label: `${key} Sprint 2` });
  await page.getByRole("button", { name: "Move", exact: true }).click();
  await expect(rows(sprint(2))).toHaveCount(1);
  await expect(rows(backlog)).toHaveCount(0);

  // Inline create lands in the backlog.
  await page.getByLabel("New issue title").fill("Rate-limit sign-in");
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(rows(backlog)).toHaveCount(1);
  await expect(backlog).toContainText("Rate-limit sign-in");

  const start = sprint(1).getByTestId("start-sprint");
  await start.getByLabel("Start").fill("2026-11-23");
  await start.getByLabel("End").fill("2026-12-04");
  await start.getByRole("button", { name: "Start sprint" }).click();
  await expect(sprint(1)).toHaveAttribute("data-state", "active");
  await expect(sprint(1)).toContainText("2026-11-23 – 2026-12-04");
  await expect(sprint(2)).toContainText("Another sprint is active");

  // The Scrum board now shows the active sprint's two issues, and a card
  // created on it joins the sprint.
  await page.goto(`/p/${key}/board`);
  await hydrated(page);
  await expect(page.getByTestId("active-sprint")).toContainText(`${key} Sprint 1`);
  await expect(page.locator(".card")).toHaveCount(2);
  await page.getByRole("button", { name: "+ Create issue" }).click();
  await page.getByLabel("New issue title").fill("Board-made card");
  await page.getByLabel("New issue title").press("Enter");
  await expect(page.locator(".card")).toHaveCount(3);
  await page.goto(`/p/${key}/backlog`);
  await hydrated(page);
  await expect(rows(sprint(1))).toHaveCount(3);

  // Finish the 3-point issue (created v1, points v2, sprint v3), then complete.
  // The board-made card (unestimated, not done) is carried over too.
  await execute(request, key, { type: "move_issue", issue: 1, to: 4, after: null }, "bob", 3);
  await page.reload();
  await hydrated(page);
  const complete = sprint(1).getByTestId("complete-sprint");
  await complete.getByRole("combobox").selectOption({ label: `${key} Sprint 2` });
  await complete.getByRole("button", { name: "Complete sprint" }).click();
  await expect(sprint(1)).toHaveCount(0);
  await expect(rows(sprint(2))).toHaveCount(3);
  await expect(sprint(2)).toContainText("Password reset");
  await expect(sprint(2)).toContainText("Board-made card");
  const closed = page.locator('[data-testid="closed-sprints"] tr[data-sprint="1"]');
  await expect(closed.getByTestId("committed")).toHaveText("8");
  await expect(closed.getByTestId("completed")).toHaveText("3");
});

test("drag re-ranks the backlog and drops into a sprint; Alt+Up/Down move a row", async ({ browser, request }) => {
  const key = uniqueKey("R");
  await projectWithIssues(request, key, ["One", "Two", "Three", "Four"], "scrum");
  await execute(request, key, { type: "create_sprint", goal: "", start: null, end: null });
  const page = await (await userContext(browser, "alice")).newPage();
  await page.goto(`/p/${key}/backlog`);
  await hydrated(page);
  const backlog = page.getByTestId("backlog-section");
  const order = (section: import("@playwright/test").Locator) => section.getByTestId("issue-row").locator(".issue-row-title");
  const row = (title: string) => page.getByTestId("issue-row").filter({ hasText: title });
  await expect(order(backlog)).toHaveText(["One", "Two", "Three", "Four"]);

  await row("Four").dragTo(row("One"));
  await expect(order(backlog)).toHaveText(["Four", "One", "Two", "Three"]);

  await row("Two").locator("a.card-key").focus();
  await page.keyboard.press("Alt+ArrowUp");
  await expect(order(backlog)).toHaveText(["Four", "Two", "One", "Three"]);
  await row("Four").locator("a.card-key").focus();
  await page.keyboard.press("Alt+ArrowDown");
  await expect(order(backlog)).toHaveText(["Two", "Four", "One", "Three"]);

  // Into the (empty) sprint.
  const sprint = page.locator('[data-testid="sprint"][data-sprint="1"]');
  await row("Three").dragTo(sprint.locator(".empty-sprint"));
  await expect(order(sprint)).toHaveText(["Three"]);
  await expect(order(backlog)).toHaveText(["Two", "Four", "One"]);

  await page.reload();
  await expect(order(backlog)).toHaveText(["Two", "Four", "One"]);
  await expect(order(sprint)).toHaveText(["Three"]);
});
