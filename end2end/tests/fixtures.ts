import { test as base, expect, Page } from "@playwright/test";

/** A fresh project key (2–10 capital letters), unique within a test run. */
export function uniqueKey(prefix = "T"): string {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let n = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  let key = prefix;
  while (key.length < 9) {
    key += letters[n % 26];
    n = Math.floor(n / 26);
  }
  return key;
}

/** Waits until the WASM has hydrated the page (the app marks <body>). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 15_000 });
}

/** Creates a project through the server function, as a form post without JS would. */
export async function createProject(request: import("@playwright/test").APIRequestContext, name: string, key: string) {
  const res = await request.post("/api/fn/create_project", {
    form: { name, key },
    headers: { Accept: "application/json" },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
}

/**
 * Fails the test on any console error or uncaught exception in the page.
 * Tests that send bad input on purpose set `expectHttpErrors`: Chromium
 * logs every 4xx answer to fetch() as a console error.
 */
export const test = base.extend<{ expectHttpErrors: boolean; consoleErrors: string[] }>({
  expectHttpErrors: [false, { option: true }],
  consoleErrors: [
    async ({ page, expectHttpErrors }, use) => {
      const errors: string[] = [];
      const expected = /Failed to load resource: the server responded with a status of 4\d\d/;
      page.on("console", (msg) => {
        if (msg.type() === "error" && !(expectHttpErrors && expected.test(msg.text()))) errors.push(msg.text());
      });
      page.on("pageerror", (err) => errors.push(err.message));
      await use(errors);
      expect(errors, "console errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
