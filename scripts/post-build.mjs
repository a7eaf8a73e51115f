// Trunk post_build hook (see Trunk.toml). Runs in the staging directory before it becomes
// dist/. Three jobs, all impossible before the build's file names and contents are known:
//  1. minify wasm-bindgen's JS glue with terser (Trunk's own minifier gives up on it, "Failed
//     to minify JS"): about 2 KB gzip off the first load; the page's `integrity` hashes of
//     the changed files are written again;
//  2. add the SHA-256 of each inline <script> in index.html to the page's CSP, so the strict
//     policy needs no 'unsafe-inline';
//  3. write the service worker's precache list (every built file) and a build id derived
//     from their contents, so a new build installs a fresh cache.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { minify } from "terser";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("post-build: TRUNK_STAGING_DIR is not set (run through trunk)");
  process.exit(1);
}

const indexPath = join(dir, "index.html");
let html = readFileSync(indexPath, "utf8");

// 1. The glue of every wasm module (not the service worker, not the loader shims).
for (const name of readdirSync(dir)) {
  if (!name.endsWith(".js") || name === "sw.js" || name.endsWith("_loader.js")) continue;
  const path = join(dir, name);
  const before = readFileSync(path, "utf8");
  const { code } = await minify(before, { module: true, compress: true, mangle: true });
  if (!code) {
    console.error(`post-build: terser produced nothing for ${name}`);
    process.exit(1);
  }
  writeFileSync(path, code);
  const sri = (text) => `sha384-${createHash("sha384").update(text, "utf8").digest("base64")}`;
  html = html.split(sri(before)).join(sri(code));
}
const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`);
}
const marker = "script-src 'self' 'wasm-unsafe-eval'";
if (!html.includes(marker)) {
  console.error("post-build: CSP marker not found in index.html");
  process.exit(1);
}
html = html.replace(marker, [marker, ...hashes].join(" "));
writeFileSync(indexPath, html);

function walk(d) {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const files = walk(dir)
  .map((p) => relative(dir, p).split("\\").join("/"))
  .filter((p) => p !== "sw.js")
  .sort();
const build = createHash("sha256");
for (const f of files) build.update(f).update(readFileSync(join(dir, f)));
const id = build.digest("hex").slice(0, 16);
const precache = ["./", ...files.map((f) => "./" + f)];

const swPath = join(dir, "sw.js");
let sw = readFileSync(swPath, "utf8");
sw = sw
  .replace(/const BUILD = "[^"]*";/, `const BUILD = ${JSON.stringify(id)};`)
  .replace(/const PRECACHE = \[[^\]]*\];/, `const PRECACHE = ${JSON.stringify(precache)};`);
if (!sw.includes(id)) {
  console.error("post-build: could not write the precache list into sw.js");
  process.exit(1);
}
writeFileSync(swPath, sw);
console.log(`post-build: ${hashes.length} inline script(s) hashed, ${files.length} files precached, build ${id}`);
