// A coordinator brings the XLSForm they already have: imports the .xlsx into the form
// library, confirms the proposed privacy classes, and a worker runs the form to completion
// (skip logic, a choice filter, a roster sized by an answer, a calculation in a label).
// A broken file changes nothing; the form exports as JSON and imports back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { launch, serve, tablet, tid, ready, storedResponses, watchErrors, go, reload } from "./helpers.mjs";

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

const storedKeys = (page) => page.evaluate(() => Object.keys(localStorage).sort());

async function openLibrary(page) {
  await go(page, url);
  await ready(page);
  await page.tap(tid("form-library"));
  await page.waitForSelector(tid("form-list"));
}

test("an .xlsx XLSForm imports, and a worker runs it to completion", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await openLibrary(page);
  assert.equal((await page.$$(`${tid("form-list")} li`)).length, 1, "only the built-in form");

  await page.setInputFiles(tid("import-file"), join(fixtures, "household-visit.xlsx"));
  await page.waitForSelector(tid("import-preview"));
  const preview = await page.textContent(tid("import-preview"));
  assert.match(preview, /入户探访登记/);
  assert.match(preview, /household_visit · 版本 3/);
  // What was not carried over is listed with its row.
  const warnings = await page.$$eval(`${tid("import-warnings")} li`, (els) => els.map((e) => e.textContent));
  assert.ok(warnings.some((w) => w.startsWith("survey 第 18 行") && w.includes("geopoint")), warnings.join("\n"));
  assert.ok(warnings.some((w) => w.includes("minimal")));
  // Privacy classes proposed from names and types, for confirmation.
  assert.equal(await page.inputValue(tid("privacy-resident_name")), "identifier");
  assert.equal(await page.inputValue(tid("privacy-comments")), "free_text");
  await page.selectOption(tid("privacy-needs"), "sensitive");
  // Nothing is stored before the person confirms.
  assert.ok(!(await storedKeys(page)).some((k) => k.startsWith("doorstep.f")));
  await page.tap(tid("import-confirm"));
  await page.waitForSelector(tid("import-done"));
  const keys = await storedKeys(page);
  assert.ok(keys.includes("doorstep.f.household_visit.3") && keys.includes("doorstep.fs.household_visit.3"), keys.join());
  const source = JSON.parse(await page.evaluate(() => localStorage.getItem("doorstep.fs.household_visit.3")));
  const household = source.sections.find((s) => s.id === "household");
  assert.equal(household.questions.find((q) => q.id === "needs").privacy, "sensitive");
  assert.equal(household.questions.find((q) => q.id === "resident_name").privacy, "identifier");
  await page.waitForSelector(tid("form-household_visit-3"));

  // A survey with the imported form.
  await page.tap(tid("import-start"));
  await page.waitForSelector(tid("choice-purpose-OK"));
  await page.tap(tid("choice-purpose-OK"));
  await page.tap(tid("choice-consent-yes"));
  await page.tap(tid("next"));
  await page.waitForSelector(tid("input-hh_size"));
  await page.fill(tid("input-resident_name"), "王阿姨");
  await page.fill(tid("input-hh_size"), "2");
  // The street list follows the district (choice_filter).
  assert.ok(!(await page.isVisible(tid("choice-street-yuehai"))), "no street before a district");
  await page.tap(tid("choice-district-futian"));
  await page.waitForSelector(tid("choice-street-huafu"), { state: "visible" });
  assert.ok(!(await page.isVisible(tid("choice-street-yuehai"))));
  await page.tap(tid("choice-district-nanshan"));
  await page.waitForSelector(tid("choice-street-yuehai"), { state: "visible" });
  assert.ok(!(await page.isVisible(tid("choice-street-huafu"))));
  await page.tap(tid("choice-street-shekou"));
  // repeat_count: two members, from the household size.
  await page.waitForSelector(tid("input-members-1-age"));
  await page.fill(tid("input-members-0-age"), "70");
  await page.fill(tid("input-members-1-age"), "9");
  // "In work?" only for members 16 and over.
  await page.waitForSelector(tid("choice-members-0-works-yes"));
  assert.ok(!(await page.isVisible(tid("choice-members-1-works-yes"))));
  await page.tap(tid("choice-members-0-works-no"));
  // A label quoting answers and a calculation.
  await page.waitForFunction(() => document.body.textContent.includes("共 2 人，年龄合计 79 岁。"));
  assert.equal(await page.inputValue(tid("input-visit_date")), new Date().toLocaleDateString("sv"), "default today()");
  await page.tap(tid("next"));
  await page.waitForSelector(tid("review-ok"));
  await page.tap(tid("complete"));
  await page.waitForSelector(`${tid("response-row")}[data-status="completed"]`);

  const [stored] = await storedResponses(page);
  assert.equal(stored.form, "household_visit");
  assert.equal(stored.v, 3);
  assert.equal(stored.status, "completed");
  assert.deepEqual(stored.a.members.map((m) => m.age), [70, 9]);
  assert.equal(stored.a.total_age, 79);
  assert.equal(stored.a.street, "shekou");
  // Opening it again after a reload finds its own form version.
  await reload(page);
  await page.tap(`${tid("response-row")} ${tid("resume")}`);
  await page.waitForSelector(tid("question"));
  assert.ok(await page.isVisible(tid("choice-purpose-OK")));
  assert.deepEqual(errors, []);
  await context.close();
});

