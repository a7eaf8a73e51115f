// The coordinator's workspace, as a coordinator uses it: two workers export on their own
// tablets, the coordinator imports both files (and some bad ones) in another browser, the
// counts match the files, a reload keeps everything, HTML in a file stays text, and the
// workspace can be cleared.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, ready, watchErrors, go, reload } from "./helpers.mjs";
import { readFileSync, writeFileSync, truncateSync, mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { seed, exportJson, coordinatorProject, resign, canonical } from "./lib/worker.mjs";
import { createHash } from "node:crypto";
import { pdfPages } from "./lib/pdf.mjs";

const compiled = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "form", "community-needs.compiled.json"), "utf8")
);

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** The coordinator's browser (`options` for its context), where the project is made and
 *  its key kept; then two workers of the project, each on their own tablet, export. */
async function twoExports(options = { locale: "en-GB" }) {
  const coordinator = await tablet(browser, { acceptDownloads: true, ...options });
  const cp = await coordinator.newPage();
  await go(cp, url);
  await ready(cp);
  await cp.tap(tid("workspace-link"));
  await cp.waitForSelector(`${tid("ws-import")}:not([disabled])`);
  const project = await coordinatorProject(cp);
  await cp.close();
  const a = await tablet(browser, { acceptDownloads: true });
  const pa = await a.newPage();
  await seed(pa, url, 60, { worker: "W07" });
  await go(pa, url);
  await ready(pa);
  const first = await exportJson(pa, { project });
  await a.close();
  const b = await tablet(browser, { acceptDownloads: true });
  const pb = await b.newPage();
  await seed(pb, url, 40, { worker: "W08", from: 100 });
  await go(pb, url);
  await ready(pb);
  const second = await exportJson(pb, { project });
  await b.close();
  return [first, second, coordinator, JSON.parse(project)];
}

const file = (name, bytes) => ({ name, mimeType: "application/json", buffer: Buffer.from(bytes) });

/** A changed export made whole again as a member of the project would: checksums over the
 *  canonical parts (docs/export-format.md), the count, the signature. */
function reseal(doc, signKey) {
  const sha = (v) => createHash("sha256").update(canonical(v), "utf8").digest("hex");
  doc.header.responses_sha256 = sha(doc.responses);
  doc.header.visits_sha256 = sha(doc.visits);
  doc.header.count = doc.responses.length;
  return resign(doc, signKey);
}

async function openWorkspace(page) {
  await page.addInitScript(() => localStorage.setItem("doorstep.lang", "en"));
  await go(page, url);
  await ready(page);
  await page.tap(tid("workspace-link"));
  await page.waitForSelector(`${tid("ws-import")}:not([disabled])`);
}

const total = (page, id) => page.textContent(tid(`ws-total-${id}`)).then(Number);

