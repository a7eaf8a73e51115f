// A social worker on a tablet: fills the built-in survey section by section, reloads midway,
// completes it and finds it in the list; required answers are enforced; languages switch.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, ready, fillSection, expectSection, sectionCount, storedResponses, watchErrors, onSection, newSurvey, go, reload } from "./helpers.mjs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

test("fill every section, reload midway, complete, see it in the list", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await go(page, url);
  await ready(page);
  await page.tap(tid("new-survey"));
  await page.waitForSelector(tid("question"));
  const n = await sectionCount(page);
  assert.ok(n >= 10, `${n} sections`);

  const answers = [];
  const middle = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    answers[i] = await fillSection(page);
    if (i === middle) {
      // A reload (or a crashed tab) in the middle of a section keeps every answer.
      await reload(page);
      await page.waitForSelector(tid("question"));
      await expectSection(page, answers[i], assert);
      for (const j of [0, 1, i - 1]) {
        await page.tap(`${tid("section-link")}[data-section="${j}"]`);
        await onSection(page, j);
        await expectSection(page, answers[j], assert);
      }
      await page.tap(`${tid("section-link")}[data-section="${i}"]`);
      await onSection(page, i);
    }
    await page.tap(tid("next"));
    if (i + 1 < n) await onSection(page, i + 1);
  }
  // The review screen: nothing missing, mark as completed.
  await page.waitForSelector(tid("review-ok"));
  await page.tap(tid("complete"));
  await page.waitForSelector(tid("response-row"));
  const row = page.locator(tid("response-row"));
  assert.equal(await row.count(), 1);
  assert.equal(await row.getAttribute("data-status"), "completed");
  assert.match(await row.locator(tid("place")).innerText(), /12/);

  const [stored] = await storedResponses(page);
  assert.equal(stored.status, "completed");
  assert.equal(stored.a.building, "12");
  assert.equal(stored.a.consent, true);
  assert.ok(stored.completed, "completed timestamp");
  assert.match(stored.id, /^[0-9a-f-]{36}$/);
  assert.equal(stored.form, "community-needs");
  assert.deepEqual(errors, []);
  await context.close();
});

