import { test, expect, uniqueKey, hydrated, projectWithIssues, userContext } from "./fixtures";

test("settings: columns with WIP limits and the working calendar change the board and durations", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("G");
  await projectWithIssues(request, key, ["Write the importer"]);
  const page = await (await userContext(browser, "alice")).newPage();
  await page.goto(`/p/${key}/settings`);
  await hydrated(page);

  const review = page.getByRole("form", { name: "Column In Review" });
  await review.getByLabel("Column name").fill("Review");
  await review.getByLabel("WIP limit").fill("1");
  await review.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("form", { name: "Column Review" })).toBeVisible();

  const calendar = page.getByTestId("calendar-form");
  await calendar.getByLabel("Hours per day").fill("6");
  await calendar.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("calendar-now")).toHaveText("1d is 6 hours, 1w is 5 days.");
  await calendar.getByLabel("Hours per day").fill("30");
  await calendar.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("calendar-error")).not.toBeEmpty();
  await expect(page.getByTestId("calendar-now")).toHaveText("1d is 6 hours, 1w is 5 days.");

  await page.goto(`/p/${key}/board`);
  await expect(page.locator('[data-status="3"] h2')).toHaveText("Review");
  await expect(page.locator('[data-status="3"] .count')).toHaveText("0 / 1");

  // 12 hours are two working days now.
  await page.goto(`/p/${key}/issues/${key}-1`);
  await hydrated(page);
  await page.getByRole("button", { name: "Edit original estimate" }).click();
  await page.getByLabel("Original estimate").fill("12h");
  await page.getByLabel("Original estimate").press("Enter");
  await expect(page.getByTestId("field-original_estimate")).toContainText("2d");
});
