import AxeBuilder from "@axe-core/playwright";
import { test, expect, origin, uniqueKey, hydrated, projectWithIssues, execute, userContext } from "./fixtures";

/** What axe-core finds serious or critical on the page as it is now. */
async function seriousViolations(page: import("@playwright/test").Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ rule: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}

for (const scheme of ["light", "dark"] as const) {
  test(`every main screen passes axe-core in the ${scheme} theme`, async ({ browser, request }) => {
    test.setTimeout(90_000);
    const key = uniqueKey("AX");
    await projectWithIssues(request, key, ["Write the release notes", "Fix the login redirect"], "scrum");
    await execute(request, key, { type: "add_comment", issue: 1, body: "Looks good, **ship it**." }, "alice", 1);
    const context = await userContext(browser, "alice", { colorScheme: scheme });
    const page = await context.newPage();
    const pages = [
      `/p/${key}/board`,
      `/p/${key}/backlog`,
      `/p/${key}/issues/${key}-1`,
      `/p/${key}/search?q=${encodeURIComponent("status = \"To Do\"")}`,
      `/p/${key}/reports`,
      `/p/${key}/settings`,
      "/account",
      "/",
    ];
    // Every page's findings at once, so one run shows all there is to fix.
    const found: Record<string, unknown> = {};
    for (const path of pages) {
      await page.goto(path);
      await hydrated(page);
      const violations = await seriousViolations(page);
      if (violations.length > 0) found[path] = violations;
    }
    await context.close();

    const anonymous = await browser.newContext({ baseURL: origin, colorScheme: scheme, storageState: { cookies: [], origins: [] } });
    const signIn = await anonymous.newPage();
    for (const path of ["/login", "/signup"]) {
      await signIn.goto(path);
      await hydrated(signIn);
      const violations = await seriousViolations(signIn);
      if (violations.length > 0) found[path] = violations;
    }
    await anonymous.close();
    expect(found).toEqual({});
  });
}

test("the board names its columns and cards, and says aloud when someone else moves a card", async ({ browser, request }) => {
  const key = uniqueKey("AY");
  await projectWithIssues(request, key, ["Plan the launch"]);
  const context = await userContext(browser, "bob");
  const page = await context.newPage();
  await page.goto(`/p/${key}/board`);
  await hydrated(page);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "live");
  const todo = page.getByRole("region", { name: "To Do" });
  await expect(todo.getByRole("listitem", { name: `${key}-1 Plan the launch` })).toHaveCount(1);

  await execute(request, key, { type: "move_issue", issue: 1, to: 4, after: null }, "alice", 1);
  await expect(page.getByTestId("announcer")).toHaveText(`alice moved ${key}-1 to Done.`);
  await expect(page.getByRole("region", { name: "Done" }).getByRole("listitem", { name: `${key}-1 Plan the launch` })).toHaveCount(1);
  await context.close();
});

test("the phone layout, with a card's Move-to sheet open, passes axe-core in the dark theme", async ({ browser, request }) => {
  const key = uniqueKey("AP");
  await projectWithIssues(request, key, ["Book the venue", "Print the badges"]);
  const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, colorScheme: "dark" as const };
  const context = await userContext(browser, "alice", phone);
  const page = await context.newPage();
  const found: Record<string, unknown> = {};
  for (const path of [`/p/${key}/board`, `/p/${key}/issues/${key}-1`, `/p/${key}/reports`, `/p/${key}/timesheet`]) {
    await page.goto(path);
    await hydrated(page);
    if (path.endsWith("/board")) {
      await page.locator(`.card[data-key="${key}-1"]`).tap();
      await expect(page.getByTestId("move-sheet")).toBeVisible();
    }
    const violations = await seriousViolations(page);
    if (violations.length > 0) found[path] = violations;
  }
  expect(found).toEqual({});
  await context.close();
});
