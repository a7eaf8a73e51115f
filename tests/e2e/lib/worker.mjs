// A worker's side, shared by the export and workspace tests: responses seeded as the app
// stores them, a project set up on the export screen, a JSON export downloaded.
import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { go, tid } from "../helpers.mjs";

/** RFC 8785 canonical JSON, as the header's checksum is defined (the data here has only
 *  ASCII keys, integers and short decimals). */
export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** A survey started in the app (so the stored shape is the app's own), then copied into
 *  `n` completed responses whose every identifying detail is a unique marker. */
export async function seed(page, url, n, { worker = "W07", from = 0 } = {}) {
  await go(page, url + "#/new");
  await page.waitForSelector(tid("question"));
  await page.tap(tid("choice-consent-yes"));
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("doorstep.r.")));
  await page.evaluate(
    ({ n, worker, from }) => {
      const key = Object.keys(localStorage).find((k) => k.startsWith("doorstep.r."));
      // Without its sealed part (sealed under its own key, it opens nowhere else); the
      // times are sealed there too, so the copies get their own.
      const { x, ...mine } = JSON.parse(localStorage.getItem(key));
      localStorage.removeItem(key);
      localStorage.setItem("doorstep.worker.code", worker);
      for (let i = from; i < from + n; i++) {
        const id = `0000${i}`.slice(-4);
        const members = [0, 1, 2].map((j) => ({
          m_rel: j === 0 ? "self" : "child",
          m_age: (i * 7 + j * 23) % 100,
          m_sex: j % 2 ? "male" : "female",
        }));
        const r = {
          ...mine,
          id: `e2e-${id}`,
          status: "completed",
          started: "2026-11-20T10:00:00+08:00",
          updated: "2026-11-20T10:30:00+08:00",
          completed: "2026-11-20T10:30:00+08:00",
          rev: 5,
          hh: `HH${id}MARK`,
          a: {
            consent: true,
            building: String(1 + (i % 60)),
            unit: `UNIT${id}MARK`,
            room: `ROOM${id}MARK`,
            resp_rel: "other",
            house_type: i % 4 === 0 ? "villa" : "apartment",
            members,
            hh_size: 3,
            top_needs: i % 3 === 0 ? ["lunch", "health"] : ["lunch"],
            // The worker's own flag: one household in five to follow up.
            follow_up: i % 5 === 0,
            comments: i === 0 ? "希望小区多组织一些老年人活动" : `我叫NAME${id}MARK，电话PHONE${id}MARK`,
            obs_notes: `OBS${id}MARK`,
          },
          o: { resp_rel: `OTHER${id}MARK` },
        };
        localStorage.setItem(`doorstep.r.e2e-${id}`, JSON.stringify(r));
      }
    },
    { n, worker, from }
  );
}

export async function download(page, button) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.tap(tid(button))]);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

/** On the export screen: the project file `project` (its text or bytes) imported as a
 *  worker does, or else a new project of this device alone with areas A (1–30) and B
 *  (31–60); then the JSON export. Returns the file and the project file's text. */
export async function exportJson(page, { project } = {}) {
  await page.tap(tid("export-link"));
  await page.waitForSelector(tid("project-form"));
  if (project) {
    await page.setInputFiles(tid("project-file"), { name: "project.json", mimeType: "application/json", buffer: Buffer.from(project) });
    await page.waitForSelector(`${tid("project-note")}.ok, ${tid("project-replace")}`);
    if (await page.isVisible(tid("project-replace"))) await page.tap(tid("project-replace-yes"));
    await page.waitForSelector(`${tid("project-note")}.ok`);
  } else {
    await page.fill(tid("project-name"), "东区入户调查");
    await page.fill(tid("project-community"), "幸福社区");
    await page.fill(tid("project-areas"), "A: 1-30\nB: 31-60");
    await page.check(tid("project-form-community-needs-1"));
    await page.tap(tid("project-new"));
    // A device that has a project already asks first.
    await page.waitForSelector(`${tid("project-note")}.ok, ${tid("project-new-confirm")}`);
    if (await page.isVisible(tid("project-new-confirm"))) await page.tap(tid("project-new-yes"));
    await page.waitForSelector(`${tid("project-note")}.ok`);
  }
  await page.tap(tid("export-prepare"));
  await page.waitForSelector(tid("export-preview"));
  if (await page.isVisible(tid("export-withheld"))) await page.check(tid("withheld-ok"));
  const json = await download(page, "download-json");
  const file = project ? Buffer.from(project).toString("utf8") : (await download(page, "project-export")).bytes.toString("utf8");
  return { ...json, project: file };
}

/** In the coordinator's workspace (open on `page`): a new project with areas A (1–30) and
 *  B (31–60), its key made and kept in this browser; returns the project file's text. */
export async function coordinatorProject(page, name = "东区入户调查") {
  await page.tap(tid("ws-project-new"));
  await page.waitForSelector(tid("ws-project-editor"));
  await page.fill(tid("ws-project-name"), name);
  await page.fill(tid("ws-project-community"), "幸福社区");
  await page.fill(tid("ws-project-areas"), "A: 1-30\nB: 31-60");
  await page.tap(tid("ws-project-save"));
  await page.waitForSelector(`${tid("ws-project-note")}.ok`);
  const item = page.locator(tid("ws-project"), { hasText: name });
  const [d] = await Promise.all([page.waitForEvent("download"), item.locator(tid("ws-project-download")).tap()]);
  return readFileSync(await d.path(), "utf8");
}

/** A file's header signed again with the project's signing key (hex), as a member of the
 *  project could: docs/export-format.md's definition, written independently of the app. */
export function resign(doc, signKey) {
  const { signature, ...unsigned } = doc.header;
  const mac = createHmac("sha256", Buffer.from(signKey, "hex"));
  mac.update(Buffer.from("doorstep-export signature v2\0", "utf8"));
  mac.update(Buffer.from(canonical(unsigned), "utf8"));
  doc.header.signature = { ...signature, value: mac.digest("hex") };
  return doc;
}
