import { Page } from "@playwright/test";
import {
  test,
  expect,
  uniqueKey,
  hydrated,
  projectWithIssues,
  userContext,
  openBoard,
  asUser,
  card,
  cardIn,
  dragTo,
} from "./fixtures";

// Workflow columns of a new project: 1 To Do, 2 In Progress, 3 In Review, 4 Done.

/** Waits until the service worker controls the page and keeps it (and the app's code) for offline reloads. */
async function keptForOffline(page: Page) {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          if (!navigator.serviceWorker.controller) return "no worker yet";
          // The script, WebAssembly and style sheet, under their hashed names.
          const code = [...document.querySelectorAll<HTMLLinkElement>('link[href^="/pkg/"]')].map((l) => l.getAttribute("href")!);
          if (!code.some((c) => c.endsWith(".wasm")) || !code.some((c) => c.endsWith(".js"))) return `no code linked: ${code}`;
          const kept = await Promise.all([location.href, ...code].map((u) => caches.match(u)));
          return kept.every(Boolean) ? "kept" : "not kept yet";
        }),
      { timeout: 20_000 },
    )
    .toBe("kept");
}

type LogEvent = { seq: number; stream: string; actor: string; type: string; command_id: string };

/** The project's whole log, from the REST event feed. */
async function log(request: import("@playwright/test").APIRequestContext, key: string): Promise<LogEvent[]> {
  const res = await request.get(`/api/v1/projects/${key}/events?after=0&limit=200`);
  expect(res.status(), await res.text()).toBe(200);
  const page = await res.json();
  expect(page.more).toBe(false);
  return page.events;
}

/** Runs a REST write as bob, at whatever version the issue has now. */
async function asBob(method: "POST" | "PATCH", path: string, data: object) {
  await asUser("bob", async (bob) => {
    const res = await bob.fetch(`/api/v1${path}`, { method, data, headers: { "If-Match": "*" } });
    expect(res.status(), await res.text()).toBe(200);
  });
}

test("offline: moves and a field edit survive a reload, land exactly once, and a conflicting change is surfaced", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("Q");
  await projectWithIssues(request, key, ["One", "Two", "Three"]);
  const context = await userContext(browser, "alice");
  const page = await context.newPage();
  // Pages opened online are kept for offline reloads.
  await page.goto(`/p/${key}/issues/${key}-3`);
  await hydrated(page);
  await keptForOffline(page);
  await openBoard(page, key);
  await keptForOffline(page);

  await context.setOffline(true);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "offline");
  // Meanwhile bob moves One (alice moves it too, below) and renames Two (she moves it).
  await asBob("POST", `/issues/${key}-1/move`, { status: "In Review", after: null });
  await asBob("PATCH", `/issues/${key}-2`, { title: "Two, renamed by bob" });

  await dragTo(page, `${key}-1`, 4);
  await dragTo(page, `${key}-2`, 2);
  await expect(cardIn(page, 4, `${key}-1`)).toBeVisible();
  await expect(cardIn(page, 2, `${key}-2`)).toBeVisible();
  await expect(page.getByTestId("sync-badge")).toHaveText("Offline — 2 changes pending");

  // A field edit on the issue page, opened while still offline.
  await page.goto(`/p/${key}/issues/${key}-3`);
  await hydrated(page);
  await page.getByLabel("Priority", { exact: true }).selectOption("High");
  await expect(page.getByTestId("queued-priority")).toContainText("High");
  await expect(page.getByTestId("sync-badge")).toHaveText("Offline — 3 changes pending");

  // Back on the board, still offline: the queue survived and still shows.
  await page.goto(`/p/${key}/board`);
  await hydrated(page);
  await expect(page.getByTestId("sync-badge")).toHaveText("Offline — 3 changes pending");
  await expect(cardIn(page, 4, `${key}-1`)).toBeVisible();
  await expect(cardIn(page, 2, `${key}-2`)).toBeVisible();

  await context.setOffline(false);
  // The clash is surfaced, not overwritten; the rest lands (the rename merges silently).
  const prompt = page.getByTestId("conflict-prompt");
  await expect(prompt).toContainText(`bob moved ${key}-1 to In Review`, { timeout: 15_000 });
  await expect(prompt).toContainText("Your change was not applied: move to Done");
  await expect(page.getByTestId("sync-badge")).toHaveCount(0, { timeout: 15_000 });
  await expect(cardIn(page, 3, `${key}-1`)).toBeVisible();
  await expect(cardIn(page, 2, `${key}-2`)).toBeVisible();
  await expect(card(page, `${key}-2`)).toContainText("Two, renamed by bob");
  await expect(page.getByTestId("error-notice")).toHaveCount(0);

  // Exactly once, in the log: alice's two changes, and her clash as a recorded conflict.
  const events = await log(request, key);
  const by = (actor: string, type: string, stream: string) =>
    events.filter((e) => e.actor === actor && e.type === type && e.stream === stream).length;
  expect(by("alice", "issue_moved", `${key}-2`)).toBe(1);
  expect(by("alice", "issue_priority_changed", `${key}-3`)).toBe(1);
  expect(by("alice", "issue_moved", `${key}-1`)).toBe(0);
  expect(by("alice", "conflict_recorded", `${key}-1`)).toBe(1);
  expect(by("bob", "issue_moved", `${key}-1`)).toBe(1);

  // Keeping theirs settles it; a reload brings nothing back.
  await prompt.getByTestId("keep-theirs").click();
  await expect(prompt).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "live");
  await expect(page.getByTestId("sync-badge")).toHaveCount(0);
  expect(await log(request, key)).toEqual(events);
  await context.close();
});

