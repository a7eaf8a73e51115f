// Shared set-up for the end-to-end tests: a static server over dist/, Debian's Chromium
// through playwright-core, a tablet context, and a small page object for the survey.
import { chromium } from "playwright-core";
import { startServer } from "../../scripts/serve.mjs";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { openLock, openResponse, openValue, testDevice } from "./lib/vault.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DIST = join(root, "dist");

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Debian's Chromium; `extra` flags for a test that needs them (a fake camera, say). */
export async function launch(extra = []) {
  if (!existsSync(join(DIST, "index.html"))) throw new Error("dist/ is missing: run `make build` first");
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, ...extra],
  });
}

/** A server over dist/; `options.rewrite(path, body)` may change what it serves. */
export async function serve(options = {}) {
  const server = await startServer(DIST, 0, options);
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** The test devices' PIN. */
export const PIN = "582139";
/** A device lock for PIN, made once per run: Argon2id, as the app writes new locks (a
 *  typed PIN costs what it costs on a real device). */
export const DEVICE = await testDevice(PIN);

/** In a page before the app starts, once per context: the device gets its PIN, as a
 *  tablet that was set up earlier. Every page load then opens on the lock screen, as on a
 *  real tablet (`unlockIfLocked`, `reload`, `go` type the PIN there as the worker does):
 *  the page takes no key from anywhere but the PIN. */
function seedDevice(d) {
  try {
    if (!localStorage.getItem("doorstep.vault") && !localStorage.getItem("doorstep.vault.next")
        && !localStorage.getItem("e2e.seeded")) {
      localStorage.setItem("doorstep.vault", d.lock);
      // Marks the context as set up: a test that wipes the device gets a device on first use.
      localStorage.setItem("e2e.seeded", "1");
    }
  } catch {
    // about:blank and other pages without storage.
  }
}

/** Gives a context's pages the test device's PIN (see `seedDevice`). */
export async function withPin(context, device = DEVICE) {
  await context.addInitScript(seedDevice, device);
  return context;
}

/** Types the device PIN on the lock screen, as the worker does, and waits until the app
 *  has gone back to the screen it was asked for. */
export async function typeDevicePin(page, pin = PIN) {
  await page.waitForSelector('[data-testid="device-lock"][data-mode="locked"]');
  await page.fill(tid("lock-pin"), pin);
  await page.click(tid("lock-unlock"));
  await page.waitForFunction(() => location.hash !== "#/lock");
}

/** After a page load: waits for the app, and types the PIN if it opened on the lock
 *  screen (a reload or a new tab holds no key). */
export async function unlockIfLocked(page, pin = PIN) {
  await page.waitForSelector("header.topbar");
  if ((await page.evaluate(() => location.hash)) !== "#/lock") return;
  const lock = await page.waitForSelector(tid("device-lock"));
  if ((await lock.getAttribute("data-mode")) === "locked") await typeDevicePin(page, pin);
}

/** A real reload: the key is gone, the worker types the PIN. */
export async function reload(page, pin = PIN) {
  await page.reload();
  await unlockIfLocked(page, pin);
}

/** Goes to `address`; when that loads the page afresh, the worker types the PIN. */
export async function go(page, address, pin = PIN) {
  await page.goto(address);
  await unlockIfLocked(page, pin);
}

/** A tablet: 1024×768, touch, Chinese locale, its PIN set and unlocked (`pin: false`: a
 *  device used for the first time). */
export async function tablet(browser, extra = {}) {
  const { pin = true, ...options } = extra;
  const context = await browser.newContext({
    viewport: { width: 1024, height: 768 },
    hasTouch: true,
    locale: "zh-CN",
    ...options,
  });
  return pin ? withPin(context) : context;
}

/** Collects page errors so a test can assert there were none. */
export function watchErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return errors;
}

export const tid = (id) => `[data-testid="${id}"]`;

/** A tablet context on a new survey's first question. */
export async function newSurvey(browser, url) {
  const context = await tablet(browser);
  const page = await context.newPage();
  await go(page, url + "#/new");
  await page.waitForSelector(tid("question"));
  return { context, page };
}

/** Waits until the app has drawn its first screen. */
export async function ready(page) {
  await page.waitForSelector(`${tid("new-survey")}, ${tid("question")}, ${tid("not-found")}`);
}

const opened = new Map();

/** The device's data key as the tests know it: the stored lock opened in Node with the PIN
 *  (lib/vault.mjs), as its owner could; the page never gives its key out. Generation
 *  bytes, then the key, as lib/vault.mjs's readers take it; null without a lock. */
export async function deviceKey(page, pin = PIN) {
  const lock = await page.evaluate(() => localStorage.getItem("doorstep.vault"));
  if (!lock) return null;
  if (!opened.has(lock + pin)) opened.set(lock + pin, [0, 0, 0, 0, ...(await openLock(lock, pin))]);
  return opened.get(lock + pin);
}

/** Every stored response as the app reads it: sealed answers opened with the device's key
 *  (`deviceKey`) by tests/e2e/lib/vault.mjs, not by the app's code. */
export async function storedResponses(page, pin = PIN) {
  const raw = await page.evaluate(() => Object.keys(localStorage)
    .filter((k) => k.startsWith("doorstep.r."))
    .map((k) => [k, localStorage.getItem(k)]));
  const held = await deviceKey(page, pin);
  return Promise.all(raw.map(([k, v]) => openResponse(k, v, held)));
}

