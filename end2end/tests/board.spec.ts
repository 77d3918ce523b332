import {
  test,
  expect,
  uniqueKey,
  hydrated,
  projectWithIssues,
  execute,
  userContext,
  openBoard,
  boardState,
  card,
  cardIn,
  pickUp,
  dragTo,
} from "./fixtures";

// Workflow columns of a new project: 1 To Do, 2 In Progress, 3 In Review, 4 Done.

test("a move by A reaches B within a second, without a reload", async ({ browser, request }) => {
  const key = uniqueKey("L");
  await projectWithIssues(request, key, ["Wire the payment form", "Write release notes"]);
  const a = await (await userContext(browser, "alice")).newPage();
  const b = await (await userContext(browser, "bob")).newPage();
  await openBoard(a, key);
  await openBoard(b, key);
  await b.evaluate(() => ((window as any).__sameDocument = true));
  // Both see each other.
  await expect(a.getByTestId("viewers").locator(".avatar")).toHaveCount(2);

  // While A drags, B sees who moves which card.
  await pickUp(a, `${key}-1`, 2);
  await expect(card(b, `${key}-1`).locator(".presence-badge")).toHaveText("alice is moving this");
  await a.mouse.up();
  await expect(cardIn(a, 2, `${key}-1`)).toBeVisible();
  await expect(cardIn(b, 2, `${key}-1`)).toBeVisible({ timeout: 1_000 });
  await expect(card(b, `${key}-1`).locator(".presence-badge")).toHaveCount(0);
  expect(await b.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(await boardState(b)).toEqual(await boardState(a));
});

test("two users drop the same card at once: one conflict, same final state, both attempts in history", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("C");
  await projectWithIssues(request, key, ["Contested card", "Bystander"]);
  const a = await (await userContext(browser, "alice")).newPage();
  const b = await (await userContext(browser, "bob")).newPage();
  await openBoard(a, key);
  await openBoard(b, key);
  const contested = `${key}-1`;

  // Both pick the card up, then both let go at the same moment.
  await Promise.all([pickUp(a, contested, 2), pickUp(b, contested, 4)]);
  await Promise.all([a.mouse.up(), b.mouse.up()]);

  // Exactly one of them is told about the conflict.
  const prompts = () => Promise.all([a, b].map((p) => p.getByTestId("conflict-prompt").count()));
  await expect.poll(async () => (await prompts()).reduce((x, y) => x + y), { timeout: 5_000 }).toBe(1);
  const [aPrompts] = await prompts();
  const [winner, loser, winnerStatus, loserStatus] = aPrompts === 0 ? [a, b, 2, 4] : [b, a, 4, 2];
  const winnerName = winner === a ? "alice" : "bob";
  const loserName = loser === a ? "alice" : "bob";

  // Both end up showing the winner's move.
  await expect(cardIn(winner, winnerStatus, contested)).toBeVisible();
  await expect(cardIn(loser, winnerStatus, contested)).toBeVisible();
  expect(await boardState(loser)).toEqual(await boardState(winner));
  const prompt = loser.getByTestId("conflict-prompt");
  await expect(prompt).toContainText(`${winnerName} moved ${contested} to`);
  await expect(prompt).toContainText("was not applied");

  // The history lists both attempts.
  const history = await loser.context().newPage();
  await history.goto(`/p/${key}/issues/${contested}`);
  await expect(history.locator(`[data-testid="history-field"][data-actor="${winnerName}"]`).first()).toContainText("status");
  await expect(history.locator(`[data-testid="history-conflict"][data-actor="${loserName}"]`)).toHaveCount(1);

  // "Move it anyway" then succeeds for the loser, everywhere.
  await prompt.getByTestId("move-anyway").click();
  await expect(loser.getByTestId("conflict-prompt")).toHaveCount(0);
  await expect(cardIn(loser, loserStatus, contested)).toBeVisible();
  await expect(cardIn(winner, loserStatus, contested)).toBeVisible();
  await history.reload();
  await expect(history.getByLabel("Status", { exact: true })).toHaveValue(String(loserStatus));
});

test("a viewer who was offline catches up exactly: nothing missing, nothing doubled", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("O");
  await projectWithIssues(request, key, ["One", "Two", "Three", "Four"]);
  const aContext = await userContext(browser, "alice");
  const bContext = await userContext(browser, "bob");
  const a = await aContext.newPage();
  const b = await bContext.newPage();
  await openBoard(a, key);
  await openBoard(b, key);

  await bContext.setOffline(true);
  await expect(b.getByTestId("connection")).toHaveAttribute("data-state", "offline");
  // A makes 5 moves while B is away.
  await dragTo(a, `${key}-1`, 2);
  await dragTo(a, `${key}-2`, 3);
  await dragTo(a, `${key}-3`, 4);
  await dragTo(a, `${key}-1`, 4);
  await dragTo(a, `${key}-4`, 2);
  await expect(cardIn(a, 2, `${key}-4`)).toBeVisible();
  await expect.poll(async () => (await a.locator(".card.saving").count()), { timeout: 5_000 }).toBe(0);
  const expected = await boardState(a);

  await bContext.setOffline(false);
  await expect(b.getByTestId("connection")).toHaveAttribute("data-state", "live", { timeout: 10_000 });
  await expect.poll(() => boardState(b), { timeout: 5_000 }).toEqual(expected);
  const keys = Object.values(await boardState(b)).flat();
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys.length).toBe(4);
});

