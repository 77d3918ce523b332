import { test, expect, uniqueKey, hydrated, projectWithIssues, execute, cardIn, origin } from "./fixtures";

test.describe("share links", () => {
  // After the revocation, the reader's reload is a 404.
  test.use({ expectHttpErrors: true });

  test("a link shows the live board read-only in a fresh browser, until it is revoked", async ({
    page,
    browser,
    request,
  }) => {
    const key = uniqueKey("S");
    await projectWithIssues(request, key, ["Public card", "Second card"]);

    // alice makes a link in the settings; its address is shown once.
    await page.goto(`/p/${key}/settings`);
    await hydrated(page);
    const panel = page.getByTestId("share-links");
    await panel.getByLabel("Link label").fill("For the client");
    await panel.getByRole("button", { name: "Create link" }).click();
    const url = await page.getByTestId("share-url").inputValue();
    expect(url).toMatch(new RegExp(`^${origin}/s/[A-Za-z0-9_-]{22}$`));
    await expect(panel.getByTestId("share-link")).toContainText("For the client");
    await expect(panel.getByTestId("share-link")).toContainText("never used");

    // A browser with no account at all opens it.
    const fresh = await browser.newContext({ baseURL: origin, storageState: { cookies: [], origins: [] } });
    const guest = await fresh.newPage();
    const errors: string[] = [];
    guest.on("pageerror", (e) => errors.push(e.message));
    guest.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await guest.goto(url);
    await hydrated(guest);
    await expect(guest.getByTestId("connection")).toHaveAttribute("data-state", "live");
    await expect(guest.getByTestId("read-only")).toBeVisible();
    await expect(cardIn(guest, 1, `${key}-1`)).toContainText("Public card");
    await expect(guest.locator(".quick-create")).toHaveCount(0);
    await expect(guest.getByRole("link", { name: "Settings" })).toHaveCount(0);
    expect(await guest.content()).not.toContain("@example.test");

    // It follows the team's moves live.
    await execute(request, key, { type: "move_issue", issue: 1, to: 2, after: null }, "bob", 1);
    await expect(cardIn(guest, 2, `${key}-1`)).toBeVisible();

    // Its issues open through the link, read-only.
    await guest.locator(`.card[data-key="${key}-2"] a.card-key`).click();
    await expect(guest).toHaveURL(new RegExp(`/s/[^/]+/issues/${key}-2$`));
    await expect(guest.getByTestId("issue-title")).toHaveText("Second card");
    // Nothing on the page changes anything (the top bar's theme switch is the browser's own).
    await expect(guest.locator("main").first().getByRole("button")).toHaveCount(0);
    await expect(guest.getByRole("button")).toHaveCount(1);
    await expect(guest.getByTestId("theme-toggle")).toHaveCount(1);
    await guest.goBack();
    await expect(guest.getByTestId("connection")).toHaveAttribute("data-state", "live");
    expect(errors).toEqual([]);

    // The settings now say when it was used.
    await page.reload();
    await hydrated(page);
    await expect(panel.getByTestId("share-link")).toContainText("last used");

    // Revoked: the open board's socket is closed at once, and the page is gone.
    await panel.getByRole("button", { name: "Revoke For the client" }).click();
    await expect(panel.getByTestId("share-link")).toHaveCount(0);
    await expect(guest.getByTestId("connection")).toHaveAttribute("data-state", "linkended", { timeout: 1_000 });
    await expect(guest.getByTestId("connection")).toHaveText("Link revoked");
    await guest.reload();
    await expect(guest.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(guest.getByText("Public card")).toHaveCount(0);
    await fresh.close();
  });
});
