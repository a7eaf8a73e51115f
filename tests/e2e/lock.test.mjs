// The device PIN and encryption at rest, as a worker meets them: the PIN chosen on first
// use (the data already on the tablet encrypted then), the tablet locked on demand, after
// its idle minutes and on reload; wrong PINs with growing waits; a PIN change that a
// closed tab cannot half-do; a forgotten PIN that can only wipe the device. After locking,
// a raw dump of localStorage must hold none of the names, phones and rooms typed here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, storedResponses, violations, PIN, go } from "./helpers.mjs";
import { download } from "./lib/worker.mjs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

const MARKERS = ["王秀英", "13812345678", "1203室", "张家", "心脏不好"];
const NEW_PIN = "246813";

/** Every marker found in the raw localStorage, keys and values. */
async function exposed(page) {
  const dump = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  return MARKERS.filter((m) => dump.includes(m));
}

async function lockMode(page, mode) {
  await page.waitForSelector(`${tid("device-lock")}[data-mode="${mode}"]`);
}

async function typePin(page, pin) {
  await page.fill(tid("lock-pin"), pin);
  await page.tap(tid("lock-unlock"));
}

/** A store as the first release wrote it, before PINs: a completed survey with a name, a
 *  phone and a room in it, a walk list whose room names a family, a visit note, and a
 *  follow-up. */
function foundationStore() {
  const now = "2026-11-20T10:00:00+08:00";
  localStorage.setItem("doorstep.schema", "1");
  localStorage.setItem(
    "doorstep.r.legacy-0001",
    JSON.stringify({
      id: "legacy-0001", form: "community-needs", v: 1, status: "completed", started: now, updated: now,
      completed: now, rev: 4,
      a: { consent: true, building: "12", unit: "1", room: "1203室", comments: "王秀英 13812345678", fu_notes: "阿姨心脏不好" },
      hh: "12-1-1203室", w: "W07",
    }),
  );
  localStorage.setItem("doorstep.walk", "幸福社区\n12-1-张家\t12\t1\t张家\n12-1-1203室\t12\t1\t1203室");
  localStorage.setItem(
    "doorstep.v.2026-11-20",
    JSON.stringify([{ i: "v1", h: "12-1-张家", t: now, w: "W07", o: { k: "other", n: "王秀英说下周再来" } }]),
  );
  localStorage.setItem("doorstep.followups", JSON.stringify({ "legacy-0001": "referred" }));
}

test("first use: the PIN comes first, the data on the device is encrypted, a locked tablet shows and stores no one's details", async () => {
  const context = await tablet(browser, { pin: false, bypassCSP: true });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(url);
  await lockMode(page, "setup");
  await page.evaluate(foundationStore);
  assert.deepEqual((await exposed(page)).sort(), [...MARKERS].sort(), "the fixture holds every marker in the clear");
  // Any address leads to the set-up screen first, and back to it afterwards.
  await page.evaluate(() => (location.hash = "#/visits"));
  await page.reload();
  await lockMode(page, "setup");
  const found = await violations(page, "PIN set-up");
  // An obvious PIN is refused, and said why.
  await page.fill(tid("lock-new-pin"), "123456");
  await page.fill(tid("lock-pin-again"), "123456");
  await page.tap(tid("lock-setup"));
  await page.waitForFunction(() => /太容易猜到/.test(document.querySelector('[data-testid="lock-note"]')?.textContent));
  await page.fill(tid("lock-new-pin"), NEW_PIN);
  await page.fill(tid("lock-pin-again"), NEW_PIN);
  await page.tap(tid("lock-setup"));
  await page.waitForFunction(() => location.hash === "#/visits");
  await page.waitForSelector(tid("building"), { timeout: 30000 });
  assert.deepEqual(await exposed(page), [], "the first PIN encrypted what was there");
  assert.match(await page.innerText("main"), /张家/, "the visits screen reads the sealed walk list");
  // Everything reads back: the list shows the flat, the stored answers open with the key.
  await page.evaluate(() => (location.hash = "#/"));
  await page.waitForSelector(tid("response-row"));
  assert.match(await page.innerText(tid("response-list")), /1203室/);
  const [r] = await storedResponses(page, NEW_PIN);
  assert.equal(r.a.comments, "王秀英 13812345678");
  assert.equal(r.a.fu_notes, "阿姨心脏不好");
  assert.equal(r.hh, "12-1-1203室");
  assert.equal(r.a.consent, true, "readable answers stay readable");

  // Locked on demand: the lock screen, no resident data on it or in storage.
  await page.tap(tid("lock-now"));
  await lockMode(page, "locked");
  for (const m of MARKERS) assert.ok(!(await page.innerText("body")).includes(m), m);
  assert.deepEqual(await exposed(page), []);
  assert.ok(!(await page.evaluate(() => JSON.stringify(localStorage))).includes(NEW_PIN));
  found.push(...(await violations(page, "locked")));

  // Wrong PINs: said so; after the third, a wait that the right PIN must respect too.
  for (const wrong of ["111222", "333444"]) {
    await typePin(page, wrong);
    await page.waitForFunction(() => /PIN码不对/.test(document.querySelector('[data-testid="lock-note"]')?.textContent));
    await page.fill(tid("lock-pin"), "");
  }
  await typePin(page, "555666");
  await page.waitForFunction(() => /请等一会儿/.test(document.querySelector('[data-testid="lock-note"]')?.textContent));
  await typePin(page, NEW_PIN);
  await page.waitForFunction(() => /请等一会儿/.test(document.querySelector('[data-testid="lock-note"]')?.textContent));
  await lockMode(page, "locked");
  await page.clock.fastForward(31_000);
  await typePin(page, NEW_PIN);
  await page.waitForSelector(tid("response-row"));
  assert.match(await page.innerText(tid("response-list")), /1203室/);

  // A reload forgets the key: locked again, and the same PIN opens it.
  await page.reload();
  await lockMode(page, "locked");
  await typePin(page, NEW_PIN);
  await page.waitForSelector(tid("response-row"));
  assert.deepEqual(found, []);
  await context.close();
});

