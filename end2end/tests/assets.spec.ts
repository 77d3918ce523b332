import { test, expect, hydrated, userContext } from "./fixtures";

/** The script, WebAssembly and style sheet a page links to. */
async function linkedCode(page: import("@playwright/test").Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLLinkElement>('link[href^="/pkg/"]')].map((l) => l.getAttribute("href")!),
  );
}

test("the app's code has hashed names and is sent as compressed at build time, kept for good", async ({ page, request }) => {
  await page.goto("/");
  await hydrated(page);
  const code = await linkedCode(page);
  for (const kind of ["js", "wasm", "css"]) {
    expect(code.filter((c) => c.endsWith(`.${kind}`)), kind).toHaveLength(1);
  }
  for (const path of code) {
    expect(path).toMatch(/^\/pkg\/kanri\.[A-Za-z0-9_-]{16,}\.(js|wasm|css)$/);
    const plain = await request.get(path, { headers: { "accept-encoding": "identity" } });
    expect(plain.status()).toBe(200);
    expect(plain.headers()["content-encoding"]).toBeUndefined();
    const size = Number(plain.headers()["content-length"]);
    for (const encoding of ["br", "gzip"]) {
      const packed = await request.get(path, { headers: { "accept-encoding": encoding } });
      expect(packed.headers()["content-encoding"], `${path} as ${encoding}`).toBe(encoding);
      expect(packed.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(packed.headers()["vary"]).toBe("accept-encoding");
      expect(Number(packed.headers()["content-length"]), `${path} as ${encoding}`).toBeLessThan(size);
      // Decompressed, it is the same file.
      expect((await packed.body()).equals(await plain.body()), `${path} as ${encoding}`).toBe(true);
    }
  }
  // A name the build never made is a plain 404, not kept.
  const unknown = await request.get("/pkg/kanri.AAAAAAAAAAAAAAAAAAAAAA.wasm");
  expect(unknown.status()).toBe(404);
  expect(unknown.headers()["cache-control"]).toBeUndefined();
  // No way out of the directory.
  for (const hostile of ["/pkg/../Cargo.toml", "/pkg/%2e%2e/Cargo.toml", "/pkg/..%2f..%2fCargo.toml"]) {
    const res = await request.get(hostile);
    expect(await res.text(), hostile).not.toContain("[workspace]");
  }
});

test("a returning browser loads the code from its cache and downloads none of it", async ({ browser }) => {
  // The service worker would stand between the page and the cache: this is
  // about the browser's own cache.
  const context = await userContext(browser, "alice", { serviceWorkers: "block" });
  const page = await context.newPage();
  const transfers = () =>
    page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => new URL(e.name).pathname.startsWith("/pkg/"))
        .map((e) => {
          const r = e as PerformanceResourceTiming;
          return { path: new URL(r.name).pathname, transferred: r.transferSize, size: r.decodedBodySize };
        }),
    );
  await page.goto("/");
  await hydrated(page);
  const first = await transfers();
  expect(first.find((t) => t.path.endsWith(".wasm"))?.transferred).toBeGreaterThan(0);

  await page.goto("/");
  await hydrated(page);
  const again = await transfers();
  expect(again.map((t) => t.path).sort()).toEqual(first.map((t) => t.path).sort());
  for (const t of again) {
    expect(t.transferred, `${t.path} came from the cache`).toBe(0);
    expect(t.size, `${t.path} was loaded`).toBeGreaterThan(0);
  }
  await context.close();
});
