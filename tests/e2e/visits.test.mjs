// A social worker's day of door-to-door visits: sets up the device and a walk list, logs
// three different outcomes, sees the grid, the coverage and the indicators follow, finds a
// revisit due today, and starts a survey from a household with its address filled in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, ready, fillSection, watchErrors, storedValues, storedResponses, go, reload } from "./helpers.mjs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

const status = (page, id) => page.getAttribute(tid(`hh-${id}`), "data-status");

async function outcome(page, household, which, fill) {
  await page.tap(tid(`hh-${household}`));
  await page.waitForSelector(tid("household-panel"));
  if (fill) await fill();
  await page.tap(tid(`outcome-${which}`));
  await page.tap(tid("close-household"));
}

test("walk list, three outcomes, grid and indicators, a revisit due, a survey from a household", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await go(page, url);
  await ready(page);
  await page.tap(tid("visits-link"));
  await page.waitForSelector(tid("worker-code"));

  await page.fill(tid("worker-code"), "W07");
  await page.fill(tid("worker-name"), "李社工");
  await page.tap(tid("save-worker"));
  await page.fill(tid("community"), "幸福社区");
  for (const [id, v] of [["b-to", "2"], ["u-to", "1"], ["f-to", "2"], ["r-to", "2"], ["villas", "1"], ["except", "2-1-202"]]) {
    await page.fill(tid(id), v);
  }
  await page.tap(tid("generate"));
  await page.waitForSelector(tid("hh-1-1-101"));
  assert.equal((await page.$$('[data-testid^="hh-"]')).length, 8, "2 buildings × 4 rooms, less one, and a villa");
  assert.equal(await status(page, "1-1-101"), "never");
  assert.match(await page.textContent(tid("ind-visits")), /0 \/ 200/);

  await outcome(page, "1-1-101", "not_home");
  await outcome(page, "1-1-102", "refused");
  const today = new Date().toLocaleDateString("sv");
  await outcome(page, "1-1-201", "come_back", () => page.fill(tid("come-back-date"), today));
  assert.equal(await status(page, "1-1-101"), "not_home");
  assert.equal(await status(page, "1-1-102"), "refused");
  assert.equal(await status(page, "1-1-201"), "revisit");
  assert.match(await page.textContent(tid("ind-visits")), /3 \/ 200/);
  assert.match(await page.textContent(tid("coverage-total")), /户数 8 · 已接触 2 · 已调查 0 · 拒绝 1 · 不在家 1 · 未走访 5/);
  // The grid says it in marks too, not only in colour.
  assert.match(await page.textContent(tid("hh-1-1-102")), /✗/);
  await page.waitForSelector(tid("due-1-1-201"));

  // Everything is kept across a reload.
  await reload(page);
  await page.waitForSelector(tid("hh-1-1-101"));
  assert.equal(await status(page, "1-1-201"), "revisit");
  await page.tap(tid("hh-1-1-101"));
  assert.equal((await page.$$(`${tid("history")} li`)).length, 1);
  await page.tap(tid("close-household"));

  // A survey from a household: its address is filled in; completing it records the visit.
  await page.tap(tid("hh-2-1-101"));
  await page.tap(tid("outcome-survey"));
  await page.waitForSelector(tid("question"));
  await page.tap(tid("choice-consent-yes"));
  await page.tap(tid("next"));
  await page.waitForSelector(tid("input-building"));
  assert.equal(await page.inputValue(tid("input-building")), "2栋");
  assert.equal(await page.inputValue(tid("input-room")), "101");
  for (let i = 0; i < 20; i++) {
    if (await page.$(tid("review-ok"))) break;
    await fillSection(page);
    await page.tap(tid("next"));
    await page.waitForTimeout(50);
  }
  await page.waitForSelector(tid("review-ok"));
  await page.tap(tid("complete"));
  await page.waitForSelector(`${tid("response-row")}[data-status="completed"]`);
  // A resident who declines at the consent question: the survey asks nothing more of
  // them, and the visit is logged as a refusal, not a survey.
  await page.tap(tid("visits-link"));
  await page.waitForSelector(tid("hh-2-1-102"));
  await page.tap(tid("hh-2-1-102"));
  await page.tap(tid("outcome-survey"));
  await page.waitForSelector(tid("question"));
  await page.tap(tid("choice-consent-no"));
  await page.waitForSelector(tid("declined"));
  await page.tap(tid("go-worker"));
  await page.waitForSelector(tid("choice-visit_out-declined"));
  await page.tap(tid("choice-visit_out-declined"));
  await page.tap(tid("choice-follow_up-no"));
  await page.tap(tid("next"));
  await page.waitForSelector(tid("review-ok"));
  await page.tap(tid("complete"));
  await page.waitForSelector(`${tid("response-row")}[data-status="completed"]`);
  await page.tap(tid("visits-link"));
  await page.waitForSelector(tid("hh-2-1-101"));
  assert.equal(await status(page, "2-1-101"), "surveyed");
  assert.equal(await status(page, "2-1-102"), "refused");
  assert.match(await page.textContent(tid("ind-visits")), /5 \/ 200/);
  assert.match(await page.textContent(tid("ind-surveys")), /1 \/ 8/);
  // The log is stored sealed: none of its household ids readable in the raw store.
  assert.ok(!(await page.evaluate(() => JSON.stringify(localStorage))).includes("2-1-102"));
  const visits = (await storedValues(page, "doorstep.v.")).flatMap(([, v]) => JSON.parse(v));
  assert.equal(visits.length, 5);
  assert.equal(visits.filter((v) => v.o.k === "refused").length, 2, "the door refused and the consent declined");
  assert.ok(visits.every((v) => v.w === "W07"), "every visit carries the worker code");
  // Per worker and per month, from the same log; a target of the project's own.
  assert.match(await page.textContent(tid("by-worker")), /W07\s*5\s*1/);
  const month = new Date().toLocaleDateString("sv").slice(0, 7);
  assert.match(await page.textContent(tid("by-month")), new RegExp(`${month}\\s*5\\s*1`));
  await page.fill(tid("goal-visits"), "10");
  await page.press(tid("goal-visits"), "Enter");
  await page.locator(tid("goal-visits")).blur();
  await page.waitForFunction(() => /5 \/ 10/.test(document.querySelector('[data-testid="ind-visits"]').textContent));
  await reload(page);
  await page.waitForSelector(tid("ind-visits"));
  assert.match(await page.textContent(tid("ind-visits")), /5 \/ 10/);
  const [response] = (await storedResponses(page)).filter((r) => r.a.consent === true);
  assert.equal(response.w, "W07", "the response carries the worker code");
  assert.equal(response.hh, "2-1-101");
  // The worker flagged the household for follow-up: it is on the list, with its address.
  await page.tap(tid("show-follow-ups"));
  await page.waitForSelector(tid(`fu-${response.id}`));
  assert.match(await page.textContent(tid(`fu-${response.id}`)), /社工标记需要跟进/);
  assert.match(await page.textContent(tid("fu-handled")), /已处理 0 \/ 1/);
  await page.selectOption(tid(`fu-status-${response.id}`), "referred");
  await page.waitForFunction(() => /已处理 1 \/ 1/.test(document.querySelector('[data-testid="fu-handled"]').textContent));
  assert.match(await page.textContent(tid("ind-follow-ups")), /已处理的跟进: 1/);
  await reload(page);
  await page.tap(tid("show-follow-ups"));
  assert.equal(await page.inputValue(tid(`fu-status-${response.id}`)), "referred");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a walk list CSV with a duplicate is refused whole, with the rows named", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  await go(page, url + "#/visits");
  await page.waitForSelector(tid("walk-csv"));
  await page.setInputFiles(tid("walk-csv"), {
    name: "list.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("楼栋,单元,房号\n12栋,1单元,1802\n12,1,1802\n"),
  });
  await page.waitForSelector(tid("visits-error"));
  assert.match(await page.textContent(tid("visits-error")), /第 2 行和第 3 行是同一户/);
  assert.equal(await page.evaluate(() => localStorage.getItem("doorstep.walk")), null);
  await page.setInputFiles(tid("walk-csv"), {
    name: "list.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("楼栋,单元,房号\n12栋,1单元,1802\n12栋,1单元,1803\n"),
  });
  await page.waitForSelector(tid("hh-12-1-1803"));
  // One more by hand; the same place again is refused.
  await page.fill(tid("worker-code"), "W08");
  await page.tap(tid("save-worker"));
  await page.fill(tid("add-building"), "12栋");
  await page.fill(tid("add-unit"), "1单元");
  await page.fill(tid("add-room"), "1804");
  await page.tap(tid("add-household"));
  await page.waitForSelector(tid("hh-12-1-1804"));
  await page.tap(tid("add-household"));
  await page.waitForSelector(tid("visits-error"));
  assert.match(await page.textContent(tid("visits-error")), /同一户（12-1-1804）/);
  assert.equal((await page.$$('[data-testid^="hh-"]')).length, 3);
  await context.close();
});