test("offline on an issue page: the edit waits through a reload, and a clash asks before it is saved anyway", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("R");
  await projectWithIssues(request, key, ["Flaky login"]);
  const context = await userContext(browser, "alice");
  const page = await context.newPage();
  await page.goto(`/p/${key}/issues/${key}-1`);
  await hydrated(page);
  await keptForOffline(page);

  await context.setOffline(true);
  // Bob sets the same field meanwhile.
  await asBob("PATCH", `/issues/${key}-1`, { priority: "low" });
  await page.getByLabel("Priority", { exact: true }).selectOption("High");
  await expect(page.getByTestId("queued-priority")).toContainText("High");
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("queued-changes")).toContainText(`set the priority to High (${key}-1)`);
  await expect(page.getByTestId("sync-badge")).toHaveText("Offline — 1 change pending");

  await context.setOffline(false);
  const clash = page.getByTestId("replay-conflict");
  await expect(clash).toContainText("bob changed the priority from Medium to Low", { timeout: 15_000 });
  await expect(page.getByTestId("sync-badge")).toHaveCount(0);
  await expect(page.getByLabel("Priority", { exact: true })).toHaveValue("Low");

  await clash.getByRole("button", { name: "Save mine anyway" }).click();
  await expect(clash).toHaveCount(0);
  await expect(page.getByLabel("Priority", { exact: true })).toHaveValue("High", { timeout: 10_000 });
  const changes = (await log(request, key)).filter((e) => e.type === "issue_priority_changed");
  expect(changes.map((e) => e.actor)).toEqual(["bob", "alice"]);
  await context.close();
});

test("server unreachable while the browser is online: an edit whose answer was lost is sent again under its id and lands once", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("U");
  await projectWithIssues(request, key, ["Slow network"]);
  // Playwright's routing does not see what a service worker fetches.
  const context = await userContext(browser, "alice", { serviceWorkers: "block" });
  const page = await context.newPage();
  await page.goto(`/p/${key}/issues/${key}-1`);
  await hydrated(page);

  // The server applies the edit, but its answer never arrives; then the
  // server cannot be reached until `reachable`.
  await page.route("**/api/fn/update_field", async (route) => {
    await route.fetch();
    await route.abort("connectionreset");
  });
  let reachable = false;
  let refused = 0;
  await page.route("**/api/fn/execute", async (route) => {
    if (reachable) return route.continue();
    refused++;
    return route.abort("connectionrefused");
  });
  const before = (await log(request, key)).length;
  const added = async () => (await log(request, key)).slice(before);

  await page.getByLabel("Priority", { exact: true }).selectOption("High");
  await expect(page.getByTestId("queued-priority")).toContainText("Saved in this browser: High");
  await expect(page.getByTestId("queued-changes")).toContainText(`set the priority to High (${key}-1)`);
  await expect(page.getByTestId("sync-badge")).toHaveText("Syncing 1 change…");
  // Retried while the server is away, with nothing more written.
  await expect.poll(() => refused, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  expect((await added()).map((e) => e.type)).toEqual(["issue_priority_changed"]);

  reachable = true;
  await expect(page.getByTestId("queued-changes")).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId("sync-badge")).toHaveCount(0);
  await expect(page.getByLabel("Priority", { exact: true })).toHaveValue("High");
  await expect(page.getByTestId("replay-conflict")).toHaveCount(0);
  // The repeat was recognised by its id: no second change, no conflict.
  const [change, ...more] = await added();
  expect(more).toEqual([]);
  expect([change.type, change.actor]).toEqual(["issue_priority_changed", "alice"]);

  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Priority", { exact: true })).toHaveValue("High");
  await expect(page.getByTestId("queued-changes")).toHaveCount(0);
  await context.close();
});
