// Privacy against whoever holds a tablet or a file (docs/encryption.md's threat model), tried
// the way each would try it, with code written from the documents and not the app's own:
// a finder of a locked worker's tablet (every string of its storage and its journal,
// decoded every way, used as a key every way the design allows) and a holder of the
// project file cannot reproduce one household pseudonym the coordinator gets, nor open one
// sealed household link; the same household exported by two workers is one household in
// the workspace; a file changed outside the project is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { launch, serve, tablet, tid, ready, watchErrors, go, storedValues, deviceKey } from "./helpers.mjs";
import { seed, exportJson, coordinatorProject, canonical } from "./lib/worker.mjs";

let browser, server, url;
before(async () => {
  browser = await launch();
  ({ server, url } = await serve());
});
after(async () => {
  await browser?.close();
  server?.close();
});

const file = (name, bytes) => ({ name, mimeType: "application/json", buffer: Buffer.from(bytes) });
const flat = (i) => `HH${`0000${i}`.slice(-4)}MARK`;

// --- The design, as docs/export-format.md states it, in Node's own crypto. ---------------

const hmac = (key, ...parts) => {
  const m = crypto.createHmac("sha256", key);
  for (const p of parts) m.update(p);
  return m.digest();
};
const pseudonym = (key, kind, id) => `${kind[0]}-${hmac(key, `${kind}\0`, id).subarray(0, 16).toString("hex")}`;
const x25519Private = (raw) =>
  crypto.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), raw]), format: "der", type: "pkcs8" });
const x25519Public = (raw) =>
  crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), raw]), format: "der", type: "spki" });
const publicOf = (raw) => Buffer.from(crypto.createPublicKey(x25519Private(raw)).export({ format: "jwk" }).x, "base64url");
const hkdf = (ikm, salt, info) => Buffer.from(crypto.hkdfSync("sha256", ikm, salt, info, 32));

/** The household pseudonym the holder of `secret` makes (docs: HKDF, then HMAC). */
const householdPseudonym = (secret, projectId, flatId) =>
  pseudonym(hkdf(secret, Buffer.from(projectId), "doorstep household pseudonym v1"), "household", flatId);

/** Opens a sealed household link with `secret` as the project's X25519 secret key. */
function openLink(secret, projectId, ephemeralHex, recordId, sealedHex) {
  try {
    const eph = Buffer.from(ephemeralHex, "hex");
    const shared = crypto.diffieHellman({ privateKey: x25519Private(secret), publicKey: x25519Public(eph) });
    const salt = Buffer.concat([eph, publicOf(secret), Buffer.from(projectId)]);
    const key = hkdf(shared, salt, "doorstep household link v1");
    const bytes = Buffer.from(sealedHex, "hex");
    const d = crypto.createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
    d.setAAD(Buffer.from(recordId));
    d.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([d.update(bytes.subarray(12, bytes.length - 16)), d.final()]).toString("utf8");
  } catch {
    return null;
  }
}

/** Every byte string an attacker would try as a key: each run of hex, base64 or base64url in
 *  any of `strings`, decoded, whole and in 32-byte windows. */
function candidates(strings) {
  const out = new Map();
  const add = (b) => {
    if (b.length >= 16) out.set(b.toString("hex"), b);
    if (b.length > 32) for (let i = 0; i + 32 <= b.length; i += 16) out.set(b.subarray(i, i + 32).toString("hex"), b.subarray(i, i + 32));
  };
  for (const s of strings) {
    for (const m of s.matchAll(/[0-9a-fA-F]{32,}/g)) add(Buffer.from(m[0].slice(0, m[0].length & ~1), "hex"));
    for (const m of s.matchAll(/[A-Za-z0-9+/_-]{22,}={0,2}/g)) {
      add(Buffer.from(m[0], "base64"));
      add(Buffer.from(m[0], "base64url"));
    }
  }
  return [...out.values()];
}

/** What `keys` reproduce of the coordinator's pseudonyms (`known`: flat → pseudonym) or of
 *  the file's sealed links, trying each key every way the design uses one. */
