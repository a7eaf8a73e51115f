// The PIN's key derivation (docs/encryption.md): a device of an earlier version, whose lock
// is PBKDF2, moves to Argon2id at its next unlock without losing anything — whatever
// happens at that moment (a wrong PIN, a passphrase typed where the PIN goes, storage full,
// the browser killed) — and a worker may choose a passphrase instead of a PIN.
//
// Every device here is built, and every lock read back, by tests/e2e/lib/vault.mjs (Node's
// WebCrypto and hash-wasm), not by the app's code.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, serve, tablet, tid, storedResponses, violations, PIN, fillStorage } from "./helpers.mjs";
import { ARGON2ID, openLock, seal, testDevice } from "./lib/vault.mjs";
import { newProfile, start } from "./lib/kill.mjs";
import { rmSync } from "node:fs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

const ROOMS = ["1200室", "1201室", "1202室"];
const PHRASE = "我家楼下有棵老槐树";
const NEW_FORMAT = new RegExp(`^2 1 pin argon2id:m=${ARGON2ID.m},t=${ARGON2ID.t},p=${ARGON2ID.p} [0-9a-f]{32} \u{1F512}`, "u");

/** A tablet as an earlier version left it: the lock PBKDF2 (600,000 rounds, as real
 *  devices have it), three completed surveys whose flats, names and phones are sealed, a
 *  sealed walk list. Returns the values to store and the data key. */
async function earlierDevice() {
  const device = await testDevice(PIN, { kdf: "pbkdf2", rounds: 600_000 });
  const data = new Uint8Array(device.key.slice(4));
  const now = "2026-11-20T10:00:00+08:00";
  const values = { "doorstep.schema": "1", "doorstep.vault": device.lock };
  for (const [i, room] of ROOMS.entries()) {
    const key = `doorstep.r.a1d-000${i}`;
    const hidden = {
      id: "", form: "", v: 0, status: "draft", started: "", updated: "", rev: 0,
      a: { building: "12", unit: "1", room, comments: `王秀英${i} 1381234567${i}` }, hh: `12-1-${room}`,
    };
    const plain = JSON.stringify({
      id: `a1d-000${i}`, form: "community-needs", v: 1, status: "completed", started: now, updated: now, completed: now,
      rev: 3, a: { consent: true, house_type: "apartment", top_needs: ["lunch"] }, hh: "", w: "W07",
    });
    values[key] = `${plain.slice(0, -1)},"x":"${await seal(data, 1, key, JSON.stringify(hidden))}"}`;
  }
  values["doorstep.walk"] = await seal(data, 1, "doorstep.walk", `幸福社区\n${ROOMS.map((r) => `12-1-${r}\t12\t1\t${r}`).join("\n")}`);
  return { values, data: Buffer.from(data) };
}

/** A backup file of `values` (the lock goes in the header) as `docs/backup.md` describes
 *  it, sealed under the data key `data` with Node's WebCrypto. */
async function backupFile(values, data, format) {
  const { "doorstep.vault": lock, "doorstep.schema": _, ...rest } = values;
  const head = new TextEncoder().encode(`DOORSTEP-BACKUP ${format}\n${JSON.stringify({ created: "2026-12-01T18:00:00+08:00", lock })}\n`);
  const plain = new TextEncoder().encode(JSON.stringify({ schema: 1, worker: "W07", entries: Object.entries(rest).sort() }));
  const key = await crypto.subtle.importKey("raw", data, "AES-GCM", false, ["encrypt"]);
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const body = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: head }, key, plain));
  return { name: "doorstep-backup-W07-202612011800.dsbackup", bytes: Buffer.concat([head, nonce, body]) };
}

/** On a new tablet's first screen: picks `file`, types `typed` for it. */
async function restoreWith(page, file, typed) {
  await page.setInputFiles(tid("restore-file"), { name: file.name, mimeType: "application/octet-stream", buffer: file.bytes });
  await page.waitForSelector(`${tid("restore-pin")}:visible`);
  await page.fill(tid("restore-pin"), typed);
  await page.tap(tid("restore-open"));
}

