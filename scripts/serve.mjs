// A small static file server for dist/: the right MIME types (wasm must be
// application/wasm), no caching of sw.js (so new versions are found), loopback only.
// Used by `make serve` and by the end-to-end tests. Usage: node scripts/serve.mjs DIR PORT
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Serves `dir` on 127.0.0.1:`port` (0 = any free port). `rewrite(path, body)` may alter a
 *  response body (tests use it to ship a "new version" of sw.js). Resolves to the server. */
export function startServer(dir, port = 0, { rewrite } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (path.endsWith("/")) path += "index.html";
      const file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      let body = await readFile(file);
      if (rewrite) body = rewrite(path, body) ?? body;
      // Only Trunk's hashed files (name-0123456789abcdef.ext) may be cached for good.
      const hashed = /-[0-9a-f]{16}(_bg)?\.[a-z]+$/.test(path);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": hashed ? "max-age=31536000, immutable" : "no-cache",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
      });
      res.end(body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir = "dist", port = "8080"] = process.argv.slice(2);
  const server = await startServer(dir, Number(port));
  console.log(`serving ${dir} at http://127.0.0.1:${server.address().port}`);
}