test("a broken file changes nothing; a form exports as JSON and imports back", async () => {
  const context = await tablet(browser, { acceptDownloads: true });
  const page = await context.newPage();
  await openLibrary(page);
  const before = await storedKeys(page);

  await page.setInputFiles(tid("import-file"), {
    name: "form.xlsx",
    mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    buffer: Buffer.from("PK\u0003\u0004 this is not a workbook"),
  });
  await page.waitForSelector(tid("import-error"));
  assert.match(await page.textContent(tid("import-error")), /不是有效的 \.xlsx 文件/);
  assert.deepEqual(await storedKeys(page), before, "nothing written");

  // CSV sheets of a form with a mistake: the row and the column are named.
  const survey = "type,name,label,relevant\ninteger,a,A\ninteger,b,B,${a} >> 2\n";
  await page.setInputFiles(tid("import-file"), [
    { name: "survey.csv", mimeType: "text/csv", buffer: Buffer.from(survey) },
  ]);
  await page.waitForFunction(() => /第 3 行/.test(document.querySelector('[data-testid="import-error"]')?.textContent || ""));
  assert.match(await page.textContent(tid("import-error")), /relevant/);
  assert.deepEqual(await storedKeys(page), before);

  // The CSV version of the fixture imports; no version clash with itself.
  await page.setInputFiles(
    tid("import-file"),
    ["survey", "choices", "settings"].map((s) => join(fixtures, `household-visit-${s}.csv`))
  );
  await page.waitForSelector(tid("import-preview"));
  await page.tap(tid("import-confirm"));
  await page.waitForSelector(tid("import-done"));
  await page.waitForSelector(tid("export-household_visit-3"));

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.tap(tid("export-household_visit-3")),
  ]);
  assert.equal(download.suggestedFilename(), "household_visit-v3.json");
  const exported = readFileSync(await download.path(), "utf8");
  const definition = JSON.parse(exported);
  assert.equal(definition.id, "household_visit");
  assert.equal(definition.version, 3);

  // Imported back: the very same version, so nothing changes.
  await page.setInputFiles(tid("import-file"), {
    name: "household_visit-v3.json",
    mimeType: "application/json",
    buffer: Buffer.from(exported),
  });
  await page.waitForSelector(tid("import-preview"));
  await page.tap(tid("import-confirm"));
  await page.waitForFunction(() => /已有完全相同/.test(document.querySelector('[data-testid="import-done"]')?.textContent || ""));

  // Leaving the library and coming back draws it again (the module is loaded once).
  await page.tap(tid("back-to-list"));
  await page.waitForSelector(tid("new-survey"));
  await page.tap(tid("form-library"));
  await page.waitForSelector(tid("form-household_visit-3"));
  assert.equal(
    await page.evaluate(() => document.querySelectorAll("#coordinator-loader").length),
    1,
    "the coordinator module is fetched once"
  );

  // The same version with different content is refused, and the stored one kept.
  definition.title["zh-CN"] = "改过的问卷";
  await page.setInputFiles(tid("import-file"), {
    name: "changed.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(definition)),
  });
  await page.waitForSelector(tid("import-preview"));
  await page.tap(tid("import-confirm"));
  await page.waitForSelector(tid("import-error"));
  assert.match(await page.textContent(tid("import-error")), /提高 version/);
  const kept = JSON.parse(await page.evaluate(() => localStorage.getItem("doorstep.f.household_visit.3")));
  assert.equal(kept.title["zh-CN"], "入户探访登记");
  await context.close();
});

