// The durable journal of every change the app makes to localStorage (docs/storage.md).
//
// Chromium keeps localStorage writes in the browser process's memory and commits them to
// disk in batches, seconds to a minute later: a killed browser (a dead battery, Android's
// low-memory killer) loses what the screen had shown as saved. IndexedDB commits each
// transaction before it reports it done (with `durability: "strict"`, flushed to disk). So
// every write goes to localStorage, which stays the store the app reads, and to an
// IndexedDB journal; the app says "saved" only once the journal holds it, and at the next
// start the journal puts back whatever localStorage lost.
//
// - The journal keeps the latest value written under each storage key (a removal is a null
//   value), with the sequence number of that write. `doorstep.seq` in localStorage is the
//   number of the last write, written after the value: whatever localStorage holds on disk
//   is complete up to the `doorstep.seq` it holds, so replay applies only later entries.
// - Entries are never needed once localStorage has them on disk; one older than an hour
//   and no newer than `doorstep.seq` is dropped at start (Chromium commits within a minute).
//   The journal holds the same (sealed) values as localStorage, nothing more.
// - A plain script rather than Rust: it starts before the wasm is fetched, so the replay
//   costs the start-up nothing, every wasm module of the page shares one journal, and it
//   weighs 1.4 KB gzip (`make bench`: the second `first_load_js_gzip`).
(function () {
  "use strict";
  var DB = "doorstep-journal", STORE = "changes", SEQ = "doorstep.seq", HOUR = 3600e3;
  var ls = null;
  try { ls = globalThis.localStorage; } catch (e) { /* refused: the app says so */ }
  var db = null;
  var outbox = new Map(); // key -> [seq, value], coalesced: only the latest value matters
  var inflight = false, waiters = [], retry = 0;
  var j = {
    state: "opening", // "ok" | "unavailable" | "failing"
    durable: 0, // every change of this page up to this number is in the journal
    last: 0, // the number of this page's last change
    replayed: 0, replayMs: 0, waited: 0, unrestored: 0, error: "",
  };

  function req(r) {
    return new Promise(function (ok, fail) {
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }
  function tell() {
    try { globalThis.dispatchEvent(new Event("doorstep-journal")); } catch (e) { /* no window */ }
  }
  function stored() { return Number(ls && ls.getItem(SEQ)) || 0; }

  function open() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () {
        r.result.createObjectStore(STORE, { keyPath: "k" }).createIndex("s", "s");
      };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
      r.onblocked = function () { fail(new Error("blocked")); };
    });
  }

  // Whatever localStorage lost since its last commit to disk, put back before the app reads.
  function replay() {
    var t0 = performance.now();
    return open().then(function (d) {
      // Too late: the app started without it, and may have written since.
      if (j.state !== "opening") return d.close();
      db = d;
      var from = stored();
      var index = d.transaction(STORE).objectStore(STORE).index("s");
      // In the index's order: by number, oldest first.
      return req(index.getAll(IDBKeyRange.lowerBound(from, true))).then(function (lost) {
        if (j.state !== "opening") return;
        var top = from;
        for (var i = 0; i < lost.length; i++) {
          var e = lost[i];
          try {
            if (e.v === null) ls.removeItem(e.k); else ls.setItem(e.k, e.v);
          } catch (x) {
            // Full: the entry stays in the journal for the next start; the app says so.
            j.unrestored++;
            j.error = x.name;
            continue;
          }
          if (e.s > top) top = e.s;
        }
        if (top > from && !j.unrestored) ls.setItem(SEQ, String(top));
        j.replayed = lost.length;
        j.replayMs = performance.now() - t0;
        j.state = "ok";
        prune(from);
      });
    });
  }

  function prune(upTo) {
    var old = Date.now() - HOUR;
    var tx = db.transaction(STORE, "readwrite");
    var r = tx.objectStore(STORE).index("s").openCursor(IDBKeyRange.upperBound(upTo));
    r.onsuccess = function () {
      var c = r.result;
      if (!c) return;
      if (c.value.t < old) c.delete();
      c.continue();
    };
  }

  function flush() {
    if (inflight || !outbox.size || !db) return;
    var batch = Array.from(outbox.entries());
    outbox.clear();
    inflight = true;
    var top = 0, t = Date.now(), tx;
    try {
      tx = db.transaction(STORE, "readwrite", { durability: "strict" });
      var st = tx.objectStore(STORE);
      batch.forEach(function (b) {
        st.put({ k: b[0], s: b[1][0], v: b[1][1], t: t });
        if (b[1][0] > top) top = b[1][0];
      });
      // Now, not when the page's own work of this moment (redrawing after the answer) is
      // done: that would keep "saved" waiting for it.
      if (tx.commit) tx.commit();
    } catch (e) {
      return failed(batch, e);
    }
    tx.oncomplete = function () {
      inflight = false;
      retry = 0;
      if (top > j.durable) j.durable = top;
      if (j.state === "failing") j.state = "ok";
      j.error = "";
      tell();
      if (outbox.size) flush(); else settle();
    };
    tx.onabort = function () { failed(batch, tx.error); };
  }

  // Kept for the next try; the screen says it is not on disk yet.
  function failed(batch, e) {
    inflight = false;
    batch.forEach(function (b) { if (!outbox.has(b[0])) outbox.set(b[0], b[1]); });
    j.state = "failing";
    j.error = (e && e.name) || "Error";
    tell();
    retry = Math.min(retry ? retry * 2 : 500, 8000);
    setTimeout(flush, retry);
  }

  function settle() {
    var w = waiters;
    waiters = [];
    w.forEach(function (f) { f(); });
  }

  function change(key, value) {
    if (value === null) ls.removeItem(key); else ls.setItem(key, value);
    // The number after the value: on disk, a number never runs ahead of its values.
    var s = Math.max(j.last, stored()) + 1;
    try { ls.setItem(SEQ, String(s)); } catch (e) { /* full: replay merely repeats it */ }
    j.last = s;
    if (j.state === "unavailable") return s;
    outbox.set(key, [s, value]);
    if (db) flush();
    return s;
  }

  j.set = function (key, value) { return change(key, String(value)); };
  j.remove = function (key) { return change(key, null); };
  // Resolves once every change made so far is in the journal (or the journal cannot be had).
  j.flushed = function () {
    if (!outbox.size && !inflight || j.state === "unavailable") return Promise.resolve();
    return new Promise(function (ok) { waiters.push(ok); });
  };
  // A journal that neither opens nor fails (it happens) must not keep the app from starting.
  j.ready = Promise.race([
    ls && globalThis.indexedDB ? replay() : Promise.reject(new Error("no storage")),
    new Promise(function (ok, fail) { setTimeout(function () { fail(new Error("timeout")); }, 4000); }),
  ]).then(function () {
    j.last = stored();
    flush();
    start();
  }, function (e) {
    j.state = "unavailable";
    j.error = (e && e.name) || String(e);
    if (db) db.close();
    db = null;
    j.last = stored();
    settle();
    start();
  });
  // The app, if it started before the replay was done, waits to be mounted (src/main.rs).
  function start() {
    if (!j.waiting) return;
    // How long the replay kept the app, ready before it, waiting (0 when it was not).
    j.waited = Date.now() - j.waiting;
    var b = globalThis.wasmBindings;
    if (b) return b.mount_app();
    globalThis.addEventListener("TrunkApplicationStarted", function () {
      globalThis.wasmBindings.mount_app();
    }, { once: true });
  }
  globalThis.doorstepJournal = j;
})();
