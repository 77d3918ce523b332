import { test, expect, uniqueKey, hydrated, projectWithIssues, execute, userContext } from "./fixtures";

test("every field edits inline, and a concurrent edit of the same field asks before overwriting", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("I");
  await projectWithIssues(request, key, ["Import the CSV"]);
  const issueUrl = `/p/${key}/issues/${key}-1`;
  const alice = await (await userContext(browser, "alice")).newPage();
  const bob = await (await userContext(browser, "bob")).newPage();
  for (const page of [alice, bob]) {
    await page.goto(issueUrl);
    await hydrated(page);
  }

  // Title: click, type, Enter.
  await alice.getByRole("button", { name: "Edit title" }).click();
  await alice.getByLabel("Title", { exact: true }).fill("Import the CSV, fast");
  await alice.getByLabel("Title", { exact: true }).press("Enter");
  await expect(alice.getByTestId("issue-title")).toHaveText("Import the CSV, fast");

  // Bad input names the problem and changes nothing.
  await alice.getByRole("button", { name: "Edit story points" }).click();
  await alice.getByLabel("Story points").fill("lots");
  await alice.getByLabel("Story points").press("Enter");
  await expect(alice.getByTestId("field-points")).toContainText("not a number of story points");
  await alice.getByLabel("Story points").fill("3");
  await alice.getByLabel("Story points").press("Enter");
  await expect(alice.getByTestId("field-points")).toContainText("3");

  // bob's page is stale now. He sets the priority; then alice, who has not
  // seen that, sets it too: she is told who changed it to what.
  await alice.reload();
  await hydrated(alice);
  await bob.getByLabel("Priority").selectOption("High");
  await expect(bob.getByLabel("Priority")).toHaveValue("High");
  // alice's page is told at once, without taking over what she sees.
  await expect(alice.getByTestId("issue-changed")).toContainText("bob changed the priority");
  await expect(alice.getByLabel("Priority")).toHaveValue("Medium");
  await alice.getByLabel("Priority").selectOption("Low");
  const conflict = alice.getByTestId("conflict-priority");
  await expect(conflict).toContainText("bob changed the priority from Medium to High");
  await conflict.getByRole("button", { name: "Save mine anyway" }).click();
  await expect(conflict).toHaveCount(0);
  await expect(alice.getByLabel("Priority")).toHaveValue("Low");
  await bob.reload();
  await expect(bob.getByLabel("Priority")).toHaveValue("Low");
  await expect(bob.getByTestId("history")).toContainText("had changed meanwhile");

  // Status, assignee and the original estimate from the side panel.
  await alice.getByLabel("Status", { exact: true }).selectOption({ label: "In Progress" });
  await expect(alice.getByTestId("history")).toContainText("changed the status from To Do to In Progress");
  await alice.getByRole("button", { name: "Edit assignee" }).click();
  await alice.getByLabel("Assignee").fill("bob");
  await alice.getByLabel("Assignee").press("Enter");
  await expect(alice.getByTestId("field-assignee")).toContainText("bob");
  await alice.getByRole("button", { name: "Edit original estimate" }).click();
  await alice.getByLabel("Original estimate").fill("1d 4h");
  await alice.getByLabel("Original estimate").press("Enter");
  await expect(alice.getByTestId("field-original_estimate")).toContainText("1d 4h");
  await expect(alice.getByTestId("time-original")).toHaveText("1d 4h");
});