test("two workers' exports merge in the coordinator's browser; bad files are refused with reasons", async () => {
  const [first, second, context, project] = await twoExports();
  const docA = JSON.parse(first.bytes.toString("utf8"));
  const docB = JSON.parse(second.bytes.toString("utf8"));
  assert.equal(docA.header.project.id, docB.header.project.id);

  const page = await context.newPage();
  const errors = watchErrors(page);
  await openWorkspace(page);
  assert.equal(await total(page, "responses"), 0);

  const text = first.bytes.toString("utf8");
  const edited = text.replace(/"house_type":"villa"/, '"house_type":"apartment"');
  assert.notEqual(edited, text);
  await page.setInputFiles(tid("ws-import"), [
    file(first.name, first.bytes),
    file(second.name, second.bytes),
    file("copy.json", first.bytes),
    file("cut.json", text.slice(0, text.length / 2)),
    file("notes.json", "meeting notes, not JSON"),
    file("edited.json", edited),
  ]);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ws-result"]').length === n, 6);
  const results = await page.$$eval(tid("ws-result"), (els) =>
    els.map((e) => [e.dataset.outcome, e.textContent])
  );
  assert.deepEqual(
    results.map((r) => r[0]),
    ["accepted", "accepted", "duplicate", "rejected", "rejected", "rejected"]
  );
  assert.match(results[0][1], new RegExp(`Accepted \\(${docA.header.count} responses\\)`));
  assert.match(results[2][1], /Imported before/);
  assert.match(results[3][1], /incomplete/);
  assert.match(results[4][1], /Not a JSON file/);
  assert.match(results[5][1], /Checksum mismatch/);

  const n = docA.header.count + docB.header.count;
  // The totals are drawn once the batch's writes have committed.
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="ws-total-responses"]')?.textContent === String(n),
    n
  );
  assert.equal(await total(page, "files"), 2);
  assert.equal(await total(page, "workers"), 2);
  assert.equal(await total(page, "visits"), docA.header.visits + docB.header.visits);
  assert.equal(Number((await page.textContent(tid("ws-selected"))).split(" ")[0]), n);

  // A question's counts are the files' counts; small ones hidden.
  const villas = [docA, docB].flatMap((d) => d.responses).filter((r) => r.answers.house_type === "villa").length;
  const row = page.locator(`${tid("ws-question")}[data-question="house_type"] tr`, { hasText: "Villa" });
  const villaCell = await row.locator("td.n").textContent();
  if (villas > 0 && villas < 5) assert.equal(villaCell, "<5");
  else assert.ok([String(villas), "hidden to protect another cell"].includes(villaCell), villaCell);
  await page.waitForSelector(tid("ws-needs"));
  // Every count on every card, against an independent count of the files: a shown number is
  // the files' count, "<5" stands only over 1–4, and a card's shown counts never leave a
  // remainder of 1–4 for what it hides (the total minus the shown cells).
  const responses = [docA, docB].flatMap((d) => d.responses);
  const cards = await page.$$eval(`${tid("ws-question")}`, (cs) =>
    cs.map((c) => ({
      q: c.dataset.question,
      answered: c.querySelector('[data-testid="ws-answered"]').textContent,
      rows: [...c.querySelectorAll("tr[data-value]")].map((r) => [r.dataset.value, r.querySelector("td.n").textContent]),
    }))
  );
  const topLevel = new Set(compiled.sections.flatMap((x) => x.questions).map((q) => q.id));
  let checked = 0;
  for (const card of cards) {
    if (!topLevel.has(card.q)) continue;
    const kind = compiled.sections.flatMap((x) => x.questions).find((q) => q.id === card.q).kind;
    const multi = !!kind.MultipleChoice;
    if (!(kind.SingleChoice || multi || kind === "YesNo")) continue;
    const count = (v) =>
      responses.filter((r) => {
        const a = r.answers[card.q];
        return multi ? Array.isArray(a) && a.includes(v) : String(a) === v;
      }).length;
    const answered = responses.filter((r) => r.answers[card.q] !== undefined && !(multi && r.answers[card.q].length === 0)).length;
    const shownBase = card.answered.split(" ")[0];
    if (answered > 0 && answered < 5) assert.equal(shownBase, "<5", card.q);
    else if (answered > 0) assert.equal(Number(shownBase), answered, card.q);
    let rest = answered;
    let hidden = 0;
    for (const [value, text] of card.rows) {
      const n = count(value);
      if (text === "<5") assert.ok(n > 0 && n < 5, `${card.q}=${value}: <5 over ${n}`);
      else if (text !== "hidden to protect another cell") assert.equal(Number(text), n, `${card.q}=${value}`);
      if (/^\d+$/.test(text)) rest -= n;
      else hidden++;
      checked++;
    }
    if (!multi && hidden > 0 && /^\d+$/.test(shownBase)) {
      assert.ok(rest === 0 || rest >= 5, `${card.q}: the hidden cells hold ${rest}, worked out from the total`);
    }
  }
  assert.ok(checked > 100, `${checked} cells checked`);

  // Indicators: every visit the files carry, every household surveyed once.
  assert.match(await page.textContent(tid("ws-indicator-visits")), new RegExp(`: ${docA.header.visits + docB.header.visits}`));
  assert.match(await page.textContent(tid("ws-indicator-surveys")), new RegExp(`: ${n}`));
  // The cross-tab: house type by area, a cell as the files say, or hidden under k.
  await page.selectOption(tid("ws-cross-question"), "house_type");
  await page.selectOption(tid("ws-cross-by"), "area");
  const villasInA = [docA, docB]
    .flatMap((d) => d.responses)
    .filter((r) => r.area === "A" && r.answers.house_type === "villa").length;
  const cross = page.locator(`${tid("ws-crosstab")} tr`, { hasText: "Villa" });
  const header = await page.$$eval(`${tid("ws-crosstab")} thead th`, (ths) => ths.map((t) => t.textContent));
  const td = cross.locator("td").nth(header.indexOf("A") - 1);
  const cell = await td.textContent();
  if (villasInA > 0 && villasInA < 5) {
    assert.equal(cell, "<5");
    assert.equal(await td.getAttribute("data-hidden"), "under");
  } else if (cell !== String(villasInA)) {
    // A count of k or more is shown, unless hidden to protect a small one beside it, and
    // then it says so: never "<k" for a count that is not under k.
    assert.equal(cell, "hidden to protect another cell", `${cell} vs ${villasInA}`);
    assert.equal(await td.getAttribute("data-hidden"), "protects");
  }
  // Every cell of every table on the dashboard: "<5" only over a count under 5.
  const labels = await page.$$eval('[data-hidden]', (els) => els.map((e) => [e.dataset.hidden, e.textContent]));
  for (const [kind, text] of labels) assert.equal(text, kind === "under" ? "<5" : "hidden to protect another cell");

  if (process.env.SCREENSHOTS) await page.screenshot({ path: process.env.SCREENSHOTS + "/workspace.png", fullPage: true });

  // A filter re-counts.
  await page.selectOption(tid("ws-filter-area"), "A");
  const inA = [docA, docB].flatMap((d) => d.responses).filter((r) => r.area === "A").length;
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="ws-selected"]').textContent.startsWith(`${n} `),
    inA
  );

  // Dates: every response was completed on 2026-11-20.
  await page.selectOption(tid("ws-filter-area"), "");
  await page.fill(tid("ws-filter-from"), "2026-11-21");
  await page.waitForFunction(() => document.querySelector('[data-testid="ws-selected"]').textContent.startsWith("0 "));
  await page.fill(tid("ws-filter-from"), "2026-11-20");
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="ws-selected"]').textContent.startsWith(`${n} `),
    n
  );

  // A reload keeps the workspace (IndexedDB), and importing the same files again changes nothing.
  await reload(page);
  await page.waitForSelector(`${tid("ws-import")}:not([disabled])`);
  await page.waitForFunction((n) => document.querySelector('[data-testid="ws-total-responses"]')?.textContent === String(n), n);
  await page.setInputFiles(tid("ws-import"), [file(first.name, first.bytes), file(second.name, second.bytes)]);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="ws-result"]').length === 2);
  assert.deepEqual(await page.$$eval(tid("ws-result"), (els) => els.map((e) => e.dataset.outcome)), ["duplicate", "duplicate"]);
  assert.equal(await total(page, "responses"), n);

  // A file far too large is refused by its size, before a byte of it is read.
  const big = join(mkdtempSync(join(tmpdir(), "doorstep-")), "district-dump.json");
  writeFileSync(big, "");
  truncateSync(big, 200 * 1024 * 1024);
  await page.setInputFiles(tid("ws-import"), big);
  await page.waitForSelector(`${tid("ws-result")}[data-outcome="rejected"]`);
  assert.match(await page.textContent(tid("ws-result")), /too large \(200 MB\)/);
  assert.equal(await total(page, "responses"), n);
  rmSync(big);

  // Clearing takes two taps, and lasts.
  await page.tap(tid("ws-clear"));
  assert.equal(await total(page, "responses"), n);
  await page.tap(tid("ws-clear"));
  await page.waitForFunction(() => document.querySelector('[data-testid="ws-total-responses"]')?.textContent === "0");
  await reload(page);
  await page.waitForSelector(`${tid("ws-import")}:not([disabled])`);
  assert.equal(await total(page, "responses"), 0);
  assert.deepEqual(errors, []);
  await page.close();

  // HTML in a file is text on the screen, never markup: no script runs (the file signed
  // again by a member, so it passes every check). The project's name is the one this
  // browser holds, not the header's.
  const html = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
  const hostile = JSON.parse(text);
  hostile.header.project.name = html;
  hostile.header.worker = html;
  for (const r of hostile.responses) r.worker = html;
  reseal(hostile, project.sign_key);
  const c2 = context;
  const p2 = await c2.newPage();
  let dialogs = 0;
  p2.on("dialog", (d) => {
    dialogs++;
    d.dismiss();
  });
  await openWorkspace(p2);
  await p2.setInputFiles(tid("ws-import"), [file("hostile.json", JSON.stringify(hostile))]);
  await p2.waitForSelector(`${tid("ws-result")}[data-outcome="accepted"]`);
  assert.ok(!(await p2.textContent(tid("ws-totals"))).includes("<script>"), "the header's project name is not shown");
  assert.match(await p2.textContent(tid("ws-totals")), new RegExp(project.name));
  assert.ok((await p2.$$eval(`${tid("ws-filter-worker")} option`, (o) => o.map((x) => x.textContent))).includes(html));
  assert.equal(await p2.evaluate(() => window.__pwned), undefined);
  assert.equal(await p2.locator(`${tid("ws-totals")} img`).count(), 0);
  assert.equal(dialogs, 0);
  await c2.close();
});