test("the tablet locks itself after its idle minutes (10 by default, settable)", async () => {
  const context = await tablet(browser, { bypassCSP: true });
  const page = await context.newPage();
  await page.clock.install();
  await go(page, url + "#/new");
  await page.waitForSelector(tid("question"));
  // Let the page settle first: a scroll the browser makes late (the question brought into
  // view) counts as a touch and would restart the minutes after the clock was moved.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  await page.clock.fastForward("09:30");
  assert.equal(await page.locator(tid("device-lock")).count(), 0, "not before 10 minutes");
  await page.clock.fastForward("00:40");
  await lockMode(page, "locked");
  await typePin(page, PIN);
  await page.waitForSelector(tid("question"));
  // The minutes are the worker's choice, on the device lock screen.
  await page.evaluate(() => (location.hash = "#/lock"));
  await lockMode(page, "open");
  const found = await violations(page, "device lock settings");
  assert.equal(await page.inputValue(tid("lock-minutes")), "10");
  await page.fill(tid("lock-minutes"), "2");
  await page.dispatchEvent(tid("lock-minutes"), "change");
  await page.evaluate(() => (location.hash = "#/"));
  await page.waitForSelector(tid("new-survey"));
  await page.clock.fastForward("02:10");
  await lockMode(page, "locked");
  assert.deepEqual(found, []);
  await context.close();
});

test("a PIN change cut short leaves every answer readable with the old PIN; a finished one only with the new", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  await go(page, url + "#/new");
  await page.waitForSelector(tid("question"));
  await page.tap(tid("choice-consent-yes"));
  await page.evaluate(() => (location.hash = location.hash.replace(/\/0$/, "/1")));
  await page.fill(tid("input-room"), "1203室");
  await page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.textContent.includes("已自动保存"));
  await page.evaluate(() => (location.hash = "#/lock"));
  await lockMode(page, "open");
  // The tab "closes" after the journal and one record are written: every later write fails.
  await page.evaluate(() => {
    let left = 2;
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) {
      if (k.startsWith("doorstep.") && left-- <= 0) throw new DOMException("closed", "AbortError");
      return set.call(this, k, v);
    };
  });
  await page.fill(tid("lock-current-pin"), PIN);
  await page.fill(tid("lock-new-pin"), NEW_PIN);
  await page.fill(tid("lock-pin-again"), NEW_PIN);
  await page.tap(tid("lock-change"));
  // Said, in the worker's language: not saved.
  await page.waitForFunction(() => /没能保存/.test(document.querySelector('[data-testid="lock-note"]')?.textContent));
  assert.ok(await page.evaluate(() => localStorage.getItem("doorstep.vault.next")), "cut mid-way");
  assert.deepEqual(await exposed(page), []);
  // Next start: locked (nothing is read or written mid-change); the old PIN settles it.
  await page.reload();
  await lockMode(page, "locked");
  await typePin(page, PIN);
  await page.waitForSelector(tid("new-survey"));
  assert.equal(await page.evaluate(() => localStorage.getItem("doorstep.vault.next")), null);
  assert.equal((await storedResponses(page))[0].a.room, "1203室");

  // A change that finishes: the old PIN no longer opens, the new one does.
  await page.evaluate(() => (location.hash = "#/lock"));
  await lockMode(page, "open");
  await page.fill(tid("lock-current-pin"), PIN);
  await page.fill(tid("lock-new-pin"), NEW_PIN);
  await page.fill(tid("lock-pin-again"), NEW_PIN);
  await page.tap(tid("lock-change"));
  await page.waitForSelector(tid("lock-done"));
  assert.deepEqual(await exposed(page), []);
  await page.tap(tid("lock-now-here"));
  await lockMode(page, "locked");
  await typePin(page, PIN);
  await page.waitForFunction(() => /PIN码不对/.test(document.querySelector('[data-testid="lock-note"]')?.textContent));
  await typePin(page, NEW_PIN);
  await page.waitForSelector(tid("new-survey"));
  assert.equal((await storedResponses(page, NEW_PIN))[0].a.room, "1203室");
  await context.close();
});

