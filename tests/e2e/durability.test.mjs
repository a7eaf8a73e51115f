// "Saved" means on disk (issue 18): the browser process is killed — not a tab closed — at
// random moments while a worker answers, and started again; every answer the screen had
// shown as saved must be there. Chromium holds localStorage writes in memory for seconds;
// the durable journal (public/journal.js) is what makes this hold. `make bench` runs the
// same with 30 kills, and once without the journal to show what it prevents.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, tid, tablet, launch, reload } from "./helpers.mjs";
import { killRun } from "./lib/kill.mjs";

let server, url;
before(async () => {
  ({ server, url } = await serve());
});
after(() => server?.close());

test("a browser killed at random moments loses no answer the screen showed as saved", async () => {
  const seed = Number(process.env.KILL_SEED || Date.now() % 100000);
  const kills = Number(process.env.KILLS || 8);
  const r = await killRun(url, { kills, seed });
  // `r.kills` counts the kill right after the PIN was set up too.
  console.log(`killed the browser ${r.kills} times (seed ${seed}): ${r.saved} answers shown as saved, ${r.lost.length} lost, ${r.damaged} damaged`);
  assert.equal(r.pinLost, false, "the PIN chosen just before the kill is kept");
  assert.deepEqual(r.lost, [], `seed ${seed}`);
  assert.equal(r.damaged, 0);
});
