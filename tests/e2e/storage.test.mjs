// What happens to saved answers when storage misbehaves: full, refused (private
// browsing), shared by two tabs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, ready, storedResponses, onSection, newSurvey, until, go, reload, fillStorage } from "./helpers.mjs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});


test("full storage: a clear message, and every earlier answer kept", async () => {
  const { context, page } = await newSurvey(browser, url);
  await page.tap(tid("choice-consent-yes"));
  await page.tap(tid("next"));
  await onSection(page, 1);
  await page.fill(tid("input-building"), "12");
  await page.waitForSelector(`${tid("save-status")}:not(:empty)`);
  const before = await storedResponses(page);

  const filler = await fillStorage(page);
  await page.fill(tid("input-room"), "301");
  await page.waitForSelector(tid("save-error"));
  assert.match(await page.innerText(tid("save-error")), /存储空间已满.*删除/s);
  assert.deepEqual(await storedResponses(page), before, "the stored response is untouched");

  // The list says so too, before the next survey.
  await page.tap(tid("back-to-list"));
  await page.waitForSelector(tid("storage-warning"));
  assert.ok(await page.isVisible(tid("storage-warning")));
  await page.tap(tid("new-survey"));
  await page.waitForSelector(tid("save-error"));
  assert.equal((await storedResponses(page)).length, 1, "no half-created response");

  // After a reload everything saved before is there.
  await reload(page);
  await ready(page);
  await page.tap(tid("resume"));
  await page.waitForSelector(tid("choice-consent-yes"));
  assert.ok(await page.isChecked(tid("choice-consent-yes")));

  // Room made (responses deleted): opening the response again saves the held answer,
  // although the worker left the screen and reloaded in between.
  await page.evaluate((keys) => keys.forEach((k) => localStorage.removeItem(k)), filler);
  await page.tap(tid("back-to-list"));
  await page.tap(tid("resume"));
  await page.waitForSelector(`${tid("save-status")}:not(:empty)`);
  let [stored] = await storedResponses(page);
  assert.equal(stored.a.room, "301", "the answer typed while full was saved");
  assert.equal(stored.a.building, "12");
  await page.tap(`${tid("section-link")}[data-section="1"]`);
  await onSection(page, 1);
  assert.equal(await page.inputValue(tid("input-room")), "301");
  await page.fill(tid("input-room"), "302");
  await until(async () => (await storedResponses(page))[0]?.a.room === "302");
  [stored] = await storedResponses(page);
  assert.equal(stored.a.room, "302");
  await context.close();
});

/** The element's box lies wholly inside the window. */
const inView = (page, selector) =>
  page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
  });

test("storage full, or refused, while typing low on a long section: said in view, and the section list says it is not saved", async () => {
  const { context, page } = await newSurvey(browser, url);
  await page.tap(tid("choice-consent-yes"));
  // The worker's section at 200 % text: longer than the screen.
  await page.tap(tid("text-size"));
  await page.tap(tid("text-size"));
  const worker = await page.evaluate(() => document.querySelectorAll('[data-testid="section-link"]').length - 1);
  await page.tap(`${tid("section-link")}[data-section="${worker}"]`);
  await onSection(page, worker);
  const box = tid("input-obs_notes");
  await page.locator(box).scrollIntoViewIfNeeded();
  assert.ok(await page.evaluate(() => document.documentElement.scrollHeight > innerHeight * 1.5), "a long section");
  await page.fill(box, "楼道灯坏了");
  await page.waitForSelector(`${tid("save-status")}[data-state="saved"]`);
  const scrolled = await page.evaluate(() => scrollY);
  assert.ok(scrolled > 200, `typing low on the section (scrolled ${scrolled} px)`);

  // Full: the alert is where the worker looks, and the section's count says "not saved".
  // Full to the last few characters: the answer grows past them as it is typed.
  const filler = await fillStorage(page);
  await page.type(box, "，三楼和四楼的灯也坏了，晚上上下楼很危险，老人不敢出门");
  await page.waitForSelector(tid("save-error"));
  assert.ok(await inView(page, tid("save-error")), "the message is in view");
  assert.match(await page.innerText(tid("save-error")), /存储空间已满/);
  const link = `${tid("section-link")}[data-section="${worker}"]`;
  assert.match(await page.getAttribute(link, "class"), /unsaved/);
  assert.match(await page.$eval(`${link} .nav-count`, (el) => getComputedStyle(el, "::after").content), /未保存/);
  await page.evaluate((keys) => keys.forEach((k) => localStorage.removeItem(k)), filler);

  // Refused for another reason (the browser's storage failing): said in view too.
  await page.evaluate(() => {
    window.__set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) {
      if (k.startsWith("doorstep.r.")) throw new DOMException("disk I/O error", "UnknownError");
      return window.__set.call(this, k, v);
    };
  });
  await page.type(box, "，东边");
  await page.waitForFunction(() => /没有保存/.test(document.querySelector('[data-testid="save-error"]')?.textContent || ""));
  assert.ok(await inView(page, tid("save-error")));
  // Storage works again: the next keystroke saves everything on screen, and says so.
  await page.evaluate(() => (Storage.prototype.setItem = window.__set));
  await page.type(box, "。");
  await page.waitForSelector(`${tid("save-status")}[data-state="saved"]`);
  assert.doesNotMatch(await page.getAttribute(link, "class"), /unsaved/);
  const [stored] = await storedResponses(page);
  const shown = await page.inputValue(box);
  assert.equal(stored.a.obs_notes, shown, "what is on screen is what is stored");
  for (const part of ["楼道灯坏了", "老人不敢出门", "东边"]) assert.ok(shown.includes(part), part);
  await context.close();
});

