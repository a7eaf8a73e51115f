// Nothing lost when a tablet breaks (issue 18 §4): the list offers an encrypted backup;
// the file restores on a new tablet (another browser context) with the old PIN, and merges
// into a tablet in use without duplicates; bad files, the wrong PIN and a full storage are
// refused, said, and change nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, go, reload, storedResponses, withPin, typeDevicePin, PIN } from "./helpers.mjs";
import { download } from "./lib/worker.mjs";
import { openLock, testDevice } from "./lib/vault.mjs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

const OTHER_PIN = "246813";

/** A survey on `page` with consent, a building and a room (identifiers, stored sealed). */
async function survey(page, building, room, pin = PIN) {
  await go(page, url + "#/new", pin);
  await page.waitForSelector(tid("choice-consent-yes"));
  const id = (await page.evaluate(() => location.hash)).split("/")[2];
  await page.tap(tid("choice-consent-yes"));
  await page.evaluate((id) => (location.hash = `#/r/${id}/1`), id);
  await page.waitForSelector(tid("input-building"));
  await page.fill(tid("input-building"), building);
  await page.fill(tid("input-room"), room);
  await page.waitForSelector(`${tid("save-status")}[data-state="saved"]`);
  return id;
}

/** Picks `file` ({ name, bytes }) on the restore form. */
async function pick(page, file) {
  await page.setInputFiles(tid("restore-file"), { name: file.name, mimeType: "application/octet-stream", buffer: file.bytes });
}

/** What the restore form says once it has finished (not "working…", which it shows while
 *  the PIN's key is derived). */
async function restoreNote(page) {
  await page.waitForFunction(() => {
    const n = document.querySelector('[data-testid="restore-note"]');
    return n && n.textContent && !/正在处理|Working/.test(n.textContent);
  });
  return page.innerText(tid("restore-note"));
}

test("a backup restores on a new tablet with the old PIN, and merges into one in use without duplicates", async () => {
  // The old tablet: a survey, then the backup the list offers.
  const a = await tablet(browser, { acceptDownloads: true });
  const pa = await a.newPage();
  const id = await survey(pa, "12", "1203室");
  await go(pa, url + "#/");
  await pa.waitForSelector(tid("backup-offer"));
  assert.match(await pa.innerText(tid("backup-state")), /还没有做过备份/);
  assert.equal(await pa.getAttribute(tid("backup-offer"), "data-due"), "true", "never backed up: asked plainly");
  const file = await download(pa, "backup-download");
  assert.match(file.name, /^doorstep-backup-.*\.dsbackup$/);
  await pa.waitForSelector(tid("backup-note"));
  assert.match(await pa.innerText(tid("backup-note")), /备份已下载/);
  assert.match(await pa.innerText(tid("backup-state")), /没有改动/);
  // What a finder of the file reads: its date, not a resident's details.
  const raw = file.bytes.toString("latin1") + file.bytes.toString("utf8");
  for (const m of ["1203室", "\"building\"", "\"room\"", id]) assert.ok(!raw.includes(m), m);
  assert.ok(file.bytes.toString("utf8").startsWith("DOORSTEP-BACKUP 2\n"));
  // Its lock is the tablet's, as stored (Argon2id): the PIN opens it outside the app too.
  const { lock } = JSON.parse(file.bytes.toString("utf8").split("\n")[1]);
  assert.match(lock, /^2 \d+ pin argon2id:/);
  await openLock(lock, PIN);
  const before = (await storedResponses(pa)).find((r) => r.id === id);

  // A new tablet: first use offers the restore beside the new PIN.
  const b = await tablet(browser, { pin: false });
  const pb = await b.newPage();
  await pb.goto(url);
  await pb.waitForSelector(`${tid("device-lock")}[data-mode="setup"]`);
  await pick(pb, file);
  await pb.waitForSelector(`${tid("restore-pin")}:visible`);
  assert.match(await pb.innerText(tid("restore-created")), /\d{4}-\d{2}-\d{2}/);
  await pb.fill(tid("restore-pin"), "000000");
  await pb.tap(tid("restore-open"));
  assert.match(await restoreNote(pb), /PIN码不对/);
  await pb.fill(tid("restore-pin"), PIN);
  await pb.tap(tid("restore-open"));
  await pb.waitForSelector(`${tid("restore-summary")}:visible`);
  assert.match(await pb.innerText(tid("restore-summary")), /新增 1 份问卷/);
  await pb.tap(tid("restore-apply"));
  // Unlocked with the backup's key, on the list, the survey there.
  await pb.waitForSelector(`${tid("response-row")}[data-id="${id}"]`);
  assert.deepEqual((await storedResponses(pb)).find((r) => r.id === id), before);
  // A real reload: the tablet is locked, and the old PIN opens it.
  await reload(pb, PIN);
  await pb.waitForSelector(`${tid("response-row")}[data-id="${id}"]`);

  // A tablet in use, with its own PIN and survey: the restore merges.
  const c = await withPin(
    await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, locale: "zh-CN" }),
    await testDevice(OTHER_PIN),
  );
  const pc = await c.newPage();
  const own = await survey(pc, "3", "502", OTHER_PIN);
  await go(pc, url + "#/lock", OTHER_PIN);
  await pc.waitForSelector(`${tid("device-lock")}[data-mode="open"]`);
  await pick(pc, file);
  await pc.fill(tid("restore-pin"), PIN);
  await pc.tap(tid("restore-open"));
  await pc.waitForSelector(`${tid("restore-summary")}:visible`);
  assert.match(await pc.innerText(tid("restore-summary")), /新增 1 份问卷/);
  await pc.tap(tid("restore-apply"));
  await pc.waitForSelector(tid("restore-done"));
  // The same file again: nothing new, nothing doubled.
  await pick(pc, file);
  await pc.fill(tid("restore-pin"), PIN);
  await pc.tap(tid("restore-open"));
  await pc.waitForSelector(`${tid("restore-summary")}:visible`);
  assert.match(await pc.innerText(tid("restore-summary")), /新增 0 份问卷.*1 份本机已有/s);
  await pc.tap(tid("restore-apply"));
  await pc.evaluate(() => (location.hash = "#/"));
  await pc.waitForSelector(`${tid("response-row")}[data-id="${id}"]`);
  assert.equal(await pc.locator(tid("response-row")).count(), 2);
  const merged = await storedResponses(pc, OTHER_PIN);
  assert.deepEqual(merged.map((r) => r.id).sort(), [id, own].sort());
  assert.equal(merged.find((r) => r.id === id).a.room, "1203室");
  // Sealed under this tablet's own key: its PIN, not the backup's, opens it after a reload.
  await pc.reload();
  await typeDevicePin(pc, OTHER_PIN);
  await pc.waitForSelector(`${tid("response-row")}[data-id="${id}"]`);
  await Promise.all([a.close(), b.close(), c.close()]);
});

