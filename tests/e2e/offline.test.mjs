// A day without signal: after one visit with network, the app loads and works offline,
// including a reload on any screen; a new version installs without losing drafts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, ready, storedResponses, onSection, watchErrors, go, reload, unlockIfLocked } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Waits until the service worker controls the page and its cache holds the build. */
async function controlled(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((ok) => navigator.serviceWorker.addEventListener("controllerchange", ok, { once: true }));
    }
  });
}

test("after one load, the app works with the network cut, reloads included", async () => {
  const { server, url } = await serve();
  const context = await tablet(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await go(page, url);
  await ready(page);
  await controlled(page);

  await context.setOffline(true);
  await reload(page);
  await ready(page);
  assert.ok(await page.isVisible(tid("offline-badge")), "the worker sees they are offline");
  await page.tap(tid("new-survey"));
  await page.waitForSelector(tid("question"));
  await page.tap(tid("choice-consent-yes"));
  await page.tap(tid("next"));
  await onSection(page, 1);
  await page.fill(tid("input-building"), "9");
  // Reload on a deep screen, still offline.
  await reload(page);
  await page.waitForSelector(tid("input-building"));
  assert.equal(await page.inputValue(tid("input-building")), "9");
  // Even with the server gone entirely.
  server.close();
  await reload(page);
  await page.waitForSelector(tid("input-building"));
  const [stored] = await storedResponses(page);
  assert.equal(stored.a.building, "9");
  // The form library, a module of its own never opened before, comes from the cache too.
  await go(page, url + "#/forms");
  await page.waitForSelector(tid("form-list"));
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
  await context.close();
});

test("a new version installs, says so, and keeps every draft", async () => {
  let version = null;
  // Serves sw.js as built, or, once `version` is set, as a different build.
  const { server, url } = await serve({
    rewrite: (path, body) =>
      path.endsWith("/sw.js") && version
        ? Buffer.from(body.toString().replace(/const BUILD = "[^"]*";/, `const BUILD = "${version}";`))
        : body,
  });
  const context = await tablet(browser);
  const page = await context.newPage();
  await go(page, url);
  await ready(page);
  await controlled(page);
  await page.tap(tid("new-survey"));
  await page.waitForSelector(tid("question"));
  await page.tap(tid("choice-consent-yes"));
  const before = await storedResponses(page);
  const oldCaches = await page.evaluate(() => caches.keys());

  version = "next-version";
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  await page.waitForSelector(tid("update-ready"));
  await Promise.all([page.waitForEvent("load"), page.tap(tid("reload"))]);
  // A real reload: the worker types the PIN.
  await unlockIfLocked(page);
  await page.waitForSelector(tid("question"));
  const newCaches = await page.evaluate(() => caches.keys());
  assert.deepEqual(newCaches, ["doorstep-next-version"]);
  assert.notDeepEqual(newCaches, oldCaches);
  assert.deepEqual(await storedResponses(page), before, "drafts untouched by the update");
  assert.ok(await page.isChecked(tid("choice-consent-yes")));
  await context.close();
  server.close();
});
