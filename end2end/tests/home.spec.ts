import { test, expect, uniqueKey, hydrated, createProject, userContext } from "./fixtures";

test("the server-rendered home page lists projects without JavaScript", async ({ browser, request }) => {
  const key = uniqueKey("S");
  await createProject(request, `Server rendered ${key}`, key);

  // The raw HTML already holds the project.
  const html = await (await request.get("/")).text();
  expect(html).toContain(`Server rendered ${key}`);

  const context = await userContext(browser, "alice", { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  const card = page.locator(`.project-card[data-key="${key}"]`);
  await expect(card).toContainText(`Server rendered ${key}`);
  await expect(card.locator("a")).toHaveAttribute("href", `/p/${key}/board`);
  await context.close();
});

test("creating a project through the form shows it at once and it survives a reload", async ({ page }) => {
  const key = uniqueKey("C");
  await page.goto("/");
  await hydrated(page);
  // A marker that a full page load would wipe out.
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await page.getByLabel("Name").fill(`Created in the browser ${key}`);
  await page.getByLabel("Key").fill(key.toLowerCase()); // typed lowercase, shown uppercase
  await expect(page.getByLabel("Key")).toHaveValue(key);
  await page.getByLabel(/Kanban/).check();
  await page.getByRole("button", { name: "Create project" }).click();

  const card = page.locator(`.project-card[data-key="${key}"]`);
  await expect(card).toContainText(`Created in the browser ${key}`);
  await expect(card).toContainText("Kanban · 0 issues");
  await expect(page.getByTestId("created")).toContainText(key);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await expect(page.getByLabel("Name")).toHaveValue("");

  await page.reload();
  await expect(page.locator(`.project-card[data-key="${key}"]`)).toContainText(`Created in the browser ${key}`);
});

test.describe(() => {
test.use({ expectHttpErrors: true });
test("bad input shows a clear error on its field and stores nothing", async ({ page, request }) => {
  const existing = uniqueKey("D");
  await createProject(request, "Already here", existing);
  await page.goto("/");
  await hydrated(page);
  const cards = page.locator(".project-card");
  const before = await cards.count();
  const submit = page.getByRole("button", { name: "Create project" });

  // Both fields wrong: both errors show at once.
  await page.getByLabel("Name").fill(" ");
  await page.getByLabel("Key").fill("a1");
  await submit.click();
  await expect(page.getByTestId("name-error")).toContainText("must not be empty");
  await expect(page.getByTestId("key-error")).toContainText("2–10 uppercase letters");

  const attempts: Array<[string, string, string, string]> = [
    ["", "GOODKEY", "name-error", "must not be empty"],
    ["A name", "A", "key-error", "2–10 uppercase letters"],
    ["A name", "AB1", "key-error", "2–10 uppercase letters"],
    ["A name", "ABCDEFGHIJK", "key-error", "2–10 uppercase letters"],
    ["A name", existing, "key-error", `The key ${existing} is not available; choose another`],
  ];
  for (const [name, key, errorId, message] of attempts) {
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Key").fill(key);
    await submit.click();
    await expect(page.getByTestId(errorId)).toContainText(message);
    const field = errorId === "name-error" ? page.getByLabel("Name") : page.getByLabel("Key");
    await expect(field).toHaveAttribute("aria-invalid", "true");
  }
  await expect(cards).toHaveCount(before);
  await page.reload();
  await expect(cards).toHaveCount(before);
});
});