test("bad backup files and a full storage: said where the worker looks, nothing changed", async () => {
  const a = await tablet(browser, { acceptDownloads: true });
  const pa = await a.newPage();
  await survey(pa, "7", "101");
  await go(pa, url + "#/");
  const file = await download(pa, "backup-download");

  const c = await tablet(browser);
  const pc = await c.newPage();
  await go(pc, url + "#/");
  await pc.evaluate(() => (location.hash = "#/lock"));
  await pc.waitForSelector(`${tid("device-lock")}[data-mode="open"]`);
  const dump = () => pc.evaluate(() => JSON.stringify(Object.entries(localStorage).filter(([k]) => k.startsWith("doorstep.r.")).sort()));
  const before = await dump();
  // Not a backup.
  await pick(pc, { name: "export.json", bytes: Buffer.from('{"format":"doorstep-export"}') });
  assert.match(await restoreNote(pc), /不是 Doorstep 的备份文件/);
  // Cut short, as a download that did not finish.
  await pick(pc, { name: file.name, bytes: file.bytes.subarray(0, 30) });
  assert.match(await restoreNote(pc), /不完整/);
  await pick(pc, { name: file.name, bytes: file.bytes.subarray(0, file.bytes.length - 40) });
  await pc.fill(tid("restore-pin"), PIN);
  await pc.tap(tid("restore-open"));
  assert.match(await restoreNote(pc), /损坏或被改动/);
  // From a newer version.
  const newer = Buffer.concat([Buffer.from("DOORSTEP-BACKUP 9\n"), file.bytes.subarray(file.bytes.indexOf(10) + 1)]);
  await pick(pc, { name: file.name, bytes: newer });
  assert.match(await restoreNote(pc), /更新版本/);
  assert.equal(await dump(), before);

  // Storage full in the middle of the restore: refused, said, nothing half-written.
  await pick(pc, file);
  await pc.fill(tid("restore-pin"), PIN);
  await pc.tap(tid("restore-open"));
  await pc.waitForSelector(`${tid("restore-summary")}:visible`);
  const fill = await pc.evaluate(() => {
    const keys = [];
    let chunk = 1 << 20;
    while (chunk >= 1) {
      try {
        localStorage.setItem(`filler.${keys.length}`, "x".repeat(chunk));
        keys.push(`filler.${keys.length}`);
      } catch {
        chunk = Math.floor(chunk / 2);
      }
    }
    return keys;
  });
  const full = await dump();
  await pc.tap(tid("restore-apply"));
  assert.match(await restoreNote(pc), /存储空间不够.*什么都没有改/s);
  assert.equal(await dump(), full);
  await pc.evaluate((keys) => keys.forEach((k) => localStorage.removeItem(k)), fill);
  await Promise.all([a.close(), c.close()]);
});