function attack(keys, { projectId, known, doc }) {
  const found = [];
  const wanted = new Set(known.values());
  for (const k of keys) {
    for (const [f] of known) {
      if (wanted.has(pseudonym(k, "household", f))) found.push(["hmac", f]);
      if (k.length === 32 && wanted.has(householdPseudonym(k, projectId, f))) found.push(["secret", f]);
    }
    if (k.length === 32) {
      const r = doc.responses.find((x) => x.household_link);
      if (openLink(k, projectId, doc.header.link.ephemeral, r.id, r.household_link) !== null) found.push(["link", r.id]);
    }
  }
  return found;
}

/** Every value a locked page's storage holds, as [where, text] pairs: localStorage's
 *  keys and values, the durable journal's records (under the storage key they copy) and
 *  the workspace's stored files (their bytes read as UTF-8 text, as a finder would). */
async function dump(page) {
  return page.evaluate(async () => {
    const out = Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)]);
    const text = (v) => (v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? new TextDecoder().decode(v) : String(v));
    for (const [name, store] of [["doorstep-journal", "changes"], ["doorstep-workspace", "files"]]) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      if (db.objectStoreNames.contains(store)) {
        const all = await new Promise((res) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
        });
        for (const rec of all) {
          const where = rec.k ?? `${name}:${rec.name}`;
          for (const v of Object.values(rec)) out.push([where, text(v)]);
        }
      }
      db.close();
    }
    return out;
  });
}

/** Every string of a dump, for the attack. */
const strings = (d) => d.flat();
/** The dump's text but for forms (labels and choice values, which describe no one). */
const readableText = (d) => d.filter(([k]) => !/^doorstep\.fs?\./.test(k)).map(([k, v]) => `${k}\n${v}`).join("\n");

/** What describes a person or a household in an export's answers: none of it may be
 *  readable in a locked browser's storage. */
const DESCRIBES = ['"m_age"', '"m_sex"', '"m_rel"', '"hh_size"', '"female"', '"spouse"', '"house_type"', "2026-11-20"];

/** A worker's tablet: `n` households seeded from `from` (response ids renamed with
 *  `prefix`, so two workers' surveys of one household are two responses), the project file
 *  imported, the export downloaded; the tablet left open. */
async function worker(project, { n, from, code, prefix }) {
  const context = await tablet(browser, { acceptDownloads: true });
  const page = await context.newPage();
  await seed(page, url, n, { worker: code, from });
  if (prefix !== "e2e") {
    await page.evaluate((prefix) => {
      for (const k of Object.keys(localStorage).filter((k) => k.startsWith("doorstep.r.e2e-"))) {
        const r = JSON.parse(localStorage.getItem(k));
        localStorage.removeItem(k);
        r.id = r.id.replace("e2e-", `${prefix}-`);
        localStorage.setItem(`doorstep.r.${r.id}`, JSON.stringify(r));
      }
    }, prefix);
  }
  await go(page, url);
  await ready(page);
  const out = await exportJson(page, { project });
  return { context, page, doc: JSON.parse(out.bytes.toString("utf8")), bytes: out.bytes };
}

