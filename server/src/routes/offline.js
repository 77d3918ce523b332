// Kanri's service worker: keeps the pages a user opened, and the app's code,
// so that reloading a page while offline still shows it, with the changes
// queued in this browser on top. Pages always come from the network when it
// answers; the copy is only the fallback. Served at /offline.js.
"use strict";

const PAGES = "kanri-pages-v1";

self.addEventListener("install", () => self.skipWaiting());

// Take over open pages at once, and keep a copy of each, so the very first
// visit can already be reloaded offline.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      await self.clients.claim();
      const windows = await self.clients.matchAll({ type: "window" });
      await Promise.all(
        windows.map(async (w) => {
          const response = await fetch(w.url).catch(() => null);
          if (response) await keep(new Request(w.url), response);
        }),
      );
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Signing out forgets every page kept for the account.
  if (request.method === "POST" && url.pathname === "/auth/sign-out") {
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== "GET") return;
  const page = request.mode === "navigate";
  if (!page && !url.pathname.startsWith("/pkg/")) return;
  event.respondWith(
    fetch(request).then(
      (response) => {
        event.waitUntil(keep(request, response.clone()));
        return response;
      },
      async () => {
        const kept = await caches.match(request, { cacheName: PAGES, ignoreVary: true });
        return kept ?? offlinePage(page);
      },
    ),
  );
});

/** Keeps a copy of a good answer, and of the code a page loads. */
async function keep(request, response) {
  if (!response.ok || response.type !== "basic") return;
  const cache = await caches.open(PAGES);
  const type = response.headers.get("content-type") ?? "";
  const html = type.startsWith("text/html") ? await response.clone().text() : null;
  await cache.put(request, response);
  if (html !== null) await keepAssets(cache, html);
}

/**
 * Keeps the script, WebAssembly and style sheet a page refers to. Their names
 * carry a hash of their content, so a kept copy never goes stale; the copies
 * of an earlier version, which no page loads any more, are dropped.
 */
async function keepAssets(cache, html) {
  const assets = new Set(html.match(/\/pkg\/[A-Za-z0-9_.\-]+/g) ?? []);
  if (assets.size === 0) return;
  await Promise.all(
    [...assets].map(async (path) => {
      if (await cache.match(path)) return;
      const response = await fetch(path).catch(() => null);
      if (response?.ok) await cache.put(path, response);
    }),
  );
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/pkg/") && !assets.has(path)) await cache.delete(request);
  }
}

function offlinePage(page) {
  if (!page) return Response.error();
  const body =
    "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Offline · Kanri</title>" +
    "<p>You are offline, and this page was not opened on this device before. " +
    "Pages you opened are kept; changes you make on them are sent when the network is back.</p>";
  return new Response(body, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}
