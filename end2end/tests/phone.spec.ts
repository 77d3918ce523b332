import { test, expect, uniqueKey, hydrated, projectWithIssues, userContext, cardIn, card } from "./fixtures";

/** A phone: 390×844 CSS pixels, touch, Chromium's mobile viewport. */
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

/** Nothing sticks out sideways: the page never scrolls horizontally. */
async function fitsTheWidth(page: import("@playwright/test").Page, phoneWidth = PHONE.viewport.width) {
  // Against the phone's width, not innerWidth: a mobile browser widens its
  // layout viewport to whatever sticks out (and zooms the page out).
  const wide = await page.evaluate((width) => {
    // What a scrolling box (the board, the column switcher) holds is scrolled to, not cut off.
    const scrolled = (e: Element) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible") return true;
      }
      return false;
    };
    const out = [...document.querySelectorAll("body *")].filter(
      (e) => e.getBoundingClientRect().right > width + 0.5 && !scrolled(e),
    );
    // The innermost ones: the elements that stick out themselves.
    return out.filter((e) => !out.some((o) => o !== e && e.contains(o))).map((e) => `${location.pathname}: <${e.tagName.toLowerCase()} class="${e.className}"> ${e.textContent?.trim().slice(0, 40)} (right ${Math.round(e.getBoundingClientRect().right)})`);
  }, phoneWidth);
  expect(wide, "elements past the right edge").toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phoneWidth);
}

test("on a phone, a tap moves a card to another column, and the switcher shows one column at a time", async ({ browser, request }, info) => {
  const key = uniqueKey("PH");
  await projectWithIssues(request, key, ["Answer the support mail", "Ship the hotfix"]);
  const context = await userContext(browser, "alice", PHONE);
  const page = await context.newPage();
  await page.goto(`/p/${key}/board`);
  await hydrated(page);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "live");
  await fitsTheWidth(page);

  const switcher = page.getByTestId("column-switcher");
  await expect(switcher).toBeVisible();
  await expect(switcher.getByRole("button", { name: "To Do 2" })).toHaveAttribute("aria-current", "true");
  // One column fills the screen: the next one is out of view.
  await expect(page.getByRole("region", { name: "To Do" })).toBeInViewport();
  await expect(page.getByRole("region", { name: "In Progress" })).not.toBeInViewport();
  await page.screenshot({ path: info.outputPath("phone-board.png") });

  // A tap opens "Move to…"; choosing a column moves the card there.
  await card(page, `${key}-2`).tap();
  const sheet = page.getByTestId("move-sheet");
  await expect(sheet.getByRole("heading")).toHaveText(`Move ${key}-2 to…`);
  await expect(sheet.getByRole("button", { name: "To Do (here)" })).toBeDisabled();
  await page.screenshot({ path: info.outputPath("phone-move-sheet.png") });
  await sheet.getByRole("button", { name: "In Progress" }).tap();
  await expect(sheet).toHaveCount(0);
  await expect(cardIn(page, 2, `${key}-2`)).toHaveCount(1);
  await expect(switcher.getByRole("button", { name: "In Progress 1" })).toBeVisible();

  // The switcher brings that column into view; the server has the move.
  await switcher.getByRole("button", { name: "In Progress 1" }).tap();
  await expect(page.getByRole("region", { name: "In Progress" })).toBeInViewport({ ratio: 0.9 });
  await expect(switcher.getByRole("button", { name: "In Progress 1" })).toHaveAttribute("aria-current", "true");
  await page.reload();
  await hydrated(page);
  await expect(cardIn(page, 2, `${key}-2`)).toHaveCount(1);

  // Cancel leaves the card where it is; the sheet also opens the issue.
  await card(page, `${key}-1`).tap();
  await page.getByTestId("move-sheet").getByRole("button", { name: "Cancel" }).tap();
  await expect(page.getByTestId("move-sheet")).toHaveCount(0);
  await expect(cardIn(page, 1, `${key}-1`)).toHaveCount(1);
  await card(page, `${key}-1`).tap();
  await page.getByTestId("move-sheet").getByRole("link", { name: `Open ${key}-1` }).tap();
  await expect(page).toHaveURL(new RegExp(`/p/${key}/issues/${key}-1$`));
  await context.close();
});

test("on a phone, every project page is reached from the menu, and an issue's field can be edited", async ({ browser, request }, info) => {
  const key = uniqueKey("PM");
  await projectWithIssues(request, key, ["Renew the certificate"], "scrum");
  const context = await userContext(browser, "alice", PHONE);
  const page = await context.newPage();
  await page.goto(`/p/${key}/board`);
  await hydrated(page);
  await fitsTheWidth(page);
  // Time travel, the board's own, stays on screen.
  await expect(page.getByTestId("time-travel-link")).toBeInViewport();
  await page.screenshot({ path: info.outputPath("phone-scrum-board.png") });

  const menu = page.getByTestId("project-menu");
  for (const [label, path] of [
    ["Backlog", "backlog"],
    ["Search", "search"],
    ["Timesheet", "timesheet"],
    ["Reports", "reports"],
    ["Settings", "settings"],
    ["Board", "board"],
  ]) {
    await menu.locator("summary").tap();
    const link = menu.getByRole("link", { name: label, exact: true });
    await expect(link).toBeInViewport();
    await link.tap();
    await expect(page).toHaveURL(new RegExp(`/p/${key}/${path}$`));
    // The menu closes once a page is chosen.
    await expect(menu.getByRole("link", { name: label, exact: true })).toBeHidden();
    await expect(menu.locator('a[aria-current="page"]')).toHaveText(label);
    await fitsTheWidth(page);
  }
  await menu.locator("summary").tap();
  await page.screenshot({ path: info.outputPath("phone-menu.png") });

  await page.goto(`/p/${key}/issues/${key}-1`);
  await hydrated(page);
  await fitsTheWidth(page);
  await page.getByRole("button", { name: "Edit title" }).tap();
  await page.getByLabel("Title", { exact: true }).fill("Renew the certificate before Friday");
  await page.getByLabel("Title", { exact: true }).press("Enter");
  await expect(page.getByTestId("issue-title")).toHaveText("Renew the certificate before Friday");
  await page.getByLabel("Priority").selectOption("High");
  await expect(page.getByLabel("Priority")).toHaveValue("High");
  await page.screenshot({ path: info.outputPath("phone-issue.png"), fullPage: true });
  await context.close();
});

test("from 360 to 430 px wide, no screen sticks out sideways", async ({ browser, request }) => {
  test.setTimeout(90_000);
  const key = uniqueKey("PW");
  await projectWithIssues(request, key, ["A card with a rather long title that has to wrap on a narrow phone"], "scrum");
  const paths = [
    "/",
    "/account",
    `/p/${key}/board`,
    `/p/${key}/backlog`,
    `/p/${key}/issues/${key}-1`,
    `/p/${key}/search?q=${encodeURIComponent('text ~ "card"')}`,
    `/p/${key}/timesheet`,
    `/p/${key}/reports`,
    `/p/${key}/settings`,
  ];
  for (const width of [360, 430]) {
    const context = await userContext(browser, "alice", { ...PHONE, viewport: { width, height: 800 } });
    const page = await context.newPage();
    for (const path of paths) {
      await page.goto(path);
      await hydrated(page);
      await fitsTheWidth(page, width);
    }
    await context.close();
  }
});