test("a locked tablet and the project file give away no household; two workers' household is one; a forged file is refused", async () => {
  // The coordinator makes the project; its key stays in this browser.
  const coord = await tablet(browser, { acceptDownloads: true, locale: "en-GB" });
  const cp = await coord.newPage();
  const errors = watchErrors(cp);
  await cp.addInitScript(() => localStorage.setItem("doorstep.lang", "en"));
  await go(cp, url);
  await ready(cp);
  await cp.tap(tid("workspace-link"));
  await cp.waitForSelector(`${tid("ws-import")}:not([disabled])`);
  const projectText = await coordinatorProject(cp);
  const project = JSON.parse(projectText);
  assert.equal(project.key, undefined);
  assert.match(await cp.textContent(tid("ws-project")), /This browser holds the project's key/);

  // Two workers; households 30–39 surveyed by both.
  const a = await worker(projectText, { n: 40, from: 0, code: "W07", prefix: "e2e" });
  const b = await worker(projectText, { n: 40, from: 30, code: "W08", prefix: "e2f" });
  for (const d of [a.doc, b.doc]) {
    assert.equal(d.header.project.id, project.id);
    assert.ok(d.responses.every((r) => /^[0-9a-f]+$/.test(r.household_link) && r.household === undefined));
  }
  // Nothing on the worker's tablet holds the project's secret: it has no `doorstep.pk.*`.
  assert.deepEqual(await a.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("doorstep.pk."))), []);

  // The coordinator imports both: same household, same pseudonym.
  await cp.setInputFiles(tid("ws-import"), [file("a.json", a.bytes), file("b.json", b.bytes)]);
  await cp.waitForFunction(() => document.querySelectorAll('[data-testid="ws-result"][data-outcome="accepted"]').length === 2);
  const [d] = await Promise.all([cp.waitForEvent("download"), cp.tap(tid("ws-download-ndjson"))]);
  const merged = readFileSync(await d.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const byId = new Map(merged.map((r) => [r.id, r.household]));
  const idKey = Buffer.from(project.id);
  const householdOf = (prefix, i) => byId.get(pseudonym(idKey, "response", `${prefix}-${`0000${i}`.slice(-4)}`));
  const known = new Map();
  for (let i = 0; i < 70; i++) {
    const h = i < 40 ? householdOf("e2e", i) : householdOf("e2f", i);
    assert.match(h, /^h-[0-9a-f]{32}$/, `household ${i}`);
    known.set(flat(i), h);
  }
  for (let i = 30; i < 40; i++) assert.equal(householdOf("e2f", i), householdOf("e2e", i), `household ${i}: one pseudonym`);
  assert.equal(new Set(known.values()).size, 70, "every household its own pseudonym");

  // The attack works when given the secret (read from the coordinator's unlocked storage):
  // so its failing below means something.
  const [[, secretHex]] = await storedValues(cp, `doorstep.pk.${project.id}`);
  const secret = Buffer.from(secretHex.trim(), "hex");
  assert.ok(attack([secret], { projectId: project.id, known, doc: a.doc }).length > 0, "the attack finds the key it is given");
  assert.equal(householdPseudonym(secret, project.id, flat(0)), known.get(flat(0)));

  // The worker locks the tablet; the finder dumps every string and tries every key.
  await a.page.tap(tid("lock-now"));
  await a.page.waitForSelector('[data-testid="device-lock"][data-mode="locked"]');
  const locked = await dump(a.page);
  assert.ok(locked.some(([k]) => k.startsWith("doorstep.r.")), "the dump holds the surveys");
  const fromTablet = candidates(strings(locked));
  assert.ok(fromTablet.length > 0);
  assert.deepEqual(attack(fromTablet, { projectId: project.id, known, doc: a.doc }), [], "a locked tablet re-identifies no household");
  // The project file holds no secret either (its signing key only signs).
  assert.deepEqual(attack(candidates([projectText]), { projectId: project.id, known, doc: a.doc }), [], "the project file re-identifies no household");
  // Nor does the export itself, nor another worker's file.
  assert.deepEqual(attack(candidates([a.bytes.toString(), b.bytes.toString()]), { projectId: project.id, known, doc: b.doc }), []);

  // A file edited outside the project, checksum recomputed: refused, nothing merged.
  const forged = JSON.parse(a.bytes.toString("utf8"));
  const r0 = forged.responses[0];
  r0.answers.house_type = r0.answers.house_type === "villa" ? "apartment" : "villa";
  forged.header.responses_sha256 = crypto.createHash("sha256").update(canonical(forged.responses)).digest("hex");
  forged.header.worker = "W99";
  const before = Number(await cp.textContent(tid("ws-total-responses")));
  await cp.setInputFiles(tid("ws-import"), [file("forged.json", JSON.stringify(forged))]);
  await cp.waitForFunction(() => document.querySelectorAll('[data-testid="ws-result"]').length === 1);
  const [outcome, text] = await cp.$eval(tid("ws-result"), (e) => [e.dataset.outcome, e.textContent]);
  assert.equal(outcome, "rejected");
  assert.match(text, /signature does not match/);
  assert.equal(Number(await cp.textContent(tid("ws-total-responses"))), before);

  // The coordinator locks: the stored files, the projects, the walk list and the key are
  // ciphertext; the attack finds nothing there either.
  await cp.tap(tid("lock-now"));
  await cp.waitForSelector('[data-testid="device-lock"][data-mode="locked"]');
  const coordinatorDump = await dump(cp);
  assert.ok(coordinatorDump.some(([k]) => k === "doorstep-workspace:a.json"), "the dump holds the stored files");
  const readable = readableText(coordinatorDump);
  for (const m of DESCRIBES) assert.ok(!readable.includes(m), `${m} readable in the locked coordinator's storage`);
  assert.deepEqual(attack(candidates(strings(coordinatorDump)), { projectId: project.id, known, doc: a.doc }), [], "a locked coordinator's browser re-identifies no household");
  // The worker's locked tablet shows nothing that describes anyone either.
  const workerText = readableText(locked);
  for (const m of DESCRIBES) assert.ok(!workerText.includes(m), `${m} readable in the locked tablet's storage`);

  assert.deepEqual(errors, []);
  await a.context.close();
  await b.context.close();
  await coord.close();
});