test("a forgotten PIN: nothing opens without it; wiping the device (two taps) starts afresh", async () => {
  const context = await tablet(browser, { locale: "en-US" });
  const page = await context.newPage();
  await go(page, url + "?lang=en#/new");
  await page.waitForSelector(tid("question"));
  await page.tap(tid("lock-now"));
  await lockMode(page, "locked");
  await page.click(tid("lock-forgot"));
  assert.match(await page.innerText(tid("device-lock")), /cannot be recovered/);
  await page.tap(tid("lock-wipe"));
  assert.ok(await page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith("doorstep.r."))), "one tap asks");
  await page.tap(tid("lock-wipe"));
  await lockMode(page, "setup");
  // Nothing but the journal's counter, a number (docs/storage.md).
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("doorstep."))), ["doorstep.seq"]);
  assert.match(await page.evaluate(() => localStorage.getItem("doorstep.seq")), /^\d+$/);
  await context.close();
});

test("locked means sealed: the raw storage of a locked tablet names no one and describes no household", async () => {
  const context = await tablet(browser, { pin: false, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(url);
  await lockMode(page, "setup");
  // Six completed surveys from before the PIN: a flat, a name, members' ages and sexes.
  await page.evaluate(() => {
    const now = "2026-11-20T10:17:42+08:00";
    localStorage.setItem("doorstep.worker.code", "W07");
    for (let i = 0; i < 6; i++) {
      localStorage.setItem(
        `doorstep.r.legacy-000${i}`,
        JSON.stringify({
          id: `legacy-000${i}`, form: "community-needs", v: 1, status: "completed", started: now, updated: now,
          completed: now, rev: 3, hh: `12-2-30${i}`,
          a: {
            consent: true, building: "12", room: `ROOMQ${i}`, comments: `王秀英${i} 1381234567${i}`,
            top_needs: ["lunch"], house_type: "apartment", hh_size: 2, hh_type: "couple",
            members: [{ m_rel: "self", m_age: 83, m_sex: "female" }, { m_rel: "spouse", m_age: 86, m_sex: "male" }],
          },
        }),
      );
    }
  });
  await page.fill(tid("lock-new-pin"), NEW_PIN);
  await page.fill(tid("lock-pin-again"), NEW_PIN);
  await page.tap(tid("lock-setup"));
  await page.waitForSelector(tid("response-row"));
  // A project made here: its keys are sealed too.
  await page.evaluate(() => (location.hash = "#/export"));
  await page.waitForSelector(tid("project-form"));
  await page.fill(tid("project-name"), "东区入户调查");
  await page.tap(tid("project-new"));
  await page.waitForSelector(`${tid("project-note")}.ok`);
  await page.tap(tid("lock-now"));
  await lockMode(page, "locked");
  const raw = await page.evaluate(() => Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)]));
  // Forms (their labels and choice values) describe no one: left out of the search.
  const text = raw
    .filter(([k]) => !k.startsWith("doorstep.f.") && !k.startsWith("doorstep.fs."))
    .map(([k, v]) => `${k}\n${v}`)
    .join("\n");
  for (const m of ["王秀英", "1381234567", "ROOMQ", "12-2-30", "female", "male", "spouse", "couple", "\"m_age\"", "hh_size", "10:17:42", "2026-11-20", "apartment", "lunch"]) {
    assert.ok(!text.includes(m), `${m} is readable while locked`);
  }
  // No key material in any encoding: the project's keys are inside sealed values only.
  const project = raw.find(([k]) => k === "doorstep.project")[1];
  assert.ok(project.startsWith("\u{1F512}"));
  assert.ok(!/[0-9a-f]{64}/.test(text.replace(/doorstep\.(vault|pk\.)[^\n]*\n[^\n]*/g, "")), "a hex key outside the lock");
  // A forgotten PIN lets nothing out: the lock screen offers only the wipe (and a backup after).
  await page.click(tid("lock-forgot"));
  assert.equal(await page.$(tid("lock-export")), null);
  await page.evaluate(() => (location.hash = "#/export"));
  await lockMode(page, "locked");
  await context.close();
});