test("the merged NDJSON loads into DuckDB with one statement and gives the dashboard's totals", async () => {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const [first, second, context] = await twoExports({ locale: "en-GB" });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await openWorkspace(page);
  await page.setInputFiles(tid("ws-import"), [file(first.name, first.bytes), file(second.name, second.bytes)]);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="ws-result"][data-outcome="accepted"]').length === 2);
  const expected = [first, second].map((f) => JSON.parse(f.bytes.toString("utf8")).header.count).reduce((a, b) => a + b);
  // The totals are drawn once the batch's writes have committed.
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="ws-total-responses"]')?.textContent === String(n),
    expected
  );
  const shown = await total(page, "responses");
  const villaRow = page.locator(`${tid("ws-question")}[data-question="house_type"] tr`, { hasText: "Villa" });
  const villas = [first, second]
    .flatMap((f) => JSON.parse(f.bytes.toString("utf8")).responses)
    .filter((r) => r.answers.house_type === "villa").length;
  const villaText = await villaRow.locator("td.n").textContent();
  assert.ok([String(villas), "<5", "hidden to protect another cell"].includes(villaText), villaText);
  await page.selectOption(tid("ws-filter-area"), "A");
  await page.waitForFunction(
    (n) => !document.querySelector('[data-testid="ws-selected"]').textContent.startsWith(`${n} `),
    shown
  );
  const inA = Number((await page.textContent(tid("ws-selected"))).split(" ")[0]);

  const save = async (button) => {
    const [d] = await Promise.all([page.waitForEvent("download"), page.tap(tid(button))]);
    return { name: d.suggestedFilename(), path: await d.path() };
  };
  const nd = await save("ws-download-ndjson");
  assert.match(nd.name, /^doorstep-merged-\d{4}-\d{2}-\d{2}\.ndjson$/);
  const csv = await save("ws-download-csv");
  assert.match(csv.name, /\.csv$/);
  assert.deepEqual([...readFileSync(csv.path).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(readFileSync(nd.path).indexOf("MARK"), -1, "a marker in the merged NDJSON");

  // The one statement docs/workspace.md gives, then the dashboard's figures from SQL.
  const db = await DuckDBInstance.create(":memory:");
  const sql = await db.connect();
  await sql.run(`CREATE TABLE responses AS SELECT * FROM read_json_auto('${nd.path}', format = 'newline_delimited')`);
  const one = async (q) => (await sql.runAndReadAll(q)).getRows()[0][0];
  assert.equal(Number(await one("SELECT count(*) FROM responses")), shown);
  assert.equal(Number(await one("SELECT count(*) FROM responses WHERE answers.house_type = 'villa'")), villas);
  assert.equal(Number(await one("SELECT count(*) FROM responses WHERE area = 'A'")), inA);
  assert.equal(Number(await one("SELECT count(DISTINCT worker) FROM responses")), 2);
  // The docs' other examples hold too: a need's share, and the roster unnested.
  const docs = [first, second].map((f) => JSON.parse(f.bytes.toString("utf8")));
  const lunch = docs.flatMap((d) => d.responses).filter((r) => (r.answers.top_needs || []).includes("lunch")).length;
  assert.equal(Number(await one("SELECT sum(list_contains(answers.top_needs, 'lunch')::int) FROM responses")), lunch);
  const members = docs.flatMap((d) => d.responses).reduce((n, r) => n + (r.answers.members || []).length, 0);
  assert.equal(Number(await one("SELECT count(*) FROM (SELECT unnest(answers.members) AS m FROM responses)")), members);
  // The CSV too.
  await sql.run(`CREATE TABLE flat AS SELECT * FROM read_csv_auto('${csv.path}', header = true)`);
  assert.equal(Number(await one("SELECT count(*) FROM flat")), shown);

  // The publication dataset: built, its cost listed, and its NDJSON recounted here, apart
  // from the app: every group alike in area, household quasi-identifiers and members'
  // quasi-identifiers (the form's own marking) holds k = 5 or more; ids are fresh.
  await page.selectOption(tid("ws-filter-area"), "");
  await page.tap(tid("ws-build-release"));
  await page.waitForSelector(`${tid("ws-release-loss")}:visible`);
  assert.match(await page.textContent(tid("ws-release-loss")), /records, every group alike/);
  const rel = await save("ws-release-ndjson");
  assert.match(rel.name, /^doorstep-release-\d{4}-\d{2}-\d{2}\.ndjson$/);
  const released = readFileSync(rel.path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const qi = (q) => q.privacy === "quasi_identifier";
  const tops = compiled.sections.flatMap((x) => x.questions);
  const rosterQ = tops.find((q) => q.kind?.Repeat);
  const hhQi = tops.filter(qi).map((q) => q.id);
  const memberQi = rosterQ.kind.Repeat.questions.filter(qi).map((q) => q.id);
  const sourceIds = new Set(docs.flatMap((d) => d.responses.map((r) => r.id)));
  const groups = new Map();
  for (const r of released) {
    assert.deepEqual(Object.keys(r).filter((x) => !["id", "area", "answers"].includes(x)), []);
    assert.ok(/^[0-9a-f]{32}$/.test(r.id) && !sourceIds.has(r.id));
    assert.equal(r.answers.visit_out, undefined);
    assert.equal(r.answers.comments, undefined);
    const members = (r.answers[rosterQ.id] || []).map((m) => memberQi.map((q) => JSON.stringify(m[q] ?? null)).join("/")).sort();
    const key = JSON.stringify([r.area ?? null, ...hhQi.map((q) => r.answers[q] ?? null), members]);
    groups.set(key, (groups.get(key) || 0) + 1);
  }
  assert.ok(released.length > 0);
  assert.ok(Math.min(...groups.values()) >= 5, `a group of ${Math.min(...groups.values())}`);
  sql.closeSync?.();
  assert.deepEqual(errors, []);
  await context.close();
});

test("the survey report builds in zh-CN, keeps its recommendations, and prints to a clean A4 document", async () => {
  const [first, second, context] = await twoExports({ locale: "zh-CN" });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await go(page, url);
  await ready(page);
  await page.tap(tid("workspace-link"));
  await page.waitForSelector(`${tid("ws-import")}:not([disabled])`);
  await page.setInputFiles(tid("ws-import"), [file(first.name, first.bytes), file(second.name, second.bytes)]);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="ws-result"][data-outcome="accepted"]').length === 2);
  await page.waitForSelector(tid("ws-dashboard"));
  await page.tap(tid("ws-build-report"));
  await page.waitForSelector(tid("report"));
  assert.equal(await page.textContent(tid("report-title")), "东区入户调查");
  const method = await page.textContent(tid("report-method"));
  const n = JSON.parse(first.bytes.toString("utf8")).header.count + JSON.parse(second.bytes.toString("utf8")).header.count;
  assert.match(method, new RegExp(`完成问卷 ${n} 份`));
  // The period as a reader says it (the month of the test's surveys), not two ISO dates;
  // the method says what was hidden and why.
  assert.match(method, /本次调研采用入户问卷调查。\d{4}年\d{1,2}月(\d{1,2}日)?(至(\d{4}年)?\d{1,2}月)?，/);
  assert.doesNotMatch(method, /\d{4}-\d{2}-\d{2}/);
  assert.match(method, /隐藏以保护其他格/);
  const sentences = await page.$$eval(".report .sentence", (els) => els.map((e) => e.textContent));
  for (const s of sentences) assert.doesNotMatch(s, /个中|\d+ 个(受访住户|家庭成员)/, s);
  assert.ok((await page.locator(".report .sentence").count()) > 5);
  assert.match(await page.textContent(".report"), /%/);
  await page.waitForSelector(tid("report-needs"));
  // Numbers get a chart too: the household size in bins, each of k (5) or more, none
  // hidden — a bin's label never names one household's figure.
  assert.equal(await page.locator('.report-finding[data-question="hh_size"] table.ws-dist').count(), 1);
  const bins = await page.$$eval('.report-finding[data-question="hh_size"] td.n', (els) => els.map((e) => e.textContent));
  assert.ok(bins.length >= 1 && bins.every((b) => Number(b) >= 5), bins.join(" "));
  // The needs are said once: in their section, not again among the findings.
  assert.equal(await page.locator('.report-finding[data-question="top_needs"]').count(), 0);
  // The coordinator's own words are kept.
  await page.fill(tid("report-agency"), "幸福社工服务中心");
  await page.fill(tid("report-recommendations"), "一、增设老年助餐点。\n二、开设四点半课堂。");
  await page.locator(tid("report-recommendations")).blur();
  await reload(page);
  await page.waitForSelector(`${tid("ws-import")}:not([disabled])`);
  await page.waitForSelector(`${tid("ws-build-report")}:visible`);
  await page.tap(tid("ws-build-report"));
  await page.waitForSelector(tid("report"));
  assert.equal(await page.inputValue(tid("report-agency")), "幸福社工服务中心");
  assert.match(await page.inputValue(tid("report-recommendations")), /增设老年助餐点/);

  // Print: only the report, the editable fields as text; captured as artifacts.
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "target", "artifacts");
  mkdirSync(out, { recursive: true });
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.isVisible(tid("ws-import")), false);
  assert.equal(await page.isVisible(tid("report-recommendations")), false);
  assert.equal(await page.isVisible(tid("report-follow-up-keep")), false);
  assert.match(await page.textContent(".report .recommendations-text"), /开设四点半课堂/);
  await page.screenshot({ path: join(out, "report-print-preview.png"), fullPage: true });
  const pdf = await page.pdf({ format: "A4", path: join(out, "report.pdf") });

  // The PDF as a street office reads it, its text taken out by pdf.js.
  const pages = await pdfPages(pdf);
  const text = pages.join("\n");
  const flat = text.replace(/\s+/g, "");
  assert.ok(pages.length >= 4, `${pages.length} pages`);
  assert.match(flat, /东区入户调查/);
  assert.match(flat, /调研方法/);
  assert.match(flat, /开设四点半课堂/);
  // The method is followed by the findings on its page (page 2 was mostly empty, before),
  // and no page holds only a heading (建议 was a blank page).
  assert.ok(pages[1].replace(/\s+/g, "").length > 250, `page 2 holds only: ${pages[1]}`);
  for (const [i, p] of pages.entries()) {
    assert.ok(p.replace(/\s+/g, "").length > 12, `page ${i + 1} holds only: ${p}`);
  }
  // Phrasing a reader accepts: no "N 个中 M 个", no ISO period.
  assert.doesNotMatch(flat, /个中/);
  assert.doesNotMatch(flat, /\d{4}-\d{2}-\d{2}–\d{4}-\d{2}-\d{2}/);
  // The workers' own records are not in it: no visit outcome, no follow-up reasons; the
  // follow-up count is, as a count.
  const worker = compiled.sections.find((sec) => sec.audience === "worker" || sec.audience === 1);
  const flag = worker.questions.find((q) => q.kind === "YesNo");
  // (Words the residents' questions use too, such as 经济困难, may appear for them.)
  const residentWords = JSON.stringify(compiled.sections.filter((x) => x !== worker));
  for (const q of worker.questions) {
    if (q === flag) continue;
    const words = [q.label, ...(q.kind.SingleChoice?.choices ?? q.kind.MultipleChoice?.choices ?? []).map((c) => c.label)]
      .map((l) => l["zh-CN"])
      .filter((w) => !residentWords.includes(w));
    for (const w of words) assert.ok(!flat.includes(w.replace(/\s+/g, "")), `${q.id}: ${w} in the report`);
  }
  assert.ok(flat.includes(flag.label["zh-CN"].replace(/\s+/g, "")), "the follow-up count");
  // The appendix: every resident question once, roster questions included, "其他" where a
  // list has it, rating scales with their ends.
  const appendix = flat.slice(flat.lastIndexOf("附录"));
  const walk = (qs, f) => qs.forEach((q) => { f(q); walk(q.kind?.Repeat?.questions ?? [], f); });
  for (const sec of compiled.sections.filter((x) => x !== worker)) {
    walk(sec.questions, (q) => {
      if (q.kind === "Note" || q.kind?.Calculate) return;
      const label = q.label["zh-CN"].replace(/\s+/g, "");
      assert.ok(appendix.includes(label), `${q.id} missing from the appendix`);
    });
  }
  const roster = compiled.sections.flatMap((x) => x.questions).find((q) => q.kind?.Repeat);
  assert.ok(roster.kind.Repeat.questions.length > 0);
  assert.match(appendix, /其他（请注明）/);
  assert.match(appendix, /可多选/);
  const rating = compiled.sections.flatMap((x) => x.questions).find((q) => q.kind?.Rating);
  assert.ok(appendix.includes(`1（${rating.kind.Rating.low["zh-CN"]}）`), "rating scale ends");

  // The follow-up count is the files' count, and the coordinator's to leave out, staying
  // out after a reload.
  await page.emulateMedia({ media: "screen" });
  const docsR = [first, second].map((f) => JSON.parse(f.bytes.toString("utf8")));
  const flagged = docsR.flatMap((d) => d.responses).filter((r) => r.answers.follow_up === true).length;
  assert.ok(flagged >= 5);
  assert.match(await page.textContent(tid("report-follow-up-count")), new RegExp(`: ${flagged} 户`));
  await page.uncheck(tid("report-follow-up-keep"));
  await page.waitForSelector(tid("report-follow-up"), { state: "detached" });
  await reload(page);
  await page.waitForSelector(`${tid("ws-build-report")}:visible`);
  await page.tap(tid("ws-build-report"));
  await page.waitForSelector(tid("report"));
  assert.equal(await page.isChecked(tid("report-follow-up-keep")), false);
  assert.equal(await page.locator(tid("report-follow-up")).count(), 0);
  // The same report in English is English throughout: sentences, method, appendix (only
  // the project's own names are Chinese).
  await page.selectOption(tid("ws-report-lang"), "en");
  await page.tap(tid("ws-build-report"));
  await page.waitForSelector(`${tid("report")}[lang="en"]`);
  const cjk = /[\u4e00-\u9fff]/;
  const en = await page.$$eval(".report .sentence, .report .note, .report-appendix li, .report h2, .report h3, .report h4", (els) =>
    els.map((e) => e.textContent)
  );
  assert.ok(en.length > 20);
  // (A Chinese name in brackets, such as a service's, is the form's own English label.)
  for (const t of en) assert.doesNotMatch(t.replace(/\([^)]*\)/g, ""), cjk, t);
  assert.doesNotMatch(await page.textContent(tid("report-method")), /[\u4e00-\u9fff]/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("files a member signed that the form could not have produced are refused whole, said in Chinese, and a reload keeps only the good", async () => {
  const [first, second, context, project] = await twoExports({ locale: "zh-CN" });
  const base = () => JSON.parse(first.bytes.toString("utf8"));
  const hostile = [];
  const make = (name, change) => {
    const doc = base();
    change(doc);
    hostile.push(file(name, JSON.stringify(reseal(doc, project.sign_key))));
  };
  make("castle.json", (d) => (d.responses[0].answers.house_type = "castle"));
  make("room.json", (d) => (d.responses[0].answers.room = "1203"));
  make("huge.json", (d) => (d.responses[1].answers.med_spend = 1e308));
  make("phone.json", (d) => (d.responses[0].answers.comments = "王秀英 13812345678"));
  make("k0.json", (d) => (d.header.k = 0));
  make("form-id.json", (d) => (d.header.form.id = "another-form"));
  // A key twice: the canonical form (and so checksum and signature) cannot tell.
  const doc = reseal(base(), project.sign_key);
  const [k, v] = Object.entries(doc.responses[0].answers).find(([, v]) => typeof v !== "object");
  const twice = JSON.stringify(doc).replace('"answers":{', `"answers":{${JSON.stringify(k)}:${JSON.stringify(v)},`);
  hostile.push(file("twice.json", twice));

  const page = await context.newPage();
  await go(page, url);
  await ready(page);
  await page.tap(tid("workspace-link"));
  await page.waitForSelector(`${tid("ws-import")}:not([disabled])`);
  await page.setInputFiles(tid("ws-import"), [file(second.name, second.bytes), ...hostile]);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ws-result"]').length === n, hostile.length + 1);
  const results = await page.$$eval(tid("ws-result"), (els) => els.map((e) => [e.dataset.outcome, e.textContent]));
  assert.deepEqual(results.map((r) => r[0]), ["accepted", ...hostile.map(() => "rejected")]);
  const said = Object.fromEntries(hostile.map((h, i) => [h.name, results[i + 1][1]]));
  for (const name of ["castle.json", "room.json", "huge.json", "phone.json"]) {
    assert.match(said[name], /整个文件未导入/, name);
    assert.match(said[name], /第 \d+ 份（r-[0-9a-f]+）/, name);
  }
  assert.match(said["castle.json"], /“castle”不是选项之一/);
  assert.match(said["room.json"], /身份信息/);
  assert.match(said["huge.json"], /超出允许范围/);
  assert.match(said["phone.json"], /未声明的自由文本/);
  assert.match(said["k0.json"], /k = 0/);
  assert.match(said["twice.json"], /同一题出现两次/);
  // Saved, then a real reload: the good file alone.
  await page.waitForSelector(`${tid("ws-saving")}[hidden]`, { state: "attached" });
  const n = JSON.parse(second.bytes.toString("utf8")).header.count;
  await page.waitForFunction((n) => document.querySelector('[data-testid="ws-total-responses"]')?.textContent === String(n), n);
  await reload(page);
  await page.waitForFunction((n) => document.querySelector('[data-testid="ws-total-responses"]')?.textContent === String(n), n);
  assert.equal(await total(page, "files"), 1);
  await context.close();
});
