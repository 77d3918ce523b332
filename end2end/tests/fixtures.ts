import { test as base, expect, Page, request as api, APIRequestContext } from "@playwright/test";

/** Where ./kanri test's server listens (as in playwright.config.ts). */
export const origin = `http://127.0.0.1:${Number(process.env.KANRI_E2E_PORT ?? 3000)}`;

/** Every test account's password (the accounts exist only in the test database). */
export const PASSWORD = "correct horse battery";

type SessionState = Awaited<ReturnType<APIRequestContext["storageState"]>>;

/** Each user's session cookies, made once per worker: argon2 makes sign-up slow on purpose. */
const sessions = new Map<string, SessionState>();

/**
 * The cookies of a session for `user`: the account is signed up on first
 * use (or signed in, if an earlier run made it). Contexts are per test, so
 * only the cookies are kept.
 */
export async function sessionState(user: string): Promise<SessionState> {
  const known = sessions.get(user);
  if (known) return known;
  // An explicitly empty jar: inside a test, new contexts inherit the
  // configured storage state, and signing in over alice's session would
  // replace it.
  const context = await api.newContext({ baseURL: origin, storageState: { cookies: [], origins: [] } });
  try {
    const headers = { Accept: "application/json" };
    const email = `${user}@example.test`;
    const up = await context.post("/auth/sign-up", {
      data: { name: user, email, display_name: user[0].toUpperCase() + user.slice(1), password: PASSWORD },
      headers,
    });
    if (up.status() === 409) {
      const signIn = await context.post("/auth/sign-in", { data: { login: user, password: PASSWORD }, headers });
      expect(signIn.ok(), await signIn.text()).toBeTruthy();
    } else {
      expect(up.ok(), await up.text()).toBeTruthy();
    }
    const state = await context.storageState();
    sessions.set(user, state);
    return state;
  } finally {
    await context.dispose();
  }
}

/** Runs `body` with an API context signed in as `user`. */
export async function asUser<T>(user: string, body: (request: APIRequestContext) => Promise<T>): Promise<T> {
  const context = await api.newContext({ baseURL: origin, storageState: await sessionState(user) });
  try {
    return await body(context);
  } finally {
    await context.dispose();
  }
}

/** The people every test project has besides its admin alice. */
export const TEAM = ["bob", "carol", "dan"];

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

/**
 * Creates a project through the server function, as a form post without JS
 * would. Kanban by default: its board shows every issue without a sprint.
 */
export async function createProject(
  request: import("@playwright/test").APIRequestContext,
  name: string,
  key: string,
  kind: "scrum" | "kanban" = "kanban",
) {
  const res = await request.post("/api/fn/create_project", {
    form: { name, key, kind },
    headers: { Accept: "application/json" },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  for (const user of TEAM) {
    await sessionState(user);
    await addMember(request, key, user, "member");
  }
}

/** Invites `login` (user name or e-mail address) into `project` as its admin alice. */
export async function addMember(request: Request, project: string, login: string, role: string) {
  const res = await request.post("/api/fn/add_member", {
    form: { project, login, role },
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
  // API calls act as alice, like the default page (the built-in fixture
  // does not take the config's storage state).
  request: async ({}, use) => {
    await asUser("alice", use);
  },
  storageState: async ({}, use) => {
    await use(await sessionState("alice"));
  },
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

type Request = import("@playwright/test").APIRequestContext;

/** Runs a command through the API as `user`; returns the outcome. */
export async function execute(request: Request, project: string, command: object, user = "alice", base = 0) {
  const envelope = { id: crypto.randomUUID(), project, base_version: base, command };
  const send = async (as: Request) => {
    const res = await as.post("/api/fn/execute", {
      data: { envelope },
      headers: { Accept: "application/json" },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
    return res.json();
  };
  return user === "alice" ? send(request) : asUser(user, send);
}

/** Creates a project with issues titled `titles` (all in the first column). */
export async function projectWithIssues(
  request: Request,
  key: string,
  titles: string[],
  kind: "scrum" | "kanban" = "kanban",
) {
  await createProject(request, `Board ${key}`, key, kind);
  for (const title of titles) {
    await execute(request, key, {
      type: "create_issue",
      title,
      issue_type: "task",
      priority: "medium",
      reporter: "alice",
    });
  }
}

/** A browser context signed in as `user`, with any other context `options`. */
export async function userContext(
  browser: import("@playwright/test").Browser,
  user: string,
  options: import("@playwright/test").BrowserContextOptions = {},
) {
  return browser.newContext({ baseURL: origin, ...options, storageState: await sessionState(user) });
}

/** Opens a board and waits until it is hydrated and live. */
export async function openBoard(page: Page, key: string) {
  await page.goto(`/p/${key}/board`);
  await hydrated(page);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "live");
}

/** Card keys per column, in order: what the board shows. */
export async function boardState(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(() => {
    const state: Record<string, string[]> = {};
    document.querySelectorAll("[data-status]").forEach((column) => {
      const keys = Array.from(column.querySelectorAll(".card[data-key]")).map((c) => c.getAttribute("data-key")!);
      state[column.getAttribute("data-status")!] = keys;
    });
    return state;
  });
}

export function card(page: Page, key: string) {
  return page.locator(`.card[data-key="${key}"]`);
}

export function cardIn(page: Page, status: number, key: string) {
  return page.locator(`[data-status="${status}"] .card[data-key="${key}"]`);
}

/** Presses a card and moves the pointer over column `status` (no release). */
export async function pickUp(page: Page, key: string, status: number) {
  const box = (await card(page, key).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 12);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 10, box.y + 24, { steps: 2 });
  const target = (await page.locator(`[data-status="${status}"] .cards`).boundingBox())!;
  await page.mouse.move(target.x + target.width / 2, target.y + 20, { steps: 6 });
}

/** Drags a card with the mouse to the top of column `status`. */
export async function dragTo(page: Page, key: string, status: number) {
  await pickUp(page, key, status);
  await page.mouse.up();
}
