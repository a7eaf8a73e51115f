// Accessibility: axe-core (from npm) on every screen a worker or a resident sees in a
// survey — the list, each section of the questionnaire, the review, the hand-back codes and
// the tablet's receive screen — and on the visits, form library, export and workspace
// screens, in zh-CN and in English. No serious or critical violation is allowed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, ready, fillSection, sectionCount, onSection, violations, go, reload } from "./helpers.mjs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

for (const lang of ["zh-CN", "en"]) {
  test(`every survey screen passes axe-core in ${lang}`, async () => {
    // The strict CSP would refuse the injected axe script: the test context bypasses it.
    const context = await tablet(browser, { bypassCSP: true });
    const page = await context.newPage();
    await page.addInitScript((l) => localStorage.setItem("doorstep.lang", l), lang);
    const found = [];
    await go(page, url);
    await ready(page);
    found.push(...(await violations(page, "list (empty)")));

    await page.tap(tid("new-survey"));
    await page.waitForSelector(tid("question"));
    const n = await sectionCount(page);
    for (let i = 0; i < n; i++) {
      await onSection(page, i);
      await fillSection(page);
      found.push(...(await violations(page, `section ${i + 1}`)));
      if (i < n - 1) await page.tap(tid("next"));
    }
    await page.tap(tid("next"));
    await page.waitForSelector(tid("complete"));
    found.push(...(await violations(page, "review")));
    await page.tap(tid("complete"));
    await page.waitForSelector(tid("response-row"));
    found.push(...(await violations(page, "list (one response)")));

    const id = await page.getAttribute(tid("response-row"), "data-id");
    await go(page, `${url}#/r/${id}/return`);
    await page.waitForSelector(tid("qr-code"));
    found.push(...(await violations(page, "hand-back codes")));
    await go(page, `${url}#/receive`);
    await page.waitForSelector(tid("receive"));
    found.push(...(await violations(page, "receive")));
    // The worker's and the coordinator's screens too.
    for (const [hash, ready] of [
      ["#/visits", "visits"],
      ["#/forms", "form-list"],
      ["#/export", "project-form"],
      ["#/workspace", "ws-projects"],
    ]) {
      await go(page, url + hash);
      await page.waitForSelector(tid(ready));
      found.push(...(await violations(page, hash)));
    }
    assert.deepEqual(found, []);
    await context.close();
  });
}

test("text size goes to 200 % and high contrast holds, kept across a reload, in both languages", async () => {
  const context = await tablet(browser, { bypassCSP: true });
  const page = await context.newPage();
  await go(page, url + "#/new");
  await page.waitForSelector(tid("question"));
  const labelPx = () =>
    page.$eval('[data-testid="question"] legend, [data-testid="question"] > label', (e) => parseFloat(getComputedStyle(e).fontSize));
  const normal = await labelPx();
  assert.equal(await page.textContent(tid("text-size")), "字号");
  await page.tap(tid("text-size"));
  assert.equal(await page.textContent(tid("text-size")), "字号 150%");
  assert.ok(Math.abs((await labelPx()) / normal - 1.5) < 0.01);
  await page.tap(tid("text-size"));
  assert.equal(await page.textContent(tid("text-size")), "字号 200%");
  assert.ok(Math.abs((await labelPx()) / normal - 2) < 0.01, "twice the normal size");
  await page.tap(tid("contrast"));
  assert.equal(await page.getAttribute(tid("contrast"), "aria-pressed"), "true");
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), "rgb(0, 0, 0)");
  // At 200 % and in high contrast the survey still passes axe, and nothing spills sideways.
  assert.deepEqual(await violations(page, "section 1 at 200 %, high contrast"), []);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  // Kept across a reload, before the app draws.
  await reload(page);
  await page.waitForSelector(tid("question"));
  assert.equal(await page.evaluate(() => document.documentElement.className), "t200 hc");
  // The buttons speak the interface's language.
  await page.tap(tid("lang-switch"));
  await page.waitForFunction(() => document.documentElement.lang === "en");
  assert.equal(await page.getAttribute(tid("contrast"), "aria-label"), "High contrast");
  assert.equal(await page.textContent(tid("text-size")), "Text size 200%");
  // And back to normal.
  await page.tap(tid("text-size"));
  await page.tap(tid("contrast"));
  assert.equal(await page.evaluate(() => document.documentElement.className), "");
  assert.equal(await labelPx(), normal);
  await context.close();
});

test("read aloud: the question and its choices in the interface's language, or a clear message without a voice", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  await go(page, url + "#/new");
  await page.waitForSelector(tid("question"));
  // This machine's Chromium has no voices: the worker is told what to do.
  const noVoice = await page.evaluate(() => speechSynthesis.getVoices().length === 0);
  if (noVoice) {
    const said = [];
    page.on("dialog", (d) => {
      said.push(d.message());
      d.dismiss();
    });
    // The alert opens during the tap and is dismissed before the tap returns.
    await page.tap(`${tid("question")}[data-qid="consent"] ${tid("read-aloud")}`);
    assert.equal(said.length, 1);
    assert.match(said[0], /没有中文朗读语音/);
  }
  await context.close();

  // A device with a Chinese voice: what is read, in which language.
  const withVoice = await tablet(browser);
  await withVoice.addInitScript(() => {
    window.__spoken = [];
    Object.defineProperty(speechSynthesis, "getVoices", { value: () => [{ lang: "zh-CN", name: "Test" }] });
    speechSynthesis.speak = (u) => window.__spoken.push({ text: u.text, lang: u.lang });
    speechSynthesis.cancel = () => {};
  });
  const p = await withVoice.newPage();
  await go(p, url + "#/new");
  await p.waitForSelector(tid("question"));
  await p.tap(`${tid("question")}[data-qid="consent"] ${tid("read-aloud")}`);
  const [spoken] = await p.evaluate(() => window.__spoken);
  assert.equal(spoken.lang, "zh-CN");
  assert.match(spoken.text, /。是。否$/, spoken.text);
  assert.equal(await p.getAttribute(`${tid("question")}[data-qid="consent"] ${tid("read-aloud")}`, "aria-label"), "朗读这道题");
  await withVoice.close();
});

test("keyboard only: every control of a section is reached by Tab, and a survey moves on without a pointer", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  await go(page, url + "#/new");
  await page.waitForSelector(tid("question"));
  // Tab through the page once, noting what gets focus (a radio group is one stop).
  const reached = new Set();
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press("Tab");
    const here = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      return e.type === "radio" ? `radio:${e.name}` : e.dataset.testid || e.id || e.outerHTML.slice(0, 60);
    });
    if (here) reached.add(here);
  }
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll("button, input, select, textarea, a[href]")]
      .filter((e) => !e.disabled && e.offsetParent !== null)
      .map((e) => (e.type === "radio" ? `radio:${e.name}` : e.dataset.testid || e.id || e.outerHTML.slice(0, 60)))
  );
  const missed = [...new Set(controls)].filter((c) => !reached.has(c));
  assert.deepEqual(missed, [], "every visible control takes focus");
  // Consent by keyboard: Space ticks "yes"; Enter on Next goes on; typing fills a box.
  await page.focus(tid("choice-consent-yes"));
  await page.keyboard.press("Space");
  assert.ok(await page.isChecked(tid("choice-consent-yes")));
  await page.focus(tid("next"));
  await page.keyboard.press("Enter");
  await onSection(page, 1);
  await page.focus(tid("input-building"));
  await page.keyboard.type("12");
  assert.equal(await page.inputValue(tid("input-building")), "12");
  await context.close();
});