test("with JavaScript off the board HTML holds every card in its column", async ({ browser, request }) => {
  const key = uniqueKey("S");
  await projectWithIssues(request, key, ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]);
  await execute(request, key, { type: "move_issue", issue: 2, to: 2, after: null }, "alice", 1);
  await execute(request, key, { type: "move_issue", issue: 4, to: 4, after: null }, "alice", 1);
  await execute(request, key, { type: "set_wip_limit", status: 4, limit: 1 }, "alice", 1);
  await execute(request, key, { type: "move_issue", issue: 5, to: 4, after: 4 }, "alice", 1);
  const page = await (await userContext(browser, "alice", { javaScriptEnabled: false })).newPage();
  await page.goto(`/p/${key}/board`);
  const columns = { 1: [`${key}-1`, `${key}-3`], 2: [`${key}-2`], 3: [], 4: [`${key}-4`, `${key}-5`] };
  expect(await boardState(page)).toEqual(columns);
  await expect(page.locator('[data-status="4"] .count')).toHaveText("2 / 1");
  await expect(page.locator('[data-status="4"]')).toHaveClass(/over-limit/);
  await expect(card(page, `${key}-2`)).toContainText("Bravo");
  // Filters are links: the filtered board renders on the server too.
  await page.goto(`/p/${key}/board?q=charlie`);
  expect(Object.values(await boardState(page)).flat()).toEqual([`${key}-3`]);
});

test("keyboard moves: Alt+arrows move the focused card and say so", async ({ page, request }) => {
  const key = uniqueKey("K");
  await projectWithIssues(request, key, ["First", "Second", "Third"]);
  await openBoard(page, key);
  await card(page, `${key}-1`).focus();
  await page.keyboard.press("Alt+ArrowRight");
  await expect(cardIn(page, 2, `${key}-1`)).toBeVisible();
  await expect(page.getByTestId("announcer")).toHaveText(`${key}-1 moved to In Progress, position 1 of 1.`);
  await expect(card(page, `${key}-1`)).toBeFocused();
  // Within a column.
  await card(page, `${key}-3`).focus();
  await page.keyboard.press("Alt+ArrowUp");
  await expect.poll(async () => (await boardState(page))["1"]).toEqual([`${key}-3`, `${key}-2`]);
  await expect.poll(async () => (await page.locator(".card.saving").count())).toBe(0);
  await page.reload();
  await hydrated(page);
  expect(await boardState(page)).toEqual({ 1: [`${key}-3`, `${key}-2`], 2: [`${key}-1`], 3: [], 4: [] });
});

test("quick create adds a card at once and keeps it", async ({ page, request }) => {
  const key = uniqueKey("Q");
  await projectWithIssues(request, key, ["Existing"]);
  await openBoard(page, key);
  await page.getByRole("button", { name: "+ Create issue" }).click();
  await page.getByLabel("New issue title").fill("Created on the board");
  await page.getByLabel("New issue title").press("Enter");
  await expect(cardIn(page, 1, `${key}-2`)).toContainText("Created on the board");
  await expect.poll(async () => (await page.locator(".card.saving").count())).toBe(0);
  await page.reload();
  await expect(cardIn(page, 1, `${key}-2`)).toContainText("Created on the board");
});

test("touch: a resting finger drags a card, a quick swipe does not", async ({ browser, request }) => {
  const key = uniqueKey("T");
  await projectWithIssues(request, key, ["Touch me", "Stay put"]);
  const context = await userContext(browser, "alice", {
    hasTouch: true,
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  await openBoard(page, key);
  const cdp = await context.newCDPSession(page);
  const touch = (type: string, x: number, y: number) =>
    cdp.send("Input.dispatchTouchEvent", {
      type,
      touchPoints: type === "touchEnd" ? [] : [{ x, y, id: 1 }],
    });
  const from = (await card(page, `${key}-2`).boundingBox())!;
  const to = (await page.locator('[data-status="3"] .cards').boundingBox())!;
  const [x, y] = [from.x + from.width / 2, from.y + 12];

  // A quick swipe (as when scrolling a column) does not drag.
  await touch("touchStart", x, y);
  for (let i = 1; i <= 5; i++) await touch("touchMove", x + i * 4, y + i * 30);
  await touch("touchEnd", x + 20, y + 150);
  await expect(page.locator(".drag-ghost")).toHaveCount(0);
  await expect(cardIn(page, 1, `${key}-2`)).toBeVisible();

  // Resting first, then moving, drags the card.
  await touch("touchStart", x, y);
  await page.waitForTimeout(450);
  await touch("touchMove", x + 10, y + 10);
  for (let i = 1; i <= 8; i++) {
    await touch("touchMove", x + ((to.x + 60 - x) * i) / 8, y + ((to.y + 20 - y) * i) / 8);
  }
  await touch("touchEnd", to.x + 60, to.y + 20);
  await expect(cardIn(page, 3, `${key}-2`)).toBeVisible();
  await expect.poll(async () => (await page.locator(".card.saving").count())).toBe(0);
  await page.reload();
  await expect(cardIn(page, 3, `${key}-2`)).toBeVisible();
});