/** The values stored under keys starting with `prefix`, as [key, plain text], opened
 *  with the device's key where the app sealed them whole. */
export async function storedValues(page, prefix, pin = PIN) {
  const raw = await page.evaluate((prefix) => Object.keys(localStorage)
    .filter((k) => k.startsWith(prefix))
    .map((k) => [k, localStorage.getItem(k)]), prefix);
  const held = await deviceKey(page, pin);
  return Promise.all(raw.map(async ([k, v]) => [k, await openValue(k, v, held)]));
}

/** Polls `check` (async) until it holds; fails after `ms`. */
export async function until(check, ms = 15000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The number box of an integer or decimal question gets a number in range; other text gets
 *  a text; a choice group gets its first option (consent: yes). Questions that appear
 *  because of an answer (skip logic) are answered too. Returns what it set. */
export async function fillSection(page) {
  const set = {};
  // The household roster: two members, 70 and 8 years old, so that the older people's and
  // the children's sections apply and the whole questionnaire is walked.
  if ((await page.$(tid("add-members"))) && !(await page.$(tid("item-members")))) {
    for (const [i, age] of [[0, "70"], [1, "8"]]) {
      await page.tap(tid("add-members"));
      await page.waitForSelector(tid(`input-members-${i}-m_age`));
      await page.fill(tid(`input-members-${i}-m_age`), age);
      set[`members-${i}-m_age`] = age;
    }
    set.m_age = null;
  }
  for (;;) {
    const questions = await page.$$(tid("question"));
    let q = null;
    let qid = null;
    for (const candidate of questions) {
      const id = await candidate.getAttribute("data-qid");
      if (!(id in set)) {
        q = candidate;
        qid = id;
        break;
      }
    }
    if (!q) return set;
    const radios = await q.$$("input[type=radio]");
    const boxes = await q.$$("input[type=checkbox]");
    const text = await q.$("input[type=text]:not([id^=other-]), textarea");
    const date = await q.$("input[type=date]");
    if (qid === "consent") {
      await page.tap(tid("choice-consent-yes"));
      set[qid] = "yes";
    } else if (radios.length) {
      await radios[0].tap();
      set[qid] = await radios[0].getAttribute("data-testid");
    } else if (boxes.length) {
      await boxes[0].tap();
      set[qid] = await boxes[0].getAttribute("data-testid");
    } else if (date) {
      await date.fill("2024-05-01");
      set[qid] = "2024-05-01";
    } else if (text) {
      const mode = await text.getAttribute("inputmode");
      const value = mode === "numeric" ? "2" : mode === "decimal" ? "35.5" : qid === "building" ? "12" : qid === "room" ? "301" : `答案 ${qid}`;
      await text.fill(value);
      set[qid] = value;
    } else {
      set[qid] = null;
    }
  }
}

/** Checks that every answer `fillSection` set is on screen again. */
export async function expectSection(page, set, assert) {
  for (const [qid, value] of Object.entries(set)) {
    if (value === null) continue;
    if (value.startsWith?.("choice-")) {
      assert.ok(await page.isChecked(tid(value)), `${qid}: ${value} still ticked`);
    } else if (value === "yes") {
      assert.ok(await page.isChecked(tid(`choice-${qid}-yes`)), `${qid}: yes still ticked`);
    } else {
      assert.equal(await page.inputValue(tid(`input-${qid}`)), value, `${qid} kept its text`);
    }
  }
}

export async function sectionCount(page) {
  return (await page.$$(tid("section-link"))).length;
}

/** Waits until section `i` (0-based) is on screen. */
export async function onSection(page, i) {
  await page.waitForFunction(
    (n) => {
      const el = document.querySelector('[data-testid="section-position"]');
      return el && new RegExp(`(^|\\D)${n}(/| of)`).test(el.textContent);
    },
    i + 1
  );
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Serious and critical axe-core violations on the page as it is now, one line each (the
 *  context needs `bypassCSP`, or the strict CSP refuses the injected script). */
export async function violations(page, where) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  });
  return found.map((f) => `${where}: ${f}`);
}

/** In the page: taps "hand to the resident" and resolves with the milliseconds until the
 *  hand-over screen is drawn and painted. */
export function tapToHandover() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const done = () =>
      document.documentElement.classList.contains("handover") && document.querySelector('[data-testid="give-back"]');
    const obs = new MutationObserver(() => {
      if (done()) {
        obs.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    obs.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
    document.querySelector('[data-testid="hand-over"]').click();
  });
}

/** Fills localStorage to the last character from inside the page; returns filler keys. */
export function fillStorage(page) {
  return page.evaluate(() => {
    const keys = [];
    let chunk = 1 << 20;
    while (chunk >= 1) {
      const key = `filler.${keys.length}`;
      try {
        localStorage.setItem(key, "x".repeat(chunk));
        keys.push(key);
      } catch {
        chunk = Math.floor(chunk / 2);
      }
    }
    // The last few characters, under one-character keys: the long keys above cannot use them.
    for (let c = 0x4e00; c < 0x4e00 + 64; c++) {
      const key = String.fromCharCode(c);
      try {
        localStorage.setItem(key, "");
        keys.push(key);
      } catch {
        break;
      }
    }
    return keys;
  });
}
