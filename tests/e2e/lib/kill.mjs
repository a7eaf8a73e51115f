// A tablet whose browser dies: Debian's Chromium started as its own process group on a
// profile folder that outlives it, driven over the DevTools protocol, and killed with
// SIGKILL — the whole browser, as a dead battery or Android's low-memory killer ends it,
// not a tab. Used by durability.test.mjs and by `make bench`.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, PIN, deviceKey, tid } from "../helpers.mjs";

export function newProfile() {
  return mkdtempSync(join(tmpdir(), "doorstep-kill-"));
}

/** Starts Chromium on `profile`; resolves to { browser, page, kill }. */
export async function start(profile) {
  const portFile = join(profile, "DevToolsActivePort");
  rmSync(portFile, { force: true });
  const proc = spawn(
    process.env.CHROMIUM || "/usr/bin/chromium",
    [...CHROMIUM_ARGS, "--headless", `--user-data-dir=${profile}`, "--remote-debugging-port=0", "--window-size=1024,768", "about:blank"],
    { detached: true, stdio: "ignore" },
  );
  const end = Date.now() + 20000;
  while (!existsSync(portFile) || readFileSync(portFile, "utf8").split("\n").length < 2) {
    if (Date.now() > end) throw new Error("Chromium did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  const [port, path] = readFileSync(portFile, "utf8").split("\n");
  const browser = await chromium.connectOverCDP(`ws://127.0.0.1:${port}${path}`);
  const context = browser.contexts()[0];
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setViewportSize({ width: 1024, height: 768 });
  const gone = new Promise((r) => proc.once("exit", r));
  const kill = async () => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      // gone already
    }
    await gone;
    // The protocol connection notices on its own; closing it is all that is left.
    await browser.close().catch(() => {});
  };
  return { browser, page, kill };
}

/** The lock screen of a killed-and-restarted tablet: the worker types the PIN. */
export async function unlock(page) {
  try {
    await page.waitForSelector(`${tid("device-lock")}[data-mode="locked"]`);
  } catch (e) {
    // What the screen showed instead, for whoever reads the failure.
    const shown = await page.evaluate(() => ({ hash: location.hash, main: document.querySelector("main")?.innerText.slice(0, 300), journal: globalThis.doorstepJournal && { state: doorstepJournal.state, error: doorstepJournal.error } })).catch(() => null);
    throw new Error(`no lock screen after the restart: ${JSON.stringify(shown)}`);
  }
  await page.fill(tid("lock-pin"), PIN);
  await page.click(tid("lock-unlock"));
  await page.waitForFunction(() => location.hash !== "#/lock");
}

/** The text boxes of the address section (1) of the built-in survey. */
export const BOXES = ["building", "unit", "room"];

/** Waits until the screen says the response's revision `rev` (or a later one) is saved. */
export async function savedAt(page, rev, ms = 10000) {
  await page.waitForFunction(
    (rev) => {
      const s = document.querySelector('[data-testid="save-status"][data-state="saved"]');
      return s && Number(s.dataset.rev) >= rev;
    },
    rev,
    { timeout: ms },
  );
}

