// A resident answers on their own phone and hands the answers back with no server: the
// phone shows QR codes, the worker's tablet reads them — from photos of the screen, and
// from its camera (Chromium's fake camera playing the phone's codes) — and imports the
// response once. Nothing identifying leaves the phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, serve, tablet, tid, ready, watchErrors, withPin, go } from "./helpers.mjs";
import { seed, download } from "./lib/worker.mjs";

let browser, server, url;
const tmp = mkdtempSync(join(tmpdir(), "doorstep-handback-"));
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const phone = async (b) =>
  withPin(await b.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, locale: "zh-CN", acceptDownloads: true }));

/** Text that does not deflate to nothing: long answers take several codes. */
function longText(n) {
  let x = 12345;
  let out = "";
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += String.fromCharCode(0x4e00 + (x % 2000));
  }
  return out;
}

/** On the phone: a completed survey of the resident's own (with a long suggestion when
 *  `long`), opened at its codes. */
async function codesOnPhone(page, long = false) {
  await seed(page, url, 1, { worker: "" });
  if (long) {
    await page.evaluate((t) => {
      const r = JSON.parse(localStorage.getItem("doorstep.r.e2e-0000"));
      r.a.suggest = t;
      localStorage.setItem("doorstep.r.e2e-0000", JSON.stringify(r));
    }, longText(900));
  }
  await go(page, url + "#/r/e2e-0000/review");
  await page.waitForSelector(tid("completed-at"));
  await page.tap(tid("hand-back"));
  await page.waitForSelector(tid("handback"));
  return page.$$eval(tid("qr-code"), (els) => els.length);
}

/** The pixels of code `i` as the phone draws it, greyscale, on a white square of `size`. */
function codePixels(page, i, size) {
  return page.evaluate(
    async ({ i, size }) => {
      const svg = document.querySelector(`[data-testid="qr-code"][data-index="${i}"] svg`);
      const img = new Image();
      img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(svg));
      await img.decode();
      const c = document.createElement("canvas");
      c.width = c.height = size;
      const ctx = c.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, size, size);
      ctx.drawImage(img, size * 0.1, size * 0.1, size * 0.8, size * 0.8);
      const d = ctx.getImageData(0, 0, size, size).data;
      const y = [];
      for (let k = 0; k < d.length; k += 4) y.push(Math.round(0.299 * d[k] + 0.587 * d[k + 1] + 0.114 * d[k + 2]));
      return y;
    },
    { i, size }
  );
}

test("a resident's answers come back from photos of the phone's codes, once, without identifiers", async () => {
  const p = await phone(browser);
  const page = await p.newPage();
  const pErrors = watchErrors(page);
  const n = await codesOnPhone(page);
  assert.ok(n >= 1);
  assert.match(await page.textContent(`${tid("qr-code")}[data-index="1"] figcaption`), new RegExp(`二维码 1 / ${n}`));
  const photos = [];
  for (let i = 1; i <= n; i++) {
    if (i > 1) await page.tap(tid("qr-next"));
    const code = page.locator(`${tid("qr-code")}[data-index="${i}"] svg`);
    await code.waitFor({ state: "visible" });
    photos.push({ name: `code-${i}.png`, mimeType: "image/png", buffer: await code.screenshot() });
  }
  // The same answers as a file (no share sheet headless: downloaded), identifiers gone.
  const file = await download(page, "handback-file");
  const text = file.bytes.toString("utf8");
  assert.match(text, /"format":"doorstep-handback"/);
  for (const marker of ["UNIT0000MARK", "ROOM0000MARK", "HH0000MARK"]) assert.ok(!text.includes(marker), marker);
  assert.deepEqual(pErrors, []);
  await p.close();

  // The worker's tablet.
  const t = await tablet(browser);
  const tab = await t.newPage();
  const tErrors = watchErrors(tab);
  await go(tab, url);
  await ready(tab);
  await tab.tap(tid("receive-link"));
  await tab.waitForSelector(tid("receive"));
  // A photo with no code in it says so and imports nothing.
  const blank = await tab.locator("h2").screenshot();
  await tab.setInputFiles(tid("receive-file"), { name: "blank.png", mimeType: "image/png", buffer: blank });
  assert.match(await tab.textContent(`${tid("receive-note")}.error`), /没有找到二维码/);
  // The photos, in reverse order.
  await tab.setInputFiles(tid("receive-file"), photos.reverse());
  await tab.waitForSelector(`${tid("receive-note")}.ok`);
  assert.match(await tab.textContent(tid("receive-note")), /已导入居民的问卷/);
  const stored = await tab.evaluate(() => localStorage.getItem("doorstep.r.e2e-0000"));
  assert.ok(stored, "imported under the phone's id");
  assert.ok(!stored.includes("ROOM0000MARK") && !stored.includes("HH0000MARK"));
  assert.match(stored, /"status":"completed"/);
  // The file too, now: already there, nothing changes.
  await tab.setInputFiles(tid("receive-file"), { name: file.name, mimeType: "application/json", buffer: file.bytes });
  await tab.waitForFunction(() => /以前已经导入过/.test(document.querySelector('[data-testid="receive-note"]').textContent));
  assert.equal(await tab.evaluate(() => localStorage.getItem("doorstep.r.e2e-0000")), stored);
  // Opened from the message: the tablet's review screen of it.
  await tab.tap(tid("receive-open"));
  await tab.waitForSelector(tid("completed-at"));
  assert.deepEqual(tErrors, []);
  await t.close();
});

test("the tablet's camera reads the codes off the phone's screen", async () => {
  const p = await phone(browser);
  const page = await p.newPage();
  const n = await codesOnPhone(page, true);
  assert.ok(n >= 3, `a long answer takes several codes (${n})`);
  // What the camera sees: each code for two seconds, as a Y4M video Chromium plays as its
  // camera (4:2:0, grey: the U and V planes flat).
  const size = 480;
  const fps = 5;
  const chunks = [Buffer.from(`YUV4MPEG2 W${size} H${size} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  const chroma = Buffer.alloc((size / 2) * (size / 2) * 2, 128);
  // Shown last to first: the order does not matter.
  for (let i = n; i >= 1; i--) {
    const y = Buffer.from(await codePixels(page, i, size));
    for (let f = 0; f < fps * 2; f++) chunks.push(Buffer.from("FRAME\n"), y, chroma);
  }
  const video = join(tmp, "codes.y4m");
  writeFileSync(video, Buffer.concat(chunks));
  await p.close();

  const camera = await launch([
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${video}`,
  ]);
  try {
    const t = await tablet(camera, { locale: "en-GB", permissions: ["camera"] });
    const tab = await t.newPage();
    const errors = watchErrors(tab);
    await tab.addInitScript(() => localStorage.setItem("doorstep.lang", "en"));
    await go(tab, url + "#/receive");
    await tab.waitForSelector(tid("receive"));
    await tab.tap(tid("camera-start"));
    await tab.waitForSelector(`${tid("receive-note")}.ok`, { timeout: 30000 });
    assert.match(await tab.textContent(tid("receive-note")), /The resident's answers were imported/);
    // Imported, the camera is switched off.
    await tab.waitForSelector(`${tid("camera-start")}:visible`);
    assert.ok(await tab.evaluate(() => localStorage.getItem("doorstep.r.e2e-0000")));
    assert.deepEqual(errors, []);
    await t.close();
  } finally {
    await camera.close();
  }
});
