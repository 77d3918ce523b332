import { test, expect, uniqueKey, hydrated, projectWithIssues, execute, userContext } from "./fixtures";

test("time travel: a slider shows the board and an issue as they were", async ({ browser, request }) => {
  const key = uniqueKey("H");
  await projectWithIssues(request, key, ["Original title"]);
  const renamed = await execute(request, key, { type: "update_issue", issue: 1, patch: { title: "Renamed" } }, "bob", 1);
  const renamedAt: number = renamed.events[0].seq;
  await execute(request, key, { type: "move_issue", issue: 1, to: 4, after: null }, "carol", 2);
  const page = await (await userContext(browser, "alice")).newPage();

  // The board after the rename, before the move.
  await page.goto(`/p/${key}/board?at=${renamedAt}`);
  await hydrated(page);
  const past = page.getByTestId("past-board");
  await expect(past.locator('[data-status="1"] .card')).toHaveText([/Renamed/]);
  await expect(past.locator('[data-status="4"] .card')).toHaveCount(0);
  await expect(page.getByTestId("time-label")).toContainText("As of");
  // The slider's far right is now: the card is done.
  const slider = page.getByRole("slider");
  await slider.fill(await slider.getAttribute("max") as string);
  await expect(page.getByTestId("past-board").locator('[data-status="4"] .card')).toHaveText([/Renamed/]);
  await page.getByTestId("back-to-now").click();
  await expect(page.getByTestId("board")).toBeVisible();

  // The issue, stepped back one change at a time.
  await page.goto(`/p/${key}/issues/${key}-1`);
  await hydrated(page);
  await page.getByTestId("time-travel-link").click();
  await expect(page.getByTestId("past-issue")).toBeVisible();
  await expect(page.locator('[data-field="Status"] dd')).toHaveText("Done");
  await page.getByRole("link", { name: "← Earlier" }).click();
  await expect(page.locator('[data-field="Status"] dd')).toHaveText("To Do");
  await expect(page.getByTestId("past-title")).toHaveText("Renamed");
  await page.getByRole("link", { name: "← Earlier" }).click();
  await expect(page.getByTestId("past-title")).toHaveText("Original title");
  await expect(page.getByRole("link", { name: "← Earlier" })).toHaveCount(0);
});