/** The stored revision of response `id`, as the page reads it. */
export async function storedRev(page, id) {
  return page.evaluate((id) => JSON.parse(localStorage.getItem(`doorstep.r.${id}`) ?? "{}").rev ?? 0, id);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A small seeded generator (mulberry32), so a failing run can be repeated with its seed. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The answers of response `id` as stored, opened with the device's key (`deviceKey`) by
 *  the tests' own implementation of the storage format (lib/vault.mjs). */
async function storedAnswers(page, id) {
  const { openResponse } = await import("./vault.mjs");
  const raw = await page.evaluate((id) => localStorage.getItem(`doorstep.r.${id}`), id);
  const held = await deviceKey(page);
  return raw === null ? null : (await openResponse(`doorstep.r.${id}`, raw, held)).a ?? {};
}

/**
 * A day of answering with the browser killed `kills` times at random moments: right after
 * the screen said "saved", some time later, or in the middle of a save. After each kill the
 * browser starts again on the same profile, the worker types the PIN, and every answer the
 * screen had shown as saved is compared with what is stored.
 * Returns { kills (done, the first after the PIN's set-up included), saved (answers shown as
 * saved), lost (descriptions), damaged, pinLost }. A run that loses the whole response
 * stops there.
 */
export async function killRun(url, { kills, seed = 1, settle = 0, log = () => {} }) {
  const rng = random(seed);
  const profile = newProfile();
  let tablet = await start(profile);
  let page = tablet.page;
  await page.goto(url);
  await page.waitForSelector(`${tid("device-lock")}[data-mode="setup"]`);
  await page.fill(tid("lock-new-pin"), PIN);
  await page.fill(tid("lock-pin-again"), PIN);
  await page.click(tid("lock-setup"));
  await page.waitForSelector(tid("new-survey"));
  // Killed moments after first use: the PIN must still be there. (`settle` gives
  // localStorage time to reach the disk on its own, for a run without the journal.)
  await sleep(settle || rng() * 1500);
  await tablet.kill();
  tablet = await start(profile);
  page = tablet.page;
  await page.goto(url);
  const mode = await (await page.waitForSelector(tid("device-lock"))).getAttribute("data-mode");
  const pinLost = mode !== "locked";
  if (pinLost) {
    await tablet.kill();
    return { kills: 1, saved: 0, lost: ["the device PIN, set up before the kill"], damaged: 0, pinLost };
  }
  await unlock(page);
  await page.click(tid("new-survey"));
  await page.waitForSelector(tid("choice-consent-yes"));
  const id = (await page.evaluate(() => location.hash)).split("/")[2];
  await page.click(tid("choice-consent-yes"));
  await savedAt(page, 1);
  await page.evaluate((id) => (location.hash = `#/r/${id}/1`), id);
  await page.waitForSelector(tid("input-building"));
  const confirmed = { consent: true };
  const lost = [];
  let saved = 1;
  let done = 1;
  for (let k = 0; k < kills; k++) {
    const pending = {};
    const n = 1 + Math.floor(rng() * 5);
    for (let a = 0; a < n; a++) {
      const qid = BOXES[Math.floor(rng() * BOXES.length)];
      const value = `${k + 1}.${a + 1}.${Math.floor(rng() * 1000)}`;
      const before = await storedRev(page, id);
      await page.fill(tid(`input-${qid}`), value);
      pending[qid] = value;
      // Now and then the browser dies in the middle of a save.
      if (a === n - 1 && rng() < 0.25) break;
      await savedAt(page, before + 1);
      confirmed[qid] = value;
      delete pending[qid];
      saved++;
    }
    const wait = rng() < 0.5 ? 0 : Math.floor(rng() * 2000);
    await sleep(wait);
    await tablet.kill();
    done++;
    tablet = await start(profile);
    page = tablet.page;
    await page.goto(`${url}#/r/${id}/1`);
    await unlock(page);
    await page.waitForSelector(`${tid("input-building")}, ${tid("not-found")}`);
    const stored = await storedAnswers(page, id);
    if (!stored) {
      for (const qid of Object.keys(confirmed)) lost.push(`kill ${k + 1}: ${qid}, with the whole response`);
      break;
    }
    for (const [qid, value] of Object.entries(confirmed)) {
      const now = stored[qid];
      if (now === value || (qid in pending && now === pending[qid])) continue;
      lost.push(`kill ${k + 1} (${wait} ms after the last save): ${qid} was saved as ${JSON.stringify(value)}, is ${JSON.stringify(now)}`);
    }
    // What is stored now is what the worker sees and goes on from.
    for (const qid of BOXES) if (stored[qid] !== undefined) confirmed[qid] = stored[qid];
    log(`kill ${k + 1}: ${n} answers, killed ${wait} ms after, ${lost.length} lost so far`);
  }
  await page.evaluate(() => (location.hash = "#/"));
  await page.waitForSelector(tid("new-survey"));
  const damaged = await page.locator(tid("damaged")).count();
  await tablet.kill();
  return { kills: done, saved, lost, damaged, pinLost };
}