/** Puts `values` into a page of the app that has no PIN yet, and reloads: the lock screen. */
async function store(page, values, query = "") {
  await page.goto(url + query);
  await page.waitForSelector(tid("device-lock"));
  await page.evaluate((values) => Object.entries(values).forEach(([k, v]) => localStorage.setItem(k, v)), values);
  await page.reload();
  await lockMode(page, "locked");
}

async function lockMode(page, mode) {
  await page.waitForSelector(`${tid("device-lock")}[data-mode="${mode}"]`);
}

async function typeSecret(page, typed) {
  await page.fill(tid("lock-pin"), typed);
  await page.tap(tid("lock-unlock"));
}

async function noteSays(page, pattern, id = "lock-note") {
  await page.waitForFunction(
    ([id, source]) => new RegExp(source).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ""),
    [id, pattern.source],
  );
}

const raw = (page, key) => page.evaluate((key) => localStorage.getItem(key), key);
const sealedValues = (page) =>
  page.evaluate(() => Object.fromEntries(Object.keys(localStorage).filter((k) => /^doorstep\.(r\.|walk)/.test(k)).map((k) => [k, localStorage.getItem(k)])));

/** Every survey of the earlier device opens: on the list, on its own screen, and in
 *  storage with the key its lock opens to with `secret` (read by vault.mjs). */
async function everySurveyOpens(page, secret = PIN) {
  await page.waitForSelector(tid("response-row"));
  assert.equal(await page.locator(tid("response-row")).count(), 3);
  const list = await page.innerText(tid("response-list"));
  for (const room of ROOMS) assert.ok(list.includes(room), `${room} on the list`);
  const rooms = (await storedResponses(page, secret)).map((r) => r.a.room).sort();
  assert.deepEqual(rooms, ROOMS);
  for (const [i, room] of ROOMS.entries()) {
    await page.evaluate((i) => (location.hash = `#/r/a1d-000${i}/1`), i);
    await page.waitForSelector(tid("input-room"));
    assert.equal(await page.inputValue(tid("input-room")), room);
  }
  await page.evaluate(() => (location.hash = "#/"));
}

test("an earlier version's device (PBKDF2 lock): its PIN opens every survey, and the lock is Argon2id from then on", async () => {
  const { values, data } = await earlierDevice();
  const context = await tablet(browser, { pin: false });
  const page = await context.newPage();
  await store(page, values);
  const records = await sealedValues(page);
  // The numeric keypad, as before.
  assert.equal(await page.getAttribute(tid("lock-pin"), "inputmode"), "numeric");
  assert.equal(await page.getAttribute(tid("lock-pin"), "data-kind"), "pin");

  // A passphrase typed where the PIN goes: said, not tried, not counted as a wrong PIN.
  await typeSecret(page, "我家楼下有棵老槐树");
  await noteSays(page, /本机用PIN码解锁.*没有算作输错/);
  assert.equal(await raw(page, "doorstep.pin.fails"), null);
  // A wrong PIN on the old lock: said; the lock is as it was.
  await typeSecret(page, "582193");
  await noteSays(page, /PIN码不对/);
  assert.equal(await raw(page, "doorstep.vault"), values["doorstep.vault"]);

  // The right PIN: everything opens, and the lock was wrapped anew.
  await typeSecret(page, PIN);
  await everySurveyOpens(page);
  const lock = await raw(page, "doorstep.vault");
  assert.match(lock, NEW_FORMAT);
  assert.ok((await openLock(lock, PIN)).equals(data), "the same data key, under Argon2id (opened by hash-wasm)");
  // The records: an earlier version left answers and times readable beside their sealed
  // part; after the lock, they are sealed whole (and still open, above).
  const after = await sealedValues(page);
  assert.deepEqual(Object.keys(after).sort(), Object.keys(records).sort());
  assert.equal(after["doorstep.walk"], records["doorstep.walk"], "the walk list is not written again");
  for (const [k, v] of Object.entries(after).filter(([k]) => k.startsWith("doorstep.r."))) {
    assert.ok(!v.includes("house_type") && !v.includes("2026-11-20"), `${k} sealed whole`);
  }
  await assert.rejects(openLock(lock, "582193"), "a wrong PIN does not open the new lock either");

  // A reload: locked; the PIN opens the new lock, which stays as it is.
  await page.reload();
  await lockMode(page, "locked");
  await typeSecret(page, PIN);
  await everySurveyOpens(page);
  assert.equal(await raw(page, "doorstep.vault"), lock);
  await context.close();
});

