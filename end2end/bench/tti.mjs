// Time to interactive on a throttled phone profile: Chromium with its
// network at 1.6 Mbps down / 750 kbps up and 150 ms round trips, its CPU 4×
// slower, an empty cache. For the board and an issue page it prints when
// the server-rendered content is first painted and when the page has
// hydrated (a card can be moved, a field edited).
//
// Usage (./kanri bench tti does all of this): KANRI_BENCH_ORIGIN=http://127.0.0.1:PORT
// of a Kanri server with no demo data; node end2end/bench/tti.mjs [runs]

import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { chromium } = require("@playwright/test");

const origin = process.env.KANRI_BENCH_ORIGIN ?? "http://127.0.0.1:3000";
const runs = Number(process.argv[2] ?? 3);
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const NETWORK = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1_000_000) / 8,
  uploadThroughput: (750 * 1_000) / 8,
};
const CPU_SLOWDOWN = 4;

/** A user, a project with 30 cards over its columns, and the session cookie. */
async function seed(browser) {
  const context = await browser.newContext({ baseURL: origin });
  const api = context.request;
  const user = `tti${Date.now() % 1_000_000}`;
  const json = { Accept: "application/json" };
  const up = await api.post("/auth/sign-up", {
    data: { name: user, email: `${user}@example.test`, display_name: "Tina Timer", password: "correct horse battery" },
    headers: json,
  });
  if (!up.ok()) throw new Error(`sign-up: ${up.status()} ${await up.text()}`);
  const key = `TTI${String.fromCharCode(65 + (Date.now() % 26))}`;
  const made = await api.post("/api/fn/create_project", { form: { name: "Phone launch", key, kind: "kanban" }, headers: json });
  if (!made.ok()) throw new Error(`create_project: ${await made.text()}`);
  for (let i = 1; i <= 30; i++) {
    const envelope = {
      id: crypto.randomUUID(),
      project: key,
      base_version: 0,
      command: { type: "create_issue", title: `Card ${i}: a task of the launch`, issue_type: "task", priority: "medium", reporter: user },
    };
    const res = await api.post("/api/fn/execute", { data: { envelope }, headers: json });
    if (!res.ok()) throw new Error(`create_issue: ${await res.text()}`);
    if (i % 3 !== 0) {
      const move = { id: crypto.randomUUID(), project: key, base_version: 1, command: { type: "move_issue", issue: i, to: 1 + (i % 4), after: null } };
      await api.post("/api/fn/execute", { data: { envelope: move }, headers: json });
    }
  }
  const state = await context.storageState();
  await context.close();
  return { key, state };
}

/** One cold load of `path`: first paint of server-rendered `selector`, and hydration. */
async function load(browser, state, path, selector) {
  const context = await browser.newContext({ ...PHONE, baseURL: origin, storageState: state, serviceWorkers: "block" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", NETWORK);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  // Marks, relative to navigation start, taken inside the page.
  await page.addInitScript((selector) => {
    const seen = {};
    window.__kanriMarks = seen;
    const check = () => {
      if (!seen.content && document.querySelector(selector)) {
        seen.content = performance.now();
        requestAnimationFrame(() => (seen.painted = performance.now()));
      }
      if (!seen.hydrated && document.body?.hasAttribute("data-hydrated")) seen.hydrated = performance.now();
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
    document.addEventListener("DOMContentLoaded", check);
  }, selector);
  await page.goto(path, { waitUntil: "commit" });
  await page.waitForSelector("body[data-hydrated]", { timeout: 120_000 });
  const marks = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const wasm = performance.getEntriesByType("resource").find((r) => r.name.endsWith(".wasm"));
    return { ...window.__kanriMarks, fcp: fcp?.startTime, wasmBytes: wasm?.transferSize, wasmDone: wasm?.responseEnd };
  });
  await context.close();
  return marks;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(2)} s`);

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  const { key, state } = await seed(browser);
  console.log(`time to interactive, Chromium throttled: 1.6 Mbps down, 150 ms RTT, CPU ${CPU_SLOWDOWN}× slower, empty cache, 390×844 touch; median of ${runs}`);
  for (const [name, path, selector] of [
    ["board (30 cards)", `/p/${key}/board`, ".card"],
    ["issue page", `/p/${key}/issues/${key}-1`, "[data-testid=issue-title]"],
  ]) {
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await load(browser, state, path, selector));
    const pick = (k) => median(all.map((m) => m[k]).filter((v) => v !== undefined));
    console.log(
      `${name.padEnd(18)} server-rendered content in the page ${s(pick("content")).padStart(7)} · first contentful paint ${s(pick("fcp")).padStart(7)}` +
        ` · WASM in ${s(pick("wasmDone")).padStart(7)} (${Math.round((pick("wasmBytes") ?? 0) / 1024)} KB sent)` +
        ` · interactive (hydrated) ${s(pick("hydrated")).padStart(7)}`,
    );
  }
} finally {
  await browser.close();
}
