// Doorstep service worker: precaches the whole build so the app opens and works with no
// network, including a reload on any screen. The post-build hook (scripts/post-build.mjs)
// replaces BUILD and PRECACHE below with the build's hash and its hashed file names.
// Answers live in localStorage, never in these caches: a new version replaces the caches
// and leaves every draft alone.
const BUILD = "dev";
const PRECACHE = ["./", "./index.html"];
const CACHE = "doorstep-" + BUILD;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // Straight from the server: an old copy in the HTTP cache must not become the app.
      .then((cache) => cache.addAll(PRECACHE.map((u) => new Request(u, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((k) => k.startsWith("doorstep-") && k !== CACHE)
            .map((k) => caches.delete(k))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Every screen is index.html plus a #fragment: serve it from the cache first.
    event.respondWith(
      caches
        .match("./index.html", { cacheName: CACHE })
        .then((hit) => hit || fetch(request))
    );
    return;
  }
  event.respondWith(
    caches
      .match(request, { cacheName: CACHE, ignoreSearch: true })
      .then((hit) => hit || fetch(request))
  );
});