test("the project key's backup opens the project's files on another computer; a wrong passphrase changes nothing", async () => {
  const open = async (page) => {
    await page.addInitScript(() => localStorage.setItem("doorstep.lang", "en"));
    await go(page, url);
    await ready(page);
    await page.tap(tid("workspace-link"));
    await page.waitForSelector(`${tid("ws-import")}:not([disabled])`);
  };
  const first = await tablet(browser, { acceptDownloads: true, locale: "en-GB" });
  const cp = await first.newPage();
  const errors = watchErrors(cp);
  await open(cp);
  const projectText = await coordinatorProject(cp, "西区回访");
  // Backed up under a passphrase: too short, or typed differently, is refused.
  await cp.click(`${tid("ws-keys")} summary`);
  await cp.fill(tid("ws-key-pass"), "short");
  await cp.fill(tid("ws-key-pass-again"), "short");
  await cp.tap(tid("ws-key-backup"));
  assert.match(await cp.textContent(`${tid("ws-key-note")}.error`), /at least 12 characters/);
  const passphrase = "东区入户调查 2026 冬季回访";
  await cp.fill(tid("ws-key-pass"), passphrase);
  await cp.fill(tid("ws-key-pass-again"), passphrase);
  const [d] = await Promise.all([cp.waitForEvent("download"), cp.tap(tid("ws-key-backup"))]);
  const keyFile = readFileSync(await d.path(), "utf8");
  const project = JSON.parse(projectText);
  const [[, secretHex]] = await storedValues(cp, `doorstep.pk.${project.id}`);
  assert.equal(keyFile.indexOf(secretHex.trim()), -1, "the backup holds the secret sealed only");

  const w = await worker(projectText, { n: 12, from: 0, code: "W07", prefix: "e2e" });
  await cp.setInputFiles(tid("ws-import"), [file("w.json", w.bytes)]);
  await cp.waitForSelector(`${tid("ws-result")}[data-outcome="accepted"]`);
  const households = async (page) => {
    const [dl] = await Promise.all([page.waitForEvent("download"), page.tap(tid("ws-download-ndjson"))]);
    return readFileSync(await dl.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l).household).sort();
  };
  const here = await households(cp);
  await first.close();

  // Another computer: without the key the file is refused, and says why.
  const second = await tablet(browser, { acceptDownloads: true, locale: "en-GB" });
  const np = await second.newPage();
  const errors2 = watchErrors(np);
  await open(np);
  await np.setInputFiles(tid("ws-import"), [file("w.json", w.bytes)]);
  await np.waitForSelector(`${tid("ws-result")}[data-outcome="rejected"]`);
  assert.match(await np.textContent(tid("ws-result")), /key is not in this browser/);
  await np.click(`${tid("ws-keys")} summary`);
  await np.setInputFiles(tid("ws-key-file"), file("key.json", keyFile));
  await np.fill(tid("ws-key-restore-pass"), "not the passphrase at all");
  await np.tap(tid("ws-key-restore"));
  assert.match(await np.textContent(`${tid("ws-key-note")}.error`), /Wrong passphrase/);
  assert.deepEqual(await np.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("doorstep.pk."))), []);
  await np.fill(tid("ws-key-restore-pass"), passphrase);
  await np.tap(tid("ws-key-restore"));
  await np.waitForSelector(`${tid("ws-key-note")}.ok`);
  assert.equal(await np.getAttribute(tid("ws-project"), "data-key"), "held");
  await np.setInputFiles(tid("ws-import"), [file("w.json", w.bytes)]);
  await np.waitForSelector(`${tid("ws-result")}[data-outcome="accepted"]`);
  assert.deepEqual(await households(np), here, "the same households, the same pseudonyms");
  assert.deepEqual([...errors, ...errors2], []);
  await w.context.close();
  await second.close();
});

