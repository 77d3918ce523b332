import { test, expect, hydrated } from "./fixtures";

// A browser without a session: signing in here must not touch alice's.
test.use({ storageState: { cookies: [], origins: [] } });

test("accounts: sign up, see yourself in the top bar, sign out, and a wrong password says so generically", async ({
  page,
}) => {
  const name = `u${Date.now().toString(36)}`;
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Grace Hopper");
  await page.getByLabel("User name").fill(name);
  await page.getByLabel("E-mail").fill(`${name}@example.com`);
  await page.getByLabel("Password").fill("cobol forever 1959");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL("/");
  await hydrated(page);
  await expect(page.locator(".signed-in-name")).toHaveText("Grace Hopper");
  await expect(page.locator(".avatar")).toHaveText("GH");

  // The same address twice is refused, with what was typed kept.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/login");
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Someone Else");
  await page.getByLabel("User name").fill(`${name}x`);
  await page.getByLabel("E-mail").fill(`${name}@example.com`);
  await page.getByLabel("Password").fill("another long password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toHaveText("an account with this e-mail address already exists");
  await expect(page.getByLabel("User name")).toHaveValue(`${name}x`);

  await page.goto("/login?next=/signup");
  await page.getByLabel("E-mail or user name").fill(name);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("wrong e-mail or password");
  await expect(page.getByLabel("E-mail or user name")).toHaveValue(name);
  await page.getByLabel("Password").fill("cobol forever 1959");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/signup");
  await expect(page.locator(".signed-in-name")).toHaveText("Grace Hopper");
});
