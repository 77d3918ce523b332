import { test, expect, origin, hydrated, sessionState, PASSWORD } from "./fixtures";

/** The page's background colour, as drawn. */
const background = (page: import("@playwright/test").Page) =>
  page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const LIGHT = "rgb(246, 247, 249)";
const DARK = "rgb(15, 17, 21)";

test("a page follows the device's colour scheme until the user chooses", async ({ browser }) => {
  for (const [scheme, colour, pressed] of [["dark", DARK, "true"], ["light", LIGHT, "false"]] as const) {
    const context = await browser.newContext({ baseURL: origin, colorScheme: scheme, storageState: await sessionState("alice") });
    const page = await context.newPage();
    await page.goto("/");
    await hydrated(page);
    expect(await page.locator("html").getAttribute("data-theme")).toBeNull();
    expect(await background(page)).toBe(colour);
    await expect(page.getByTestId("theme-toggle")).toHaveAttribute("aria-pressed", pressed);
    await context.close();
  }
});

test("a chosen theme is kept for the account: rendered by the server, on every browser it signs in on", async ({ browser }) => {
  const user = `theme${Date.now() % 1_000_000}`;
  // A theme chosen before signing up becomes the new account's.
  const first = await browser.newContext({ baseURL: origin, colorScheme: "light", storageState: { cookies: [], origins: [] } });
  const page = await first.newPage();
  await page.goto("/signup");
  await hydrated(page);
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect.poll(() => background(page)).toBe(DARK);
  // Wait for the cookie: the choice is applied at once, then kept.
  await expect.poll(async () => (await first.cookies()).find((c) => c.name === "kanri-theme")?.value).toBe("dark");
  const up = await first.request.post("/auth/sign-up", {
    data: { name: user, email: `${user}@example.test`, display_name: "Theo", password: PASSWORD },
    headers: { Accept: "application/json" },
  });
  expect(up.ok(), await up.text()).toBeTruthy();

  // The account page offers the three choices; light is applied at once.
  await page.goto("/account");
  await hydrated(page);
  const panel = page.getByTestId("theme");
  await expect(panel.getByRole("radio", { name: "Dark" })).toBeChecked();
  await panel.getByRole("radio", { name: "Light" }).check();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await expect(page.getByTestId("theme-toggle")).toHaveAttribute("aria-pressed", "false");
  await expect.poll(async () => (await first.cookies()).find((c) => c.name === "kanri-theme")?.value).toBe("light");
  // Then dark again with the top bar's switch.
  await page.getByTestId("theme-toggle").click();
  await expect(panel.getByRole("radio", { name: "Dark" })).toBeChecked();
  await expect.poll(async () => (await first.cookies()).find((c) => c.name === "kanri-theme")?.value).toBe("dark");

  // The server renders the choice into the HTML: no flash before scripts run.
  const html = await (await first.request.get("/account")).text();
  expect(html).toContain('<html lang="en" data-theme="dark"');

  // Another browser, light by its device, gets the account's theme on sign-in.
  const second = await browser.newContext({ baseURL: origin, colorScheme: "light", storageState: { cookies: [], origins: [] } });
  const signIn = await second.request.post("/auth/sign-in", {
    data: { login: user, password: PASSWORD },
    headers: { Accept: "application/json" },
  });
  expect(signIn.ok(), await signIn.text()).toBeTruthy();
  const other = await second.newPage();
  await other.goto("/");
  await hydrated(other);
  await expect(other.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await background(other)).toBe(DARK);

  // "Same as the device" removes the choice everywhere it is next signed in.
  await page.getByTestId("theme").getByRole("radio", { name: "Same as the device" }).check();
  await expect.poll(() => page.locator("html").getAttribute("data-theme")).toBeNull();
  await expect.poll(async () => (await first.cookies()).find((c) => c.name === "kanri-theme")).toBeUndefined();
  const again = await second.request.post("/auth/sign-in", {
    data: { login: user, password: PASSWORD },
    headers: { Accept: "application/json" },
  });
  expect(again.ok()).toBeTruthy();
  await other.goto("/");
  expect(await other.locator("html").getAttribute("data-theme")).toBeNull();
  expect(await background(other)).toBe(LIGHT);
  await first.close();
  await second.close();
});

test("a theme that is none of the three is refused, and a forged cookie changes nothing", async ({ browser, request }) => {
  const res = await request.post("/api/fn/set_theme", {
    form: { theme: 'dark"><script>alert(1)</script>' },
    headers: { Accept: "application/json" },
  });
  expect(res.status()).toBe(422);
  expect(await res.text()).toContain("is not a theme (system, light or dark)");
  expect(res.headers()["set-cookie"]).toBeUndefined();

  const context = await browser.newContext({ baseURL: origin, storageState: { cookies: [], origins: [] } });
  await context.addCookies([{ name: "kanri-theme", value: "dark%22%3E%3Cscript%3E", url: origin }]);
  const html = await (await context.request.get("/login")).text();
  expect(html).toContain('<html lang="en">');
  expect(html).not.toContain("<script>alert");
  await context.close();
});
