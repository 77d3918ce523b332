import { test, expect, uniqueKey, hydrated, projectWithIssues, execute } from "./fixtures";

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test("burndown, velocity and cumulative flow show the figures the log implies", async ({ page, request }) => {
  const key = uniqueKey("R");
  await projectWithIssues(request, key, ["Alpha", "Beta"]);
  await execute(request, key, { type: "update_issue", issue: 1, patch: { points: 30 } }, "alice", 1);
  await execute(request, key, { type: "update_issue", issue: 2, patch: { points: 50 } }, "alice", 1);
  const post = async (fn: string, form: Record<string, string>) => {
    const res = await request.post(`/api/fn/${fn}`, { form, headers: { Accept: "application/json" } });
    expect(res.ok(), await res.text()).toBeTruthy();
  };
  await post("create_sprint", { project: key });
  await post("move_issues", { project: key, "issues[0]": "1", "issues[1]": "2", sprint: "1" });
  await post("start_sprint", { project: key, sprint: "1", version: "1", start: day(0), end: day(9) });
  // Alpha (3 points) is done: created v1, points v2, sprint v3.
  await execute(request, key, { type: "move_issue", issue: 1, to: 4, after: null }, "bob", 3);

  await page.goto(`/p/${key}/reports`);
  await hydrated(page);
  const today = page.locator(`[data-testid="burndown-table"] tr[data-day="${day(0)}"]`);
  await expect(today.getByTestId("points-left")).toHaveText("5");
  await expect(today.getByTestId("ideal")).toHaveText("8");
  await expect(page.getByTestId("burndown-table").locator("tbody tr")).toHaveCount(1);
  await expect(page.locator('svg[aria-label="Burndown chart"] polyline.actual')).toHaveCount(1);
  const flow = page.locator(`[data-testid="flow-table"] tr[data-day="${day(0)}"] td`);
  await expect(flow).toHaveText(["1", "0", "0", "1"]);

  // Started v2 + committed v3: complete on version 3.
  await post("complete_sprint", { project: key, sprint: "1", version: "3", open_to: "" });
  await page.reload();
  await hydrated(page);
  const sprint1 = page.locator('[data-testid="velocity-table"] tr[data-sprint="1"]');
  await expect(sprint1.getByTestId("committed")).toHaveText("8");
  await expect(sprint1.getByTestId("completed")).toHaveText("3");
  await expect(today.getByTestId("points-left")).toHaveText("5");
});