test("an unlocked tablet: a script in the page finds the key on no global, cannot replace the vault, and locking forgets it", async () => {
  const context = await tablet(browser, { bypassCSP: true });
  const page = await context.newPage();
  await go(page, url + "#/new");
  await page.waitForSelector(tid("question"));
  await page.tap(tid("choice-consent-yes"));
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("doorstep.r.")));
  // The device's key as its owner knows it: the lock opened with the PIN, in Node.
  const key = Buffer.from((await deviceKey(page)).slice(4));
  const forms = [key.toString("hex"), key.toString("base64"), key.toString("base64url").replace(/=+$/, ""), Array.from(key).join(",")];
  // What injected script would look through: every property of the page's global object
  // (non-enumerable ones too), one level into objects, every typed array and string.
  const found = await page.evaluate(() => {
    const out = { strings: [], arrays: [] };
    const seen = new Set();
    const look = (v, depth) => {
      if (v === null || v === undefined || seen.has(v)) return;
      if (typeof v === "string") return void out.strings.push(v);
      if (typeof v !== "object" && typeof v !== "function") return;
      seen.add(v);
      if (ArrayBuffer.isView(v) && v.byteLength < 1 << 20) return void out.arrays.push(Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
      if (v instanceof ArrayBuffer || v instanceof WebAssembly.Memory || v instanceof Node) return;
      if (depth > 1) return;
      for (const name of Object.getOwnPropertyNames(v)) {
        let inner;
        try { inner = v[name]; } catch { continue; }
        look(inner, depth + 1);
      }
    };
    look(globalThis, 0);
    return out;
  });
  for (const a of found.arrays) assert.ok(!Buffer.from(a).includes(key), "a typed array on the page holds the key");
  for (const s of found.strings) for (const f of forms) assert.ok(!s.includes(f), "a string on the page spells the key");
  // The vault is a frozen object that cannot be swapped for one that listens in.
  const vault = await page.evaluate(() => {
    const d = Object.getOwnPropertyDescriptor(globalThis, "doorstepVault");
    try { globalThis.doorstepVault = { hold() {} }; } catch { /* strict mode would throw */ }
    let redefined = true;
    try { Object.defineProperty(globalThis, "doorstepVault", { value: {} }); } catch { redefined = false; }
    return { writable: d.writable, configurable: d.configurable, frozen: Object.isFrozen(d.value), same: globalThis.doorstepVault === d.value, redefined, gen: globalThis.doorstepVault.gen() };
  });
  assert.deepEqual(vault, { writable: false, configurable: false, frozen: true, same: true, redefined: false, gen: vault.gen });
  assert.equal(typeof vault.gen, "number", "the page holds a key");
  // Locking forgets it: every later page load starts without one.
  await page.tap(tid("lock-now"));
  await page.waitForSelector('[data-testid="device-lock"][data-mode="locked"]');
  assert.equal(await page.evaluate(() => globalThis.doorstepVault.gen()), undefined);
  await context.close();
});