test("required questions: Next is refused with a message; the answer clears it", async () => {
  const { context, page } = await newSurvey(browser, url);
  await page.tap(tid("next"));
  await page.waitForSelector(tid("issue-consent"));
  assert.match(await page.innerText(tid("issue-consent")), /必答/);
  assert.ok(await page.isVisible(tid("section-issues")));
  assert.match(await page.innerText(tid("section-position")), /^第 1\//);
  await page.tap(tid("choice-consent-yes"));
  assert.equal(await page.locator(tid("issue-consent")).count(), 0);
  await page.tap(tid("next"));
  await page.waitForSelector(tid("input-building"));
  // Jumping ahead is allowed; the review screen lists what is still missing.
  const last = (await page.$$(tid("section-link"))).length - 1;
  await page.tap(`${tid("section-link")}[data-section="${last}"]`);
  await onSection(page, last);
  await fillSection(page);
  await page.tap(tid("next"));
  await page.waitForSelector(tid("review-issues"));
  const missing = await page.$$eval(`${tid("review-issue")}`, (els) => els.map((e) => e.dataset.qid));
  for (const q of ["building", "room", "members"]) assert.ok(missing.includes(q), `${q} listed as missing`);
  assert.ok(await page.isDisabled(tid("complete")));
  // A link on the review screen leads to the question itself, focused.
  await page.tap(`${tid("review-issue")}[data-qid="building"] a`);
  await page.waitForSelector(tid("input-building"));
  await page.waitForFunction(() => document.activeElement?.dataset.testid === "input-building");
  await context.close();
});

test("numbers typed wrong are kept and explained; full-width digits are read", async () => {
  const { context, page } = await newSurvey(browser, url);
  await page.tap(`${tid("section-link")}[data-section="2"]`);
  await onSection(page, 2);
  await page.tap(tid("add-members"));
  const age = tid("input-members-0-m_age");
  await page.fill(age, "3.5");
  await page.waitForSelector(tid("issue-members-0-m_age"));
  assert.match(await page.innerText(tid("issue-members-0-m_age")), /整数/);
  await reload(page);
  await page.waitForSelector(age);
  assert.equal(await page.inputValue(age), "3.5", "what was typed survives a reload");
  await page.fill(age, "４");
  const [stored] = await storedResponses(page);
  assert.equal(stored.a.members[0].m_age, 4);
  await context.close();
});

test("?lang=en opens in English; the switch changes language and is remembered", async () => {
  const context = await tablet(browser);
  const page = await context.newPage();
  await go(page, url + "?lang=en");
  await ready(page);
  assert.equal(await page.innerText(tid("new-survey")), "New survey");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.tap(tid("lang-switch"));
  assert.equal(await page.innerText(tid("new-survey")), "开始新调查");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  await go(page, url);
  await ready(page);
  assert.equal(await page.innerText(tid("new-survey")), "开始新调查");
  await page.tap(tid("lang-switch"));
  await page.tap(tid("new-survey"));
  await page.waitForSelector(tid("question"));
  assert.match(await page.innerText(tid("section-position")), /Section 1 of/);
  // Switching in the middle of a survey redraws the screen in the other language and
  // keeps every answer.
  await page.tap(tid("choice-consent-yes"));
  await page.tap(tid("lang-switch"));
  await page.waitForFunction(() => /^第 1\//.test(document.querySelector('[data-testid="section-position"]').textContent));
  assert.ok(await page.isChecked(tid("choice-consent-yes")));
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  await context.close();
});

test("delete asks first; cancel keeps, confirm removes", async () => {
  const { context, page } = await newSurvey(browser, url);
  await page.tap(tid("back-to-list"));
  await page.waitForSelector(tid("response-row"));
  await page.tap(tid("delete"));
  await page.waitForSelector(tid("confirm-dialog"));
  await page.tap(tid("cancel-delete"));
  assert.equal(await page.locator(tid("response-row")).count(), 1);
  await page.tap(tid("delete"));
  await page.tap(tid("confirm-delete"));
  await page.waitForSelector(tid("response-row"), { state: "detached" });
  assert.equal((await storedResponses(page)).length, 0);
  await context.close();
});

test("a resident who declines: only the address and the worker section are needed", async () => {
  const { context, page } = await newSurvey(browser, url);
  await page.tap(tid("choice-consent-no"));
  await page.waitForSelector(tid("declined"));
  await page.tap(tid("next"));
  await onSection(page, 1);
  await page.fill(tid("input-building"), "3");
  await page.fill(tid("input-room"), "1202");
  await page.tap(tid("next"));
  await onSection(page, 2);
  // Nothing more is required of the resident: Next goes on without answers (past the
  // elderly and children sections, which do not apply with no one counted in them).
  await page.tap(tid("next"));
  await onSection(page, 5);
  await page.tap(`${tid("section-link")}[data-section="0"]`);
  await onSection(page, 0);
  await page.tap(tid("go-worker"));
  await page.waitForSelector(tid("choice-visit_out-declined"));
  await page.tap(tid("choice-visit_out-declined"));
  await page.tap(tid("choice-follow_up-no"));
  await page.tap(tid("next"));
  await page.waitForSelector(tid("review-ok"));
  await page.tap(tid("complete"));
  await page.waitForSelector(`${tid("response-row")}[data-status="completed"]`);
  const [stored] = await storedResponses(page);
  assert.equal(stored.a.consent, false);
  assert.equal(stored.a.members, undefined, "nobody listed");
  assert.equal(stored.a.hh_size, 0, "the household size is counted, not asked");
  await context.close();
});

test("skip logic: questions and sections appear and disappear as answers change", async () => {
  const { context, page } = await newSurvey(browser, url);
  const elderlyLink = `${tid("section-link")}[data-section="3"]`;
  assert.ok(await page.isHidden(elderlyLink), "no older people yet: their section is not offered");
  await page.tap(`${tid("section-link")}[data-section="2"]`);
  await onSection(page, 2);

  // A follow-up question appears with "yes" and goes with "no"; its answer is kept.
  assert.equal(await page.locator(`${tid("question")}[data-qid="dis_types"]`).count(), 0);
  await page.tap(tid("choice-disability-yes"));
  await page.waitForSelector(`${tid("question")}[data-qid="dis_types"]`);
  await page.tap(tid("choice-dis_types-physical"));
  await page.tap(tid("choice-disability-no"));
  await page.waitForSelector(`${tid("question")}[data-qid="dis_types"]`, { state: "detached" });
  await page.tap(tid("choice-disability-yes"));
  await page.waitForSelector(tid("choice-dis_types-physical"));
  assert.ok(await page.isChecked(tid("choice-dis_types-physical")), "the hidden answer came back");

  // The household is counted from the roster: a member of 70 makes the older people's
  // section apply, and a note quotes the calculated counts.
  const childrenLink = `${tid("section-link")}[data-section="4"]`;
  await page.tap(tid("add-members"));
  await page.fill(tid("input-members-0-m_age"), "70");
  await page.waitForFunction(() => document.body.textContent.includes("家里共 1 人：60岁及以上 1 人"));
  assert.ok(await page.isVisible(elderlyLink));
  assert.ok(await page.isHidden(childrenLink));
  await page.tap(tid("add-members"));
  await page.fill(tid("input-members-1-m_age"), "6");
  await page.waitForSelector(childrenLink, { state: "visible" });
  await page.fill(tid("input-members-1-m_age"), "16");
  await page.waitForSelector(childrenLink, { state: "hidden" });
  // No children under 14: Next from the elderly section skips the children's.
  await page.tap(elderlyLink);
  await onSection(page, 3);
  await page.tap(tid("next"));
  await onSection(page, 5);
  // A constraint with the form's own message: a check-up cannot be in the future.
  await page.fill(tid("input-last_check"), "2999-01-01");
  await page.waitForSelector(tid("issue-last_check"));
  assert.match(await page.innerText(tid("issue-last_check")), /不能晚于今天/);
  await page.fill(tid("input-last_check"), "2024-05-01");
  await page.waitForSelector(tid("issue-last_check"), { state: "detached" });
  await context.close();
});

test("a five-member roster: add, answer, validate each member, reorder, remove, reload", async () => {
  const { context, page } = await newSurvey(browser, url);
  await page.tap(`${tid("section-link")}[data-section="2"]`);
  await onSection(page, 2);
  const ages = [72, 45, 43, 12, 130];
  for (let i = 0; i < ages.length; i++) {
    await page.tap(tid("add-members"));
    await page.waitForSelector(tid(`input-members-${i}-m_age`));
    await page.fill(tid(`input-members-${i}-m_age`), String(ages[i]));
  }
  assert.equal(await page.locator(`${tid("item-members")}`).count(), 5);
  // Each member is checked on their own: 130 is out of range; work is asked from 16 on.
  await page.waitForSelector(tid("issue-members-4-m_age"));
  assert.match(await page.innerText(tid("issue-members-4-m_age")), /不能大于 120/);
  assert.equal(await page.locator(tid("choice-members-3-m_work-student")).count(), 0, "12-year-old: no work question");
  await page.tap(tid("choice-members-1-m_work-employed"));
  await page.fill(tid("input-members-4-m_age"), "9");
  await page.waitForSelector(tid("issue-members-4-m_age"), { state: "detached" });

  // Move the second member up; remove the last after confirming.
  await page.tap(tid("up-members-1"));
  await page.waitForFunction(() => document.querySelector('[data-testid="input-members-0-m_age"]').value === "45");
  assert.ok(await page.isChecked(tid("choice-members-0-m_work-employed")), "answers move with their member");
  await page.tap(tid("remove-members-4"));
  await page.tap(tid("confirm-remove-members-4"));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="item-members"]').length === 4);

  let [stored] = await storedResponses(page);
  assert.deepEqual(stored.a.members.map((m) => m.m_age), [45, 72, 43, 12]);
  assert.equal(stored.a.members[0].m_work, "employed");
  assert.equal(stored.a.hh_size, 4, "calculated from the roster");
  assert.equal(stored.a.n_over60, 1);
  assert.equal(stored.a.n_under14, 1);

  await reload(page);
  await page.waitForSelector(tid("input-members-3-m_age"));
  assert.equal(await page.inputValue(tid("input-members-2-m_age")), "43");
  await context.close();
});
