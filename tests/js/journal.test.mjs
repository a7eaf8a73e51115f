// Unit tests of the durable journal (public/journal.js) in Node: fake-indexeddb stands in
// for the browser's IndexedDB and a Map for localStorage, so the journal's rules — what a
// start-up replays, in which order, what is coalesced, pruned, or said when it fails — are
// checked in milliseconds. The real thing, a killed Chromium, is tests/e2e/durability.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";

const SOURCE = readFileSync(new URL("../../public/journal.js", import.meta.url), "utf8");

/** localStorage's behaviour: strings, a quota in characters, a throw when full. */
class Storage {
  constructor(entries = [], quota = Infinity) {
    this.map = new Map(entries);
    this.quota = quota;
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    const used = [...this.map].reduce((n, [a, b]) => n + (a === k ? 0 : a.length + b.length), 0);
    if (used + k.length + String(v).length > this.quota) {
      const e = new Error("full");
      e.name = "QuotaExceededError";
      throw e;
    }
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
  snapshot() {
    return new Storage(this.map, this.quota);
  }
}

/** One page load: the journal script run against `ls` and the device's IndexedDB. */
async function load(ls, idb, { now = Date.now } = {}) {
  const events = [];
  const context = vm.createContext({
    localStorage: ls,
    indexedDB: idb,
    IDBKeyRange,
    performance,
    setTimeout,
    Event: class {
      constructor(type) {
        this.type = type;
      }
    },
    Date: { now },
    dispatchEvent: (e) => events.push(e.type),
  });
  vm.runInContext(SOURCE, context);
  const j = context.doorstepJournal;
  await j.ready;
  return { j, events };
}

const device = () => ({ idb: new IDBFactory(), ls: new Storage() });

test("a change is durable once the journal says so, and a killed browser's losses come back", async () => {
  const { idb, ls } = device();
  let { j, events } = await load(ls, idb);
  assert.equal(j.state, "ok");
  const onDisk = ls.snapshot(); // what localStorage had committed when the browser died
  const a = j.set("doorstep.r.1", '{"rev":1}');
  j.set("doorstep.r.1", '{"rev":2}');
  const c = j.set("doorstep.walk", "W");
  assert.ok(a < c && c === j.last);
  j.remove("doorstep.old");
  assert.ok(j.durable < j.last, "not yet on disk");
  await j.flushed();
  assert.equal(j.durable, j.last);
  assert.ok(events.includes("doorstep-journal"));
  // The browser is killed: localStorage comes back as it was on disk, without the changes.
  onDisk.setItem("doorstep.old", "stale");
  ({ j } = await load(onDisk, idb));
  assert.equal(onDisk.getItem("doorstep.r.1"), '{"rev":2}', "the latest value, not an earlier one");
  assert.equal(onDisk.getItem("doorstep.walk"), "W");
  assert.equal(onDisk.getItem("doorstep.old"), null, "a removal is replayed too");
  assert.equal(Number(onDisk.getItem("doorstep.seq")), c + 1);
  assert.equal(j.replayed, 3, "three keys changed; the key written twice once");
});

test("what localStorage already holds is not replayed over, not even by an older entry", async () => {
  const { idb, ls } = device();
  let { j } = await load(ls, idb);
  j.set("doorstep.r.1", "journaled");
  await j.flushed();
  // Written without the journal afterwards (another tool, an older version of the app):
  // localStorage's counter moved past the entry, which must not come back over it.
  ls.setItem("doorstep.r.1", "newer");
  ls.setItem("doorstep.seq", String(j.last + 5));
  ({ j } = await load(ls, idb));
  assert.equal(ls.getItem("doorstep.r.1"), "newer");
  assert.equal(j.replayed, 0);
  // The counter never goes back: the next change is numbered after both.
  const counter = Number(ls.getItem("doorstep.seq"));
  assert.equal(j.set("doorstep.x", "1"), counter + 1);
});

test("a start after a clean reload replays nothing and costs a read", async () => {
  const { idb, ls } = device();
  let { j } = await load(ls, idb);
  for (let i = 0; i < 500; i++) j.set(`doorstep.r.${i}`, `v${i}`);
  await j.flushed();
  ({ j } = await load(ls, idb));
  assert.equal(j.replayed, 0);
});

test("500 lost changes come back in order", async () => {
  const { idb, ls } = device();
  let { j } = await load(ls, idb);
  const onDisk = ls.snapshot();
  for (let i = 0; i < 500; i++) j.set(`doorstep.r.${i % 50}`, `v${i}`);
  await j.flushed();
  ({ j } = await load(onDisk, idb));
  assert.equal(j.replayed, 50);
  for (let i = 450; i < 500; i++) assert.equal(onDisk.getItem(`doorstep.r.${i % 50}`), `v${i}`);
});

test("a full localStorage at replay: what fits comes back, the rest waits and is said", async () => {
  const { idb, ls } = device();
  let { j } = await load(ls, idb);
  const onDisk = ls.snapshot();
  j.set("doorstep.r.small", "x");
  j.set("doorstep.r.big", "y".repeat(100));
  await j.flushed();
  onDisk.quota = 80;
  ({ j } = await load(onDisk, idb));
  assert.equal(onDisk.getItem("doorstep.r.small"), "x");
  assert.equal(j.unrestored, 1);
  assert.equal(onDisk.getItem("doorstep.seq"), null, "the counter stays back, so the next start tries again");
  onDisk.quota = Infinity;
  ({ j } = await load(onDisk, idb));
  assert.equal(onDisk.getItem("doorstep.r.big"), "y".repeat(100));
  assert.equal(j.unrestored, 0);
});

test("entries an hour old that localStorage holds are dropped; newer ones stay", async () => {
  const { idb, ls } = device();
  let clock = 1_000_000_000;
  let { j } = await load(ls, idb, { now: () => clock });
  j.set("doorstep.r.old", "1");
  await j.flushed();
  clock += 2 * 3600e3;
  j.set("doorstep.r.new", "2");
  await j.flushed();
  ({ j } = await load(ls, idb, { now: () => clock }));
  await new Promise((r) => setTimeout(r, 50)); // the prune runs after the start
  const keys = await new Promise((ok) => {
    const r = idb.open("doorstep-journal", 1);
    r.onsuccess = () => {
      const all = r.result.transaction("changes").objectStore("changes").getAllKeys();
      all.onsuccess = () => {
        r.result.close();
        ok(all.result);
      };
    };
  });
  assert.deepEqual(keys, ["doorstep.r.new"]);
});

test("without IndexedDB the app still starts and saves to localStorage, and says so", async () => {
  const ls = new Storage();
  const { j } = await load(ls, undefined);
  assert.equal(j.state, "unavailable");
  j.set("doorstep.r.1", "v");
  assert.equal(ls.getItem("doorstep.r.1"), "v");
  await j.flushed();
});

test("a write localStorage refuses throws, and nothing is journaled for it", async () => {
  const { idb } = device();
  const ls = new Storage([], 40);
  let { j } = await load(ls, idb);
  const onDisk = ls.snapshot();
  assert.throws(() => j.set("doorstep.r.1", "z".repeat(100)), { name: "QuotaExceededError" });
  await j.flushed();
  ({ j } = await load(onDisk, idb));
  assert.equal(onDisk.getItem("doorstep.r.1"), null);
  assert.equal(j.replayed, 0);
});

test("a journal that cannot commit says so, keeps the changes, and commits them later", async () => {
  const { idb, ls } = device();
  let { j, events } = await load(ls, idb);
  // The disk refuses: every transaction aborts until it is fixed.
  const real = idb.open.bind(idb);
  let refuse = true;
  const db = await new Promise((ok) => {
    const r = real("doorstep-journal", 1);
    r.onsuccess = () => ok(r.result);
  });
  const proto = Object.getPrototypeOf(db);
  const transaction = proto.transaction;
  proto.transaction = function (...args) {
    const tx = transaction.apply(this, args);
    // The commit the journal asks for fails: the transaction aborts instead.
    if (refuse && args[1] === "readwrite") tx.commit = () => tx.abort();
    return tx;
  };
  db.close();
  const s = j.set("doorstep.r.1", "v");
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(j.state, "failing");
  assert.ok(j.durable < s);
  assert.ok(events.length > 0);
  refuse = false;
  await j.flushed();
  proto.transaction = transaction;
  assert.equal(j.state, "ok");
  assert.ok(j.durable >= s);
});