test("comments render Markdown safely, mention members and make them watchers", async ({ browser, request }) => {
  const key = uniqueKey("M");
  await projectWithIssues(request, key, ["Login throttle"]);
  // bob takes part in the project, so he can be mentioned.
  await execute(request, key, { type: "update_issue", issue: 1, patch: { assignee: "bob" } }, "alice", 1);
  const page = await (await userContext(browser, "carol")).newPage();
  await page.goto(`/p/${key}/issues/${key}-1`);
  await hydrated(page);

  const box = page.getByLabel("Add a comment");
  await box.fill("**Blocked** on the proxy, see " + key + "-1.");
  await page.getByRole("button", { name: "@bob" }).click();
  await box.press("End");
  await box.pressSequentially("<script>window.__pwned = 1</script> <img src=x onerror=\"window.__pwned = 2\">");
  await page.getByRole("button", { name: "Comment", exact: true }).click();

  const comment = page.getByTestId("comment").first();
  await expect(comment).toHaveAttribute("data-author", "carol");
  await expect(comment.locator(".markdown strong")).toHaveText("Blocked");
  await expect(comment.locator('.mention[data-user="bob"]')).toHaveText("@bob");
  await expect(comment.locator(".issue-ref")).toHaveText(`${key}-1`);
  await expect(comment).toContainText("<script>window.__pwned = 1</script>");
  await expect(comment.locator("script, img")).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await expect(box).toHaveValue("");
  const watchers = page.getByTestId("watchers");
  await expect(watchers.locator("li")).toHaveText([/bob$/, /carol$/]);

  // Only the author can edit.
  await comment.getByRole("button", { name: "Edit" }).click();
  await comment.getByLabel("Edit the comment").fill("Unblocked: _proxy fixed_");
  await comment.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("comment").first().locator(".markdown em")).toHaveText("proxy fixed");
  await expect(page.getByTestId("comment").first()).toContainText("edited");
  const bob = await (await userContext(browser, "bob")).newPage();
  await bob.goto(`/p/${key}/issues/${key}-1`);
  await expect(bob.getByTestId("comment")).toHaveCount(1);
  await expect(bob.getByTestId("comment").getByRole("button", { name: "Edit" })).toHaveCount(0);

  // bob stops watching.
  await hydrated(bob);
  await bob.getByRole("button", { name: "Stop watching" }).click();
  await expect(bob.getByTestId("watchers").locator("li")).toHaveText([/carol$/]);
});

test("an epic shows its issues with a progress bar; sub-tasks and links are added from the page", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("E");
  await projectWithIssues(request, key, ["Checkout epic", "Payment API"]);
  await execute(request, key, { type: "update_issue", issue: 1, patch: { issue_type: "epic" } }, "alice", 1);
  const page = await (await userContext(browser, "alice")).newPage();
  await page.goto(`/p/${key}/issues/${key}-1`);
  await hydrated(page);

  const children = page.getByTestId("children");
  await expect(children.locator("h2")).toHaveText("Issues in this epic");
  for (const title of ["Card form", "Receipt e-mail"]) {
    await children.getByLabel("New issue in this epic").fill(title);
    await children.getByRole("button", { name: "Add" }).click();
    await expect(children.locator(".issue-row", { hasText: title })).toHaveCount(1);
  }
  await expect(page.getByTestId("progress")).toHaveText("0 of 2 done");
  await execute(request, key, { type: "move_issue", issue: 3, to: 4, after: null }, "bob", 1);
  await page.reload();
  await expect(page.getByTestId("progress")).toHaveText("1 of 2 done");
  await expect(children.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "50");

  // The story gets a sub-task and a link to the other issue.
  await page.goto(`/p/${key}/issues/${key}-3`);
  await hydrated(page);
  await expect(page.getByTestId("children").locator("h2")).toHaveText("Sub-tasks");
  await page.getByLabel("New sub-task").fill("Validate the card number");
  await page.getByRole("button", { name: "Add" }).first().click();
  await expect(page.getByTestId("children").locator(".issue-row")).toContainText(["Validate the card number"]);
  const links = page.getByTestId("links");
  await links.getByLabel("Link type").selectOption("is_blocked_by");
  await links.getByLabel("Issue to link").fill(`${key}-2`);
  await links.getByRole("button", { name: "Link" }).click();
  await expect(links.locator('.issue-row[data-link="is blocked by"]')).toContainText("Payment API");

  // The other side shows the inverse, and can remove it.
  await page.goto(`/p/${key}/issues/${key}-2`);
  await hydrated(page);
  const row = page.getByTestId("links").locator(".issue-row");
  await expect(row).toHaveAttribute("data-link", "blocks");
  await row.getByRole("button", { name: `Remove the link to ${key}-3` }).click();
  await expect(page.getByTestId("links").locator(".issue-row")).toHaveCount(0);
});
