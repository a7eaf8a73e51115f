// The coordinator's projects, as a coordinator and a worker use them: the coordinator
// imports a form, makes a project of it with a walk list and targets, and downloads the
// project file; a worker imports that file on their tablet and has the form, the list and
// the targets; the worker's export comes back and the workspace measures it against the
// project's targets.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, serve, tablet, tid, ready, watchErrors, storedValues, go, reload } from "./helpers.mjs";
import { seed, download } from "./lib/worker.mjs";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

const csv = (text) => ({ name: "walk.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
const walk = ["楼栋,单元,房号", ...Array.from({ length: 12 }, (_, i) => `${1 + (i % 3)}栋,1单元,${101 + i}`)].join("\n");

async function openWorkspace(page) {
  await go(page, url);
  await ready(page);
  await page.tap(tid("workspace-link"));
  await page.waitForSelector(`${tid("ws-import")}:not([disabled])`);
}

test("a coordinator's project carries its form, walk list and targets to a worker, and back", async () => {
  // The coordinator: a form of their own in the library first.
  const coord = await tablet(browser, { acceptDownloads: true, locale: "en-GB" });
  const cp = await coord.newPage();
  const cErrors = watchErrors(cp);
  await cp.addInitScript(() => localStorage.setItem("doorstep.lang", "en"));
  await go(cp, url);
  await ready(cp);
  await cp.tap(tid("form-library"));
  await cp.setInputFiles(tid("import-file"), join(fixtures, "household-visit.xlsx"));
  await cp.waitForSelector(tid("import-preview"));
  await cp.tap(tid("import-confirm"));
  await cp.waitForSelector(tid("import-done"));

  await openWorkspace(cp);
  await cp.tap(tid("ws-project-new"));
  await cp.waitForSelector(tid("ws-project-editor"));
  assert.equal(await cp.isChecked(tid("ws-project-form-community-needs-1")), true, "the built-in form by default");
  await cp.fill(tid("ws-project-name"), "东区入户调查");
  await cp.fill(tid("ws-project-community"), "幸福社区");
  await cp.fill(tid("ws-project-areas"), "A: 1-30\nB: 31-60");
  await cp.check(tid("ws-project-form-household_visit-3"));
  // A walk list with the same door twice is refused, named; the good one is taken.
  await cp.setInputFiles(tid("ws-project-walk-csv"), csv("building,unit,room\n1,1,101\n1栋,1单元,101"));
  assert.match(await cp.textContent(tid("ws-project-walk-problem")), /Rows 2 and 3 are the same household/);
  await cp.setInputFiles(tid("ws-project-walk-csv"), csv(walk));
  await cp.waitForFunction(() => /12 households/.test(document.querySelector('[data-testid="ws-project-walk"]').textContent));
  await cp.fill(tid("ws-project-goal-visits"), "150");
  await cp.fill(tid("ws-project-goal-surveys"), "90");
  // A k the export cannot work with is refused with the reason; nothing stored changes.
  await cp.fill(tid("ws-project-k"), "1");
  await cp.tap(tid("ws-project-save"));
  assert.match(await cp.textContent(`${tid("ws-project-note")}.error`), /k is 1; it must be between 2 and 100/);
  await cp.fill(tid("ws-project-k"), "5");
  await cp.tap(tid("ws-project-save"));
  await cp.waitForSelector(`${tid("ws-project-note")}.ok`);
  assert.match(await cp.textContent(tid("ws-project")), /东区入户调查.*幸福社区 · 12 households · 2 forms · k = 5/);

  // Kept across a reload, and handed out as a file.
  await reload(cp);
  await cp.waitForSelector(tid("ws-project"));
  const handed = await download(cp, "ws-project-download");
  assert.match(handed.name, /^doorstep-project-东区入户调查\.json$/);
  const project = JSON.parse(handed.bytes.toString("utf8"));
  assert.equal(project.households.length, 12);
  assert.deepEqual(project.targets, [
    { measure: "visits", goal: 150 },
    { measure: "completed_surveys", goal: 90 },
  ]);
  assert.deepEqual(
    project.definitions.map((d) => [d.id, d.version]),
    [["household_visit", 3]],
    "the imported form travels with its definition, the built-in one by name"
  );

  // The worker: responses of their own, then the coordinator's project file.
  const work = await tablet(browser, { acceptDownloads: true });
  const wp = await work.newPage();
  const wErrors = watchErrors(wp);
  await seed(wp, url, 30, { worker: "W07" });
  await go(wp, url + "#/export");
  await wp.waitForSelector(tid("project-form"));
  await wp.setInputFiles(tid("project-file"), { name: handed.name, mimeType: "application/json", buffer: handed.bytes });
  const installed = await wp.textContent(`${tid("project-note")}.ok`);
  assert.match(installed, /东区入户调查.*走访清单 12 户.*新问卷 1 份.*指标目标已更新/);
  const stored = await wp.evaluate(() => ({
    form: localStorage.getItem("doorstep.f.household_visit.3") !== null,
    walk: localStorage.getItem("doorstep.walk"),
    responses: Object.keys(localStorage).filter((k) => k.startsWith("doorstep.r.")).length,
  }));
  assert.ok(stored.form, "the form is in the worker's library");
  const [[, walkStored]] = await storedValues(wp, "doorstep.walk");
  assert.ok(stored.walk.startsWith("\u{1F512}"), "the walk list is stored sealed");
  assert.equal(walkStored.split("\n").length, 13, "the community and 12 households");
  const [, projectStored] = (await storedValues(wp, "doorstep.project")).find(([k]) => k === "doorstep.project");
  stored.project = JSON.parse(projectStored);
  assert.equal(stored.project.households, undefined, "the device's project keeps the settings only");
  assert.equal(stored.project.public_key, project.public_key);
  assert.equal(stored.project.sign_key, project.sign_key);
  assert.equal(project.key, undefined, "the project file carries no shared pseudonym key");
  assert.equal(stored.responses, 30, "no response touched");

  // The visits screen has the list and the targets.
  await go(wp, url + "#/visits");
  await wp.waitForSelector(tid("hh-1-1-101"));
  assert.equal((await wp.$$('[data-testid^="hh-"]')).length, 12);
  assert.equal(await wp.inputValue(tid("goal-visits")), "150");
  assert.equal(await wp.inputValue(tid("goal-surveys")), "90");

  // Their export goes back to the coordinator, whose indicators use the project's targets.
  await go(wp, url + "#/export");
  await wp.tap(tid("export-prepare"));
  await wp.waitForSelector(tid("export-preview"));
  if (await wp.isVisible(tid("export-withheld"))) await wp.check(tid("withheld-ok"));
  const exported = await download(wp, "download-json");
  assert.deepEqual(wErrors, []);
  await work.close();

  await cp.setInputFiles(tid("ws-import"), [{ name: exported.name, mimeType: "application/json", buffer: exported.bytes }]);
  await cp.waitForSelector(`${tid("ws-result")}[data-outcome="accepted"]`);
  await cp.waitForSelector(tid("ws-indicators"));
  assert.equal(await cp.isVisible(tid("ws-indicator-project")), true);
  assert.match(await cp.textContent(tid("ws-indicator-surveys")), /\/ 90/);
  assert.match(await cp.textContent(tid("ws-indicator-visits")), /\/ 150/);

  // Deleting asks twice, and only this browser's copy goes.
  await cp.tap(tid("ws-project-delete"));
  assert.equal((await cp.$$(tid("ws-project"))).length, 1);
  await cp.tap(tid("ws-project-delete"));
  await cp.waitForFunction(() => document.querySelectorAll('[data-testid="ws-project"]').length === 0);
  assert.deepEqual(cErrors, []);
  await coord.close();
});

test("an older project file opened in the workspace gets keys of its own, its shared key dropped; a bad one is refused", async () => {
  const context = await tablet(browser, { locale: "en-GB" });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.addInitScript(() => localStorage.setItem("doorstep.lang", "en"));
  await openWorkspace(page);
  const file = (text) => ({ name: "p.json", mimeType: "application/json", buffer: Buffer.from(text) });
  await page.setInputFiles(tid("ws-project-open"), file("{oops"));
  assert.match(await page.textContent(`${tid("ws-project-note")}.error`), /not a project file/);
  const made = {
    format: "doorstep-project",
    format_version: 1,
    id: "ab".repeat(16),
    name: "West <img src=x onerror=alert(1)>",
    k: 5,
    key: "cd".repeat(32),
  };
  await page.setInputFiles(tid("ws-project-open"), file(JSON.stringify(made)));
  await page.waitForSelector(tid("ws-project-editor"));
  assert.match(await page.textContent(`${tid("ws-project-note")}.ok`), /older project file/);
  assert.equal(await page.inputValue(tid("ws-project-name")), made.name);
  assert.equal(await page.$("img[src=x]"), null, "a name is text, never HTML");
  await page.fill(tid("ws-project-goal-visits"), "二百");
  await page.tap(tid("ws-project-save"));
  assert.match(await page.textContent(`${tid("ws-project-note")}.error`), /a target must be a whole number/);
  await page.fill(tid("ws-project-goal-visits"), "200");
  await page.tap(tid("ws-project-save"));
  await page.waitForSelector(`${tid("ws-project-note")}.ok`);
  const raw = await page.evaluate(() => Object.values(localStorage).join("\n"));
  assert.equal(raw.indexOf(made.key), -1, "the shared key is never stored");
  const [[, keptText]] = await storedValues(page, `doorstep.cp.${made.id}`);
  const kept = JSON.parse(keptText);
  assert.equal(kept.format_version, 2);
  assert.match(kept.public_key, /^[0-9a-f]{64}$/);
  assert.deepEqual(kept.targets, [{ measure: "visits", goal: 200 }]);
  // Edited and saved again, the keys stay; this browser holds the secret.
  const [[, secret]] = await storedValues(page, `doorstep.pk.${made.id}`);
  assert.match(secret, /^[0-9a-f]{64}$/);
  assert.equal(await page.getAttribute(tid("ws-project"), "data-key"), "held");
  assert.deepEqual(errors, []);
  await context.close();
});
