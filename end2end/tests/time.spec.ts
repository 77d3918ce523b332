import { test, expect, uniqueKey, hydrated, projectWithIssues, execute, userContext } from "./fixtures";

// The form sends bad input on purpose once (a 422 answer).
test.use({ expectHttpErrors: true });

test("logging work moves the estimate, shows in history and on the timesheet", async ({ browser, request }) => {
  const key = uniqueKey("W");
  await projectWithIssues(request, key, ["Build the CSV importer"]);
  const estimate = { type: "update_issue", issue: 1, patch: { original_estimate: 300, remaining_estimate: 300 } };
  await execute(request, key, estimate, "alice", 1);

  const page = await (await userContext(browser, "bob")).newPage();
  await page.goto(`/p/${key}/issues/${key}-1`);
  await hydrated(page);
  const panel = page.getByTestId("time-tracking");
  await expect(panel.getByTestId("time-remaining")).toHaveText("5h");
  const logWork = panel.getByRole("button", { name: "Log work" });

  // Bad input: an inline error pointing at the column, and nothing logged.
  await panel.getByLabel("Time spent").fill("2x");
  await logWork.click();
  await expect(panel.getByTestId("spent-error")).toContainText("column 2");
  await expect(panel.getByLabel("Time spent")).toHaveValue("2x");
  await expect(panel.getByTestId("worklog")).toHaveCount(0);

  await panel.getByLabel("Time spent").fill("1h 30m");
  await panel.getByLabel("Started (UTC)").fill("2026-11-20 09:00");
  await panel.getByLabel("What did you work on?").fill("CSV parser");
  await logWork.click();
  await expect(panel.getByTestId("time-spent")).toHaveText("1h 30m");
  await expect(panel.getByTestId("time-remaining")).toHaveText("3h 30m");
  await expect(panel.getByTestId("worklog")).toHaveCount(1);
  await expect(panel.getByTestId("worklog").first()).toHaveAttribute("data-author", "bob");
  await expect(page.getByTestId("history")).toContainText("bob logged 1h 30m from 2026-11-20 09:00 UTC");

  // Set the remaining estimate while logging.
  await panel.getByLabel("Time spent").fill("30m");
  await panel.getByLabel("Started (UTC)").fill("2026-11-21 10:00");
  await panel.getByLabel("Remaining estimate").selectOption("set");
  await panel.getByLabel("Amount (for set / reduce by)").fill("1h");
  await logWork.click();
  await expect(panel.getByTestId("time-spent")).toHaveText("2h");
  await expect(panel.getByTestId("time-remaining")).toHaveText("1h");

  // Deleting a worklog gives its time back.
  await panel.getByRole("button", { name: "Delete the worklog of 1h 30m" }).click();
  await expect(panel.getByTestId("time-spent")).toHaveText("30m");
  await expect(panel.getByTestId("time-remaining")).toHaveText("2h 30m");

  // Editing a worklog moves the remaining estimate by the difference.
  const worklog = panel.getByTestId("worklog");
  await worklog.getByRole("button", { name: "Edit the worklog of 30m" }).click();
  await worklog.getByLabel("Time spent").fill("45m");
  await worklog.getByRole("button", { name: "Save" }).click();
  await expect(panel.getByTestId("time-spent")).toHaveText("45m");
  await expect(panel.getByTestId("time-remaining")).toHaveText("2h 15m");
  await expect(page.getByTestId("history")).toContainText("changed a worklog from 30m from 2026-11-21 10:00 UTC to 45m");

  await page.goto(`/p/${key}/timesheet?from=2026-11-20&to=2026-11-22`);
  const bob = page.locator('[data-testid="timesheet-grid"] tr[data-user="bob"] td');
  await expect(bob).toHaveText(["", "45m", "", "45m"]);
  await expect(page.getByTestId("grand-total")).toHaveText("45m");
  await expect(page.getByTestId("by-issue")).toContainText(`${key}-1`);
});
