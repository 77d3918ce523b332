import {
  test,
  expect,
  uniqueKey,
  hydrated,
  projectWithIssues,
  execute,
  userContext,
  sessionState,
  openBoard,
  cardIn,
  pickUp,
  PASSWORD,
} from "./fixtures";

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a private page sends you to sign in, and back to it afterwards", async ({ page, request }) => {
    const key = uniqueKey("L");
    await projectWithIssues(request, key, ["Behind the door"]);
    await page.goto(`/p/${key}/board`);
    await expect(page).toHaveURL(`/login?next=%2Fp%2F${key}%2Fboard`);
    await page.getByLabel("E-mail or user name").fill("alice");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`/p/${key}/board`);
    await expect(cardIn(page, 1, `${key}-1`)).toContainText("Behind the door");
  });
});

test.describe("members", () => {
  // Bad invitations and the last admin's demotion are refused with 4xx answers.
  test.use({ expectHttpErrors: true });

  test("an admin invites a viewer, who watches read-only, then makes them a member, then removes them", async ({
    page,
    browser,
    request,
  }) => {
    const key = uniqueKey("R");
    await projectWithIssues(request, key, ["Ship it", "Test it"]);
    await sessionState("erin");
    const erin = await (await userContext(browser, "erin")).newPage();

    // Not a member yet: the project does not exist for erin.
    await erin.goto(`/p/${key}/board`);
    await expect(erin.getByRole("heading", { name: "Not found" })).toBeVisible();

    // alice invites erin by e-mail address, as a viewer.
    await page.goto(`/p/${key}/settings`);
    await hydrated(page);
    const invite = page.getByTestId("invite");
    await invite.getByLabel("E-mail or user name").fill("nobody@example.test");
    await invite.getByRole("button", { name: "Invite" }).click();
    await expect(page.getByTestId("invite-error")).toContainText("nobody has the e-mail address or user name");
    await invite.getByLabel("E-mail or user name").fill("erin@example.test");
    await invite.getByLabel("Role").selectOption("viewer");
    await invite.getByRole("button", { name: "Invite" }).click();
    await expect(page.locator('[data-testid="member"][data-user="erin"]')).toHaveAttribute("data-role", "viewer");

    // The viewer sees the board and its changes, but cannot move cards.
    await openBoard(erin, key);
    await expect(erin.getByTestId("read-only")).toBeVisible();
    await expect(erin.locator(".quick-create")).toHaveCount(0);
    // A press and move does not even lift the card: nothing to undo later.
    await pickUp(erin, `${key}-1`, 2);
    await expect(erin.locator(".drag-ghost")).toHaveCount(0);
    await erin.mouse.up();
    await expect(cardIn(erin, 1, `${key}-1`)).toBeVisible();
    await execute(request, key, { type: "move_issue", issue: 2, to: 3, after: null }, "bob", 1);
    await expect(cardIn(erin, 3, `${key}-2`)).toBeVisible();
    await erin.goto(`/p/${key}/settings`);
    await hydrated(erin);
    await expect(erin.getByTestId("read-only")).toBeVisible();
    await expect(erin.getByLabel("Project name")).toBeDisabled();
    await expect(erin.getByTestId("invite")).toHaveCount(0);
    // The issue page and the backlog offer a viewer nothing to change.
    await erin.goto(`/p/${key}/issues/${key}-1`);
    await hydrated(erin);
    await expect(erin.getByTestId("issue-title")).toHaveText("Ship it");
    await expect(erin.getByTestId("read-only")).toBeVisible();
    await expect(erin.locator(".edit-button")).toHaveCount(0);
    await expect(erin.getByTestId("add-comment")).toBeHidden();
    await expect(erin.getByTestId("log-work")).toBeHidden();
    await erin.goto(`/p/${key}/backlog`);
    await hydrated(erin);
    await expect(erin.getByTestId("read-only")).toBeVisible();
    await expect(erin.getByRole("button", { name: "Create sprint" })).toBeHidden();
    await expect(erin.locator('[data-testid="issue-row"][draggable="false"]')).toHaveCount(2);

    // Made a member, erin can move the card.
    await page.getByLabel("Role of erin").selectOption("member");
    await page
      .locator('[data-testid="member"][data-user="erin"]')
      .getByRole("button", { name: "Change" })
      .click();
    await expect(page.locator('[data-testid="member"][data-user="erin"]')).toHaveAttribute("data-role", "member");
    await openBoard(erin, key);
    await expect(erin.getByTestId("read-only")).toHaveCount(0);
    await pickUp(erin, `${key}-1`, 2);
    await expect(erin.locator(".drag-ghost")).toHaveCount(1);
    await erin.mouse.up();
    await expect(cardIn(erin, 2, `${key}-1`)).toBeVisible();
    await openBoard(erin, key);
    await expect(cardIn(erin, 2, `${key}-1`)).toBeVisible();

    // The last admin cannot step down.
    await page.getByLabel("Role of alice").selectOption("viewer");
    await page
      .locator('[data-testid="member"][data-user="alice"]')
      .getByRole("button", { name: "Change" })
      .click();
    await expect(page.getByTestId("members-error")).toContainText("last admin");

    // Removed, erin loses the project.
    await page.getByRole("button", { name: "Remove erin" }).click();
    await expect(page.locator('[data-testid="member"][data-user="erin"]')).toHaveCount(0);
    await erin.goto(`/p/${key}/board`);
    await expect(erin.getByRole("heading", { name: "Not found" })).toBeVisible();
  });
});