test("repeats nest: a member's own list, checked against that member's answers", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await openLibrary(page);
  const survey = [
    "type,name,label::Chinese (zh),label::English (en),relevant,constraint,constraint_message::Chinese (zh),constraint_message::English (en),calculation,privacy",
    "begin repeat,members,成员,Member,,,,,,",
    "integer,age,年龄,Age,,,,,,quasi_identifier",
    "begin repeat,kids,子女,Child,${age} >= 18,,,,,",
    "integer,kid_age,子女年龄,Child's age,,. < ${age},子女不能比父母年长,A child cannot be older than the parent,,sensitive",
    "end repeat,,,,,,,,,",
    "end repeat,,,,,,,,,",
    "calculate,kid_years,,,,,,,sum(${kid_age}),none",
    "note,total,子女年龄合计 ${kid_years},Children's ages add up to ${kid_years},,,,,,",
  ].join("\n");
  const settings = "form_title,form_id,version\nNested,nested,1\n";
  await page.setInputFiles(tid("import-file"), [
    { name: "nested-survey.csv", mimeType: "text/csv", buffer: Buffer.from(survey) },
    { name: "nested-settings.csv", mimeType: "text/csv", buffer: Buffer.from(settings) },
  ]);
  await page.waitForSelector(tid("import-preview"));
  await page.tap(tid("import-confirm"));
  await page.tap(tid("import-start"));
  await page.waitForSelector(tid("add-members"));

  await page.tap(tid("add-members"));
  await page.fill(tid("input-members-0-age"), "40");
  await page.waitForSelector(tid("add-members-0-kids"));
  await page.tap(tid("add-members-0-kids"));
  await page.fill(tid("input-members-0-kids-0-kid_age"), "50");
  await page.waitForSelector(tid("issue-members-0-kids-0-kid_age"));
  assert.match(await page.innerText(tid("issue-members-0-kids-0-kid_age")), /子女不能比父母年长/);
  await page.fill(tid("input-members-0-kids-0-kid_age"), "12");
  await page.waitForSelector(tid("issue-members-0-kids-0-kid_age"), { state: "detached" });
  await page.tap(tid("add-members-0-kids"));
  await page.fill(tid("input-members-0-kids-1-kid_age"), "9");
  // A second member too young for a list of children of their own.
  await page.tap(tid("add-members"));
  await page.fill(tid("input-members-1-age"), "10");
  await page.waitForFunction(() => document.body.textContent.includes("子女年龄合计 21"));
  assert.equal(await page.locator(tid("add-members-1-kids")).count(), 0);

  await reload(page);
  await page.waitForSelector(tid("input-members-0-kids-1-kid_age"));
  assert.equal(await page.inputValue(tid("input-members-0-kids-0-kid_age")), "12");
  const [stored] = await storedResponses(page);
  assert.equal(stored.form, "nested");
  assert.deepEqual(stored.a.members[0].kids.map((k) => k.kid_age), [12, 9]);
  assert.equal(stored.a.members[1].age, 10);
  assert.equal(stored.a.kid_years, 21);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a form's own choice named 'other' is ticked like any other, and the survey completes", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  await openLibrary(page);
  const survey = "type,name,label,required\nselect_multiple help,help,需要哪些帮助？,yes\nselect_one kind,kind,住房类型,yes\n";
  const choices = "list_name,name,label\nhelp,meals,送餐\nhelp,other,其他帮助\nkind,flat,楼房\nkind,other,其他类型\n";
  const settings = "form_title,form_id,version\n其他选项,other_choice,1\n";
  await page.setInputFiles(tid("import-file"), [
    { name: "survey.csv", mimeType: "text/csv", buffer: Buffer.from(survey) },
    { name: "choices.csv", mimeType: "text/csv", buffer: Buffer.from(choices) },
    { name: "settings.csv", mimeType: "text/csv", buffer: Buffer.from(settings) },
  ]);
  await page.waitForSelector(tid("import-preview"));
  await page.tap(tid("import-confirm"));
  await page.waitForSelector(tid("import-done"));
  await page.tap(tid("import-start"));
  await page.waitForSelector(tid("choice-help-other"));
  await page.tap(tid("choice-help-meals"));
  await page.tap(tid("choice-help-other"));
  await page.tap(tid("choice-kind-other"));
  // The form has no "please specify" for them, and asks for none.
  assert.equal(await page.locator(`${tid("other-help")}, ${tid("other-kind")}`).count(), 0);
  await page.tap(tid("next"));
  await page.waitForSelector(tid("review-ok"));
  assert.equal(await page.locator(tid("review-issue")).count(), 0);
  await page.tap(tid("complete"));
  await page.waitForSelector(`${tid("response-row")}[data-status="completed"]`);
  const [stored] = await storedResponses(page);
  assert.deepEqual(stored.a.help, ["meals", "other"]);
  await context.close();
});