test("storage refused (site data blocked): the surveys cannot be read now, which is not 'none'", async () => {
  const context = await tablet(browser);
  // What Chromium does with cookies and site data blocked for the site: reading
  // `window.localStorage` throws a SecurityError.
  await context.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector(tid("storage-unavailable"));
  const said = await page.innerText(tid("storage-unavailable"));
  assert.match(said, /无法显示/);
  assert.match(said, /没有被删除/);
  // Not an empty list: "no surveys yet" would be false.
  assert.equal(await page.locator(".empty:visible").count(), 0);
  assert.doesNotMatch(await page.innerText("main"), /还没有/);
  assert.ok(await page.isDisabled(tid("new-survey")));
  await context.close();
});

test("storage refused (private browsing, no room at all): said before any survey starts", async () => {
  // Nothing stored, and nothing can be: no PIN on it either.
  const context = await tablet(browser, { pin: false });
  await context.addInitScript(() => {
    Storage.prototype.setItem = function () {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector(tid("storage-unavailable"));
  assert.match(await page.innerText(tid("storage-unavailable")), /无痕|隐私/);
  assert.ok(await page.isDisabled(tid("new-survey")));
  await context.close();
});

test("two tabs: a saved tab follows the other; a stale save is refused and the user chooses", async () => {
  const context = await tablet(browser);
  const a = await context.newPage();
  await go(a, url + "#/new");
  await a.waitForSelector(tid("question"));
  const id = a.url().match(/#\/r\/([0-9a-f-]+)\//)[1];
  await go(a, `${url}#/r/${id}/1`);
  await a.waitForSelector(tid("input-building"));
  const b = await context.newPage();
  await go(b, `${url}#/r/${id}/1`);
  await b.waitForSelector(tid("input-building"));

  const boxShows = (value) => (page) =>
    page.waitForFunction((v) => document.querySelector('[data-testid="input-building"]').value === v, value);
  // Tab B types; tab A, with nothing unsaved, follows.
  await b.fill(tid("input-building"), "5");
  await boxShows("5")(a);
  // Tab A answers; tab B follows too (the box it typed in shows A's text) and says so.
  await a.fill(tid("input-building"), "7");
  await boxShows("7")(b);
  assert.match(await b.innerText(tid("save-status")), /另一个标签页/);
  // B's next keystroke builds on A's answer, not on its own old text.
  await b.press(tid("input-building"), "End");
  await b.type(tid("input-building"), "1");
  await boxShows("71")(a);

  // Another writer changes storage behind tab B's back (no event reaches B): B's next
  // save finds storage changed and refuses instead of overwriting.
  await b.evaluate((key) => {
    const r = JSON.parse(localStorage.getItem(key));
    r.a.unit = "3";
    r.rev += 1;
    localStorage.setItem(key, JSON.stringify(r));
  }, `doorstep.r.${id}`);
  await b.fill(tid("input-room"), "501");
  await b.waitForSelector(tid("conflict"));
  let [stored] = await storedResponses(b);
  assert.equal(stored.a.unit, "3");
  assert.equal(stored.a.room, undefined, "nothing overwritten silently");
  assert.ok(await b.isDisabled(tid("input-room")), "no editing until the user chooses");

  // The user keeps this tab's answers: written on purpose.
  await b.tap(tid("keep-mine"));
  await b.waitForSelector(tid("conflict"), { state: "detached" });
  [stored] = await storedResponses(b);
  assert.equal(stored.a.room, "501");
  assert.equal(stored.a.building, "71");

  // Deleted in tab A while open in tab B: B stops saving and says so.
  await go(a, url);
  await a.waitForSelector(tid("delete"));
  await a.tap(tid("delete"));
  await a.tap(tid("confirm-delete"));
  await b.waitForSelector(tid("conflict"));
  assert.match(await b.innerText(tid("conflict")), /删除/);
  await context.close();
});

test("a community's worth of responses: the list opens with the newest 100, more on demand", async () => {
  const { context, page } = await newSurvey(browser, url);
  await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("doorstep.r."));
    const { x, ...mine } = JSON.parse(localStorage.getItem(key));
    for (let i = 0; i < 149; i++) {
      const started = `2026-10-${String(1 + (i % 28)).padStart(2, "0")}T09:00:00+08:00`;
      localStorage.setItem(`doorstep.r.old-${i}`, JSON.stringify({ ...mine, id: `old-${i}`, started, updated: started }));
    }
  });
  await go(page, url + "#/");
  await reload(page);
  await page.waitForSelector(tid("show-more"));
  assert.equal(await page.locator(tid("response-row")).count(), 100);
  // Newest first: today's response leads.
  assert.doesNotMatch(await page.locator(tid("response-row")).first().getAttribute("data-id"), /^old-/);
  assert.match(await page.innerText(tid("show-more")), /50/);
  await page.tap(tid("show-more"));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="response-row"]').length === 150);
  assert.equal(await page.locator(tid("show-more")).count(), 0);
  await context.close();
});