test("storage full at the moment of the new lock: unlocked all the same, said in English, the old lock kept and replaced later", async () => {
  const { values, data } = await earlierDevice();
  const context = await tablet(browser, { pin: false, locale: "en-US" });
  const page = await context.newPage();
  await store(page, values, "?lang=en");
  // Full to the last character: the new lock (longer than the old one) does not fit.
  const filler = await fillStorage(page);
  await typeSecret(page, PIN);
  await noteSays(page, /Unlocked; nothing is lost\. The stronger protection .* could not be saved/);
  assert.equal(await raw(page, "doorstep.vault"), values["doorstep.vault"], "the old lock, whole");
  assert.ok((await openLock(values["doorstep.vault"], PIN)).equals(data));
  await page.tap(tid("lock-go-on"));
  await everySurveyOpens(page);

  // Room made: the next unlock replaces the lock.
  await page.evaluate((keys) => keys.forEach((k) => localStorage.removeItem(k)), filler);
  await page.reload();
  await lockMode(page, "locked");
  await typeSecret(page, PIN);
  await page.waitForSelector(tid("response-row"));
  assert.match(await raw(page, "doorstep.vault"), NEW_FORMAT);
  await context.close();
});

test("the browser killed around the new lock's write: every restart opens with the PIN, nothing lost", async (t) => {
  const { values, data } = await earlierDevice();
  const profile = newProfile();
  try {
    // The earlier device, on disk (a clean close writes localStorage out).
    let { browser: b, page, kill } = await start(profile);
    await store(page, values);
    await shutDown(b, kill);
    const seen = { old: 0, new: 0 };
    for (const delay of [0, 60, 150, 400, 1500]) {
      ({ browser: b, page, kill } = await start(profile));
      await page.goto(url);
      await lockMode(page, "locked");
      const before = await raw(page, "doorstep.vault");
      seen[before.startsWith("1 ") ? "old" : "new"]++;
      // Either lock opens with the PIN, to the same data key (read in Node).
      assert.ok((await openLock(before, PIN)).equals(data), `${delay} ms: the lock opens`);
      await page.fill(tid("lock-pin"), PIN);
      await page.click(tid("lock-unlock"));
      await new Promise((r) => setTimeout(r, delay));
      await kill();
    }
    // The last restart: the worker's PIN opens everything, under the new lock.
    ({ browser: b, page, kill } = await start(profile));
    await page.goto(url);
    await lockMode(page, "locked");
    await page.fill(tid("lock-pin"), PIN);
    await page.click(tid("lock-unlock"));
    await everySurveyOpens(page);
    const lock = await raw(page, "doorstep.vault");
    assert.match(lock, NEW_FORMAT);
    assert.ok((await openLock(lock, PIN)).equals(data));
    assert.equal(await raw(page, "doorstep.vault.next"), null);
    assert.ok(seen.old >= 1, `the first start had the old lock: ${JSON.stringify(seen)}`);
    t.diagnostic(`locks found at the restarts: ${JSON.stringify(seen)}`);
    await kill();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

test("backups: an earlier version's file (PBKDF2 lock) restores on a new tablet under Argon2id; a passphrase's asks for it", async () => {
  const { values, data } = await earlierDevice();
  const context = await tablet(browser, { pin: false });
  const page = await context.newPage();
  await page.goto(url);
  await lockMode(page, "setup");
  const old = await backupFile(values, data, 1);
  assert.equal(await page.getAttribute(tid("restore-pin"), "data-kind"), "pin");
  await restoreWith(page, old, "我家楼下有棵老槐树");
  await noteSays(page, /本机用PIN码解锁/, "restore-note");
  await restoreWith(page, old, "000000");
  await noteSays(page, /PIN码不对/, "restore-note");
  await restoreWith(page, old, PIN);
  await page.waitForSelector(`${tid("restore-summary")}:visible`);
  await page.tap(tid("restore-apply"));
  await everySurveyOpens(page);
  // The new tablet's lock: the backup's data key under Argon2id, from the PIN typed.
  const lock = await raw(page, "doorstep.vault");
  assert.match(lock, NEW_FORMAT);
  assert.ok((await openLock(lock, PIN)).equals(data));
  await context.close();

  // A passphrase device's backup: the restore asks for the passphrase, on the keyboard.
  const device = await testDevice(PHRASE, { secret: "phrase", data });
  const phrased = await backupFile({ ...values, "doorstep.vault": device.lock }, data, 2);
  const other = await tablet(browser, { pin: false });
  const p2 = await other.newPage();
  await p2.goto(url);
  await lockMode(p2, "setup");
  await p2.setInputFiles(tid("restore-file"), { name: phrased.name, mimeType: "application/octet-stream", buffer: phrased.bytes });
  await p2.waitForSelector(`${tid("restore-pin")}[data-kind="phrase"]:visible`);
  assert.equal(await p2.getAttribute(tid("restore-pin"), "inputmode"), "text");
  await restoreWith(p2, phrased, "582139");
  await noteSays(p2, /本机用密码短语解锁/, "restore-note");
  await restoreWith(p2, phrased, "我家楼上有棵老槐树");
  await noteSays(p2, /密码短语不对/, "restore-note");
  await restoreWith(p2, phrased, PHRASE);
  await p2.waitForSelector(`${tid("restore-summary")}:visible`);
  await p2.tap(tid("restore-apply"));
  await everySurveyOpens(p2, PHRASE);
  assert.equal(await raw(p2, "doorstep.vault"), device.lock, "already Argon2id: taken as it is");
  await other.close();
});

/** Closes Chromium as a person closing it would (its storage written out), then makes sure
 *  it is gone. */
async function shutDown(b, kill) {
  const session = await b.newBrowserCDPSession();
  await session.send("Browser.close").catch(() => {});
  await new Promise((r) => setTimeout(r, 1000));
  await kill();
}

test("a passphrase instead of a PIN: chosen on first use, asked on the full keyboard, wrong ones refused and counted, and changed back to a PIN", async () => {
  const context = await tablet(browser, { pin: false, bypassCSP: true });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(url);
  await lockMode(page, "setup");
  await page.check(tid("lock-kind-phrase"));
  assert.equal(await page.getAttribute(tid("lock-new-pin"), "inputmode"), "text");
  const found = await violations(page, "passphrase set-up");
  const choose = async (phrase, again = phrase) => {
    await page.fill(tid("lock-new-pin"), phrase);
    await page.fill(tid("lock-pin-again"), again);
    await page.tap(tid("lock-setup"));
  };
  // Refused, each said why: too short, a first guess, digits only, not the same twice.
  await choose("一帆风顺");
  await noteSays(page, /密码短语太短/);
  await choose("password1234");
  await noteSays(page, /太容易猜到/);
  await choose("123456789012");
  await noteSays(page, /请选“PIN码”/);
  await choose(PHRASE, "我家楼下有棵老柳树");
  await noteSays(page, /两次输入的密码短语不一样/);
  await choose(PHRASE, ` ${PHRASE} `);
  await page.waitForSelector(tid("new-survey"), { timeout: 30000 });
  const lock = await raw(page, "doorstep.vault");
  assert.match(lock, new RegExp(`^2 \\d+ phrase argon2id:m=${ARGON2ID.m},t=${ARGON2ID.t},p=1 [0-9a-f]{32} \u{1F512}`, "u"));
  // Opening checks the wrap's tag: only the passphrase, derived in Node, gets this far.
  assert.equal((await openLock(lock, PHRASE)).length, 32, "the passphrase opens the lock, in Node");
  assert.equal(await page.evaluate(() => globalThis.doorstepVault.gen()), Number(lock.split(" ")[1]),
    "the page holds the key of that lock");
  assert.ok(!(await page.evaluate(() => JSON.stringify(localStorage))).includes("老槐树"));

  // Locked and reloaded: the full keyboard.
  await page.reload();
  await lockMode(page, "locked");
  assert.equal(await page.getAttribute(tid("lock-pin"), "inputmode"), "text");
  assert.equal(await page.getAttribute(tid("lock-pin"), "data-kind"), "phrase");
  found.push(...(await violations(page, "passphrase locked")));
  // A PIN typed where the passphrase goes: said, not counted.
  await typeSecret(page, "582139");
  await noteSays(page, /本机用密码短语解锁/);
  assert.equal(await raw(page, "doorstep.pin.fails"), null);
  // Wrong passphrases: said; from the third, the same waits as wrong PINs.
  for (const wrong of ["我家楼上有棵老槐树", "我家楼下有棵老柳树"]) {
    await typeSecret(page, wrong);
    await noteSays(page, /密码短语不对/);
  }
  await typeSecret(page, "我家门口有棵老槐树");
  await noteSays(page, /请等一会儿/);
  await typeSecret(page, PHRASE);
  await noteSays(page, /请等一会儿/);
  await lockMode(page, "locked");
  await page.clock.fastForward(31_000);
  // Typed with other spaces: the same passphrase.
  await typeSecret(page, `  ${PHRASE} `);
  await page.waitForSelector(tid("new-survey"));

  // The hand-back screen asks for the passphrase too.
  await page.goto(url + "#/new");
  await page.waitForSelector(tid("question"));
  await page.tap(tid("hand-over"));
  await page.waitForSelector(tid("handover-setup"));
  await page.tap(tid("handover-start"));
  await page.waitForSelector(tid("give-back"));
  await page.tap(tid("give-back"));
  await page.waitForSelector(tid("unlock"));
  assert.equal(await page.getAttribute(tid("unlock-pin"), "data-kind"), "phrase");
  await page.fill(tid("unlock-pin"), "我家楼上有棵老槐树");
  await page.tap(tid("unlock-submit"));
  await noteSays(page, /密码短语不对/, "unlock-note");
  await page.fill(tid("unlock-pin"), PHRASE);
  await page.tap(tid("unlock-submit"));
  await page.waitForFunction(() => !document.documentElement.classList.contains("handover"));

  // Back to a PIN, from the settings: the current passphrase, then the new PIN twice.
  await page.evaluate(() => (location.hash = "#/lock"));
  await lockMode(page, "open");
  assert.equal(await page.getAttribute(tid("lock-current-pin"), "data-kind"), "phrase");
  await page.fill(tid("lock-current-pin"), PHRASE);
  await page.check(tid("lock-kind-pin"));
  await page.fill(tid("lock-new-pin"), "246813");
  await page.fill(tid("lock-pin-again"), "246813");
  await page.tap(tid("lock-change"));
  await page.waitForSelector(tid("lock-done"));
  const pinLock = await raw(page, "doorstep.vault");
  assert.match(pinLock, /^2 \d+ pin argon2id:/);
  await openLock(pinLock, "246813");
  await page.tap(tid("lock-now-here"));
  await lockMode(page, "locked");
  assert.equal(await page.getAttribute(tid("lock-pin"), "data-kind"), "pin");
  await typeSecret(page, "246813");
  await page.waitForFunction(() => location.hash !== "#/lock");
  assert.deepEqual(found, []);
  await context.close();
});
