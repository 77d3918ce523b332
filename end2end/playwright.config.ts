import { defineConfig } from "@playwright/test";

// ./kanri test sets these: a free loopback port, a throwaway database and the
// debug server cargo test built (beside a copy of the release site's
// hash.txt). The defaults let `npx playwright test` run against a server you
// started yourself on 127.0.0.1:3000.
const port = Number(process.env.KANRI_E2E_PORT ?? 3000);
const baseURL = `http://127.0.0.1:${port}`;
const server = process.env.KANRI_E2E_SERVER;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  // The tests share one server and database; each uses its own project keys.
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download does not work here.
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: server
    ? {
        command: `"${server}"`,
        url: `${baseURL}/healthz`,
        reuseExistingServer: false,
        timeout: 60_000,
        stdout: "pipe",
        stderr: "pipe",
        env: {
          KANRI_ADDR: `127.0.0.1:${port}`,
          DATABASE_URL: process.env.KANRI_E2E_DB ?? "",
          LEPTOS_SITE_ROOT: process.env.KANRI_SITE_ROOT ?? "../target/site",
          RUST_LOG: process.env.RUST_LOG ?? "warn",
          // The suite signs up its own alice, bob and carol.
          KANRI_NO_DEMO: "1",
          // The webhook test's receiver listens on 127.0.0.1.
          KANRI_WEBHOOK_ALLOW_PRIVATE: "1",
        },
      }
    : undefined,
});
