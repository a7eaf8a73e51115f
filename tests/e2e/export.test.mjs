// A worker's anonymised export, as a person does it: set up the project, prepare the export,
// review the free text, download the JSON and the CSV files, check them byte by byte, then
// clear the exported responses. And the bad input: nothing to export, a project file of
// another format version.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { launch, serve, tablet, tid, ready, watchErrors, go, storedValues } from "./helpers.mjs";
import { validateExport } from "./lib/schema.mjs";
import { canonical, download, seed as seedResponses } from "./lib/worker.mjs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

const N = 60;

const seed = (page) => seedResponses(page, url, N);

test("export from the app: anonymous bytes, a valid document, a checksum that holds, then clear", async () => {
  const context = await tablet(browser, { acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await seed(page);
  await go(page, url);
  await ready(page);
  await page.tap(tid("export-link"));
  await page.waitForSelector(tid("project-form"));
  await page.waitForSelector(tid("no-project"));

  // A new project with areas.
  await page.fill(tid("project-name"), "东区入户调查");
  await page.fill(tid("project-community"), "幸福社区");
  await page.fill(tid("project-areas"), "A: 1-30\nB: 31-60");
  await page.check(tid("project-form-community-needs-1"));
  await page.tap(tid("project-new"));
  await page.waitForSelector(`${tid("project-note")}.ok`);
  // Stored sealed (it holds the signing key); opened with the page's key it is the project.
  assert.ok((await page.evaluate(() => localStorage.getItem("doorstep.project"))).startsWith("\u{1F512}"));
  const project = JSON.parse((await storedValues(page, "doorstep.project")).find(([k]) => k === "doorstep.project")[1]);
  assert.equal(project.k, 5);
  assert.equal(project.format_version, 2);
  assert.deepEqual(project.forms, [{ id: "community-needs", version: 1 }]);
  assert.deepEqual(project.areas, [{ code: "A", buildings: "1-30" }, { code: "B", buildings: "31-60" }]);
  // A second tap on "new project" does not replace it silently: it asks, says what changes,
  // and cancelling keeps the project (its id and keys) as it was.
  const storedProject = await page.evaluate(() => localStorage.getItem("doorstep.project"));
  await page.tap(tid("project-new"));
  await page.waitForSelector(tid("project-new-confirm"));
  assert.match(await page.textContent(tid("project-new-confirm")), /东区入户调查.*以后的导出都属于新项目/s);
  await page.tap(tid("project-new-cancel"));
  await page.waitForSelector(tid("project-new-confirm"), { state: "detached" });
  assert.equal(await page.evaluate(() => localStorage.getItem("doorstep.project")), storedProject, "cancelled: unchanged");
  assert.match(project.public_key, /^[0-9a-f]{64}$/);
  assert.match(project.sign_key, /^[0-9a-f]{64}$/);
  assert.equal(project.key, undefined, "no shared pseudonym key any more");
  // This device made the project: it keeps the project's secret key, sealed.
  const secrets = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("doorstep.pk.")));
  assert.deepEqual(secrets, [`doorstep.pk.${project.id}`]);

  // A damaged response is named, left out and left alone.
  await page.evaluate(() => localStorage.setItem("doorstep.r.broken", "{not json"));
  // Prepare; let one harmless comment through.
  await page.tap(tid("export-prepare"));
  await page.waitForSelector(tid("export-preview"));
  assert.match(await page.textContent(tid("export-damaged")), /^1/);
  // The review draws 50 texts at a time.
  while (await page.isVisible(tid("free-texts-more"))) await page.tap(tid("free-texts-more"));
  assert.equal(await page.locator(".free-text").count(), 2 * N);
  const items = page.locator(".free-text");
  const harmless = items.filter({ hasText: "希望小区多组织一些老年人活动" });
  await harmless.locator(tid("free-text-include")).check();
  // Worker notes are never offered.
  assert.equal(await page.locator(tid("free-texts")).getByText("OBS0001MARK").count(), 0);
  if (await page.isVisible(tid("export-withheld"))) await page.check(tid("withheld-ok"));

  const json = await download(page, "download-json");
  assert.match(json.name, /^doorstep-community-needs-W07-\d{4}-\d{2}-\d{2}\.json$/);
  assert.equal(json.bytes.indexOf("MARK"), -1, "a marker in the JSON's raw bytes");
  const doc = JSON.parse(json.bytes.toString("utf8"));
  const { valid, errors: schemaErrors } = validateExport(doc);
  assert.ok(valid, JSON.stringify(schemaErrors));
  // The schema is strict where privacy needs it: a room, or any field it does not know, fails.
  assert.equal(validateExport({ ...doc, responses: [{ ...doc.responses[0], room: "301" }] }).valid, false);
  assert.equal(validateExport({ ...doc, format_version: 3 }).valid, false);
  // The household leaves sealed, never as an id or a pseudonym the tablet could make.
  assert.equal(validateExport({ ...doc, responses: [{ ...doc.responses[0], household: "h-" + "0".repeat(32) }] }).valid, false);
  assert.equal(doc.header.k, null, "a worker's file is not suppressed");
  assert.match(doc.header.link.ephemeral, /^[0-9a-f]{64}$/);
  assert.match(doc.header.signature.value, /^[0-9a-f]{64}$/);
  // The form in the documented format, readable without the app.
  assert.equal(doc.header.form.definition.sections[0].questions.find((q) => q.id === "consent").type, "yes_no");
  assert.equal(doc.header.count, doc.responses.length);
  assert.equal(doc.header.count + doc.header.withheld, N);
  const hash = createHash("sha256").update(canonical(doc.responses)).digest("hex");
  assert.equal(hash, doc.header.responses_sha256);
  assert.equal(doc.header.worker, "W07");
  assert.ok(json.bytes.includes("希望小区多组织一些老年人活动"));
  for (const r of doc.responses) {
    assert.match(r.id, /^r-[0-9a-f]{32}$/);
    assert.match(r.household_link, /^[0-9a-f]+$/);
    if (r.area) assert.ok(["A", "B"].includes(r.area));
  }

  for (const button of ["download-csv", "download-csv-members", "download-codebook"]) {
    const csv = await download(page, button);
    assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${button}: a BOM`);
    assert.equal(csv.bytes.indexOf("MARK"), -1, `${button}: a marker`);
  }

  // The history, then clearing with two confirmations.
  await page.waitForSelector(tid("history-entry"));
  const stored = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("doorstep.r.")).length);
  assert.equal(await stored(), N + 1);
  await page.tap(tid("clear-exported"));
  await page.waitForSelector(tid("clear-confirm-1"));
  await page.tap(tid("clear-next"));
  await page.tap(tid("clear-yes"));
  await page.waitForSelector(tid("clear-note"));
  assert.equal(await stored(), doc.header.withheld + 1);
  assert.equal(await page.evaluate(() => localStorage.getItem("doorstep.r.broken")), "{not json");

  // Exported responses are not offered again.
  await page.tap(tid("export-prepare"));
  await page.waitForSelector(`${tid("export-note")}, ${tid("export-preview")}`);
  if (doc.header.withheld === 0) await page.waitForSelector(`${tid("export-note")}.error`);

  assert.deepEqual(errors, []);
  await context.close();
});

test("bad input: nothing to export, a project file of another format version, one from another project", async () => {
  const context = await tablet(browser, { acceptDownloads: true, locale: "en-GB" });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await go(page, url);
  await ready(page);
  await page.evaluate(() => localStorage.setItem("doorstep.worker.code", "W08"));
  await page.tap(tid("export-link"));
  await page.waitForSelector(tid("project-form"));
  await page.fill(tid("project-name"), "West");
  await page.tap(tid("project-new"));
  await page.waitForSelector(`${tid("project-note")}.ok`);
  const before = await page.evaluate(() => localStorage.getItem("doorstep.project"));
  const file = (await download(page, "project-export")).bytes.toString("utf8");

  await page.tap(tid("export-prepare"));
  const nothing = await page.textContent(`${tid("export-note")}.error`);
  assert.match(nothing, /No file was written|没有写出任何文件/);
  assert.equal(await page.isVisible(tid("export-preview")), false);

  const project = JSON.parse(file);
  assert.equal(project.format_version, 2);
  const upload = (p) =>
    page.setInputFiles(tid("project-file"), {
      name: "project.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(p)),
    });
  await upload({ ...project, format_version: 3 });
  const refused = await page.textContent(`${tid("project-note")}.error`);
  assert.match(refused, /version 3|版本是 3/);
  assert.equal(await page.evaluate(() => localStorage.getItem("doorstep.project")), before);

  await page.setInputFiles(tid("project-file"), { name: "x.json", mimeType: "application/json", buffer: Buffer.from("{oops") });
  await page.waitForFunction(() => /not a project file|不是项目文件/.test(document.querySelector('[data-testid="project-note"]').textContent));

  // Another project's file asks before replacing; cancelling keeps this one.
  await upload({ ...project, id: "f".repeat(32), name: "East" });
  await page.waitForSelector(tid("project-replace"));
  await page.tap(tid("project-replace-cancel"));
  assert.equal(await page.evaluate(() => localStorage.getItem("doorstep.project")), before);
  await upload({ ...project, id: "f".repeat(32), name: "East" });
  await page.tap(tid("project-replace-yes"));
  await page.waitForSelector(`${tid("project-note")}.ok`);
  assert.equal(await page.inputValue(tid("project-name")), "East");

  // A version 1 project file (a shared pseudonym key, no public key) is taken without its
  // key; the device says it cannot export until the project has keys, and can make them.
  const { public_key: _p, sign_key: _s, ...v1 } = project;
  const shared = "ab".repeat(32);
  await upload({ ...v1, format_version: 1, id: "e".repeat(32), name: "Old", key: shared });
  await page.waitForSelector(tid("project-replace"));
  await page.tap(tid("project-replace-yes"));
  await page.waitForSelector(`${tid("project-no-keys")}:not([hidden])`);
  const dump = await page.evaluate(() => Object.values(localStorage).join("\n"));
  assert.equal(dump.indexOf(shared), -1, "the shared key is never stored");
  await page.tap(tid("export-prepare"));
  assert.match(await page.textContent(`${tid("export-note")}.error`), /no keys|没有项目密钥/);
  await page.tap(tid("project-make-keys"));
  await page.waitForSelector(`${tid("project-no-keys")}[hidden]`, { state: "attached" });
  const remade = JSON.parse((await storedValues(page, "doorstep.project")).find(([k]) => k === "doorstep.project")[1]);
  assert.equal(remade.id, "e".repeat(32), "the project keeps its id");
  assert.match(remade.public_key, /^[0-9a-f]{64}$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a stored form without privacy classes exports nothing and says which questions", async () => {
  const context = await tablet(browser, { acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await seed(page);
  // A copy of the built-in form imported into the library, then damaged in storage the way
  // a form from before privacy classes would be: one question without a class.
  const source = await (await fetch(url + "community-needs.json")).json();
  source.id = "needs-copy";
  await go(page, url + "#/forms");
  await page.waitForSelector(tid("import-file"));
  await page.setInputFiles(tid("import-file"), {
    name: "needs-copy.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(source)),
  });
  await page.tap(tid("import-confirm"));
  await page.waitForSelector(tid("import-done"));
  await page.evaluate(() => {
    const key = "doorstep.f.needs-copy.1";
    const text = localStorage.getItem(key);
    const form = JSON.parse(text);
    const members = form.sections.find((s) => s.id === "members").questions[0];
    const inner = Object.values(members.kind)[0].questions;
    delete inner.find((q) => q.id === "m_sex").privacy;
    localStorage.setItem(key, JSON.stringify(form));
    for (const k of Object.keys(localStorage).filter((k) => k.startsWith("doorstep.r."))) {
      const r = JSON.parse(localStorage.getItem(k));
      localStorage.setItem(k, JSON.stringify({ ...r, form: "needs-copy" }));
    }
  });
  await go(page, url + "#/export");
  await page.waitForSelector(tid("project-form"));
  await page.fill(tid("project-name"), "东区");
  await page.tap(tid("project-new"));
  await page.waitForSelector(`${tid("project-note")}.ok`);
  await page.selectOption(tid("export-form"), "needs-copy@1");
  await page.tap(tid("export-prepare"));
  const message = await page.textContent(`${tid("export-note")}.error`);
  assert.match(message, /m_sex/);
  assert.match(message, /没有写出任何文件/);
  assert.equal(await page.isVisible(tid("export-preview")), false);
  assert.equal(await page.evaluate(() => localStorage.getItem("doorstep.exports")), null);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a project replaced on the tablet is kept: what was surveyed for it still exports to it", async () => {
  const context = await tablet(browser, { acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await seedResponses(page, url, 12);
  await go(page, url);
  await ready(page);
  await page.tap(tid("export-link"));
  await page.waitForSelector(tid("project-form"));
  const make = async (name) => {
    await page.fill(tid("project-name"), name);
    await page.check(tid("project-form-community-needs-1"));
    await page.tap(tid("project-new"));
    if (await page.locator(tid("project-new-confirm")).count()) await page.tap(tid("project-new-yes"));
    await page.waitForSelector(`${tid("project-note")}.ok`);
    return JSON.parse((await storedValues(page, "doorstep.project")).find(([k]) => k === "doorstep.project")[1]);
  };
  const east = await make("东区入户调查");
  // No previous project yet: no choice shown.
  assert.equal(await page.isVisible(tid("export-project")), false);
  await page.tap(tid("project-new"));
  await page.waitForSelector(tid("project-new-confirm"));
  assert.match(await page.textContent(tid("project-new-confirm")), /当前项目会保留/);
  await page.tap(tid("project-new-yes"));
  await page.waitForFunction(
    (id) => document.querySelector('[data-testid="export-project"] option[value="' + id + '"]') !== null,
    east.id
  );
  const current = JSON.parse((await storedValues(page, "doorstep.project")).find(([k]) => k === "doorstep.project")[1]);
  assert.notEqual(current.id, east.id);
  // Sealed, like the project itself.
  const raw = await page.evaluate((id) => localStorage.getItem("doorstep.project.was." + id), east.id);
  assert.ok(raw.startsWith("\u{1F512}") && !raw.includes("东区"));
  const exportFor = async (id) => {
    await page.selectOption(tid("export-project"), id);
    await page.tap(tid("export-prepare"));
    await page.waitForSelector(tid("export-preview"));
    if (await page.isVisible(tid("export-withheld"))) await page.check(tid("withheld-ok"));
    const json = await download(page, "download-json");
    return JSON.parse(json.bytes.toString("utf8"));
  };
  const old = await exportFor(east.id);
  assert.equal(old.header.project.id, east.id);
  assert.equal(old.header.project.name, "东区入户调查");
  await page.check(tid("export-include-exported"));
  const now = await exportFor("");
  assert.equal(now.header.project.id, current.id);
  assert.deepEqual(errors, []);
  await context.close();
});
