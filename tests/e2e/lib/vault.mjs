// The app's storage encryption (src/vault/, src/store/vault.rs) written again from its
// documented format with Node's WebCrypto, independently of the Rust code: to open what
// the app sealed (tests read saved answers), and to give test tablets a device PIN without
// typing it (`testDevice`).
//
// A sealed value: "🔒" + key generation + ":" (or ";" when the last character carries a
// spare byte) + nonce ‖ AES-256-GCM ciphertext ‖ tag, 15 bits per character from U+3400.
// The associated data is the storage key. The lock, one of:
//   "2 <gen> <pin|phrase> argon2id:m=<KiB>,t=<passes>,p=<lanes> <salt hex> <wrapped>"
//   "1 <gen> <rounds> <salt hex> <wrapped>"   (earlier versions: a PIN under PBKDF2)
// the data key in hex sealed with "doorstep.vault" under the key derived from the PIN or
// passphrase: Argon2id (v1.3, 32 bytes) through hash-wasm (an npm package: Node has no
// Argon2 of its own), or PBKDF2-HMAC-SHA-256 through Node's WebCrypto. A passphrase is
// derived in Unicode NFC, trimmed, runs of spaces made one.

import { argon2id } from "hash-wasm";

const { subtle } = globalThis.crypto;
const MARK = "\u{1F512}";
const BASE = 0x3400;

export function denseEncode(bytes) {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    if (bits >= 15) {
      bits -= 15;
      out += String.fromCharCode(BASE + ((acc >> bits) & 0x7fff));
      acc &= (1 << bits) - 1;
    }
  }
  let spare = false;
  if (bits > 0) {
    out += String.fromCharCode(BASE + ((acc << (15 - bits)) & 0x7fff));
    spare = 15 - bits >= 8;
  }
  return [out, spare];
}

export function denseDecode(text, spare) {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = ch.codePointAt(0) - BASE;
    if (v < 0 || v >= 0x8000) throw new Error("not a sealed character");
    acc = (acc << 15) | v;
    bits += 15;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (spare) out.pop();
  return new Uint8Array(out);
}

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const aesKey = (bytes, use) => subtle.importKey("raw", bytes, "AES-GCM", false, [use]);

export async function seal(keyBytes, gen, aad, text) {
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: new TextEncoder().encode(aad) },
      await aesKey(keyBytes, "encrypt"),
      new TextEncoder().encode(text),
    ),
  );
  const [body, spare] = denseEncode([...nonce, ...ct]);
  return `${MARK}${gen}${spare ? ";" : ":"}${body}`;
}

export async function open(keyBytes, aad, sealed) {
  const m = /^\u{1F512}(\d+)([:;])(.*)$/su.exec(sealed);
  if (!m) throw new Error("not sealed");
  const bytes = denseDecode(m[3], m[2] === ";");
  const plain = await subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(aad) },
    await aesKey(keyBytes, "decrypt"),
    bytes.slice(12),
  );
  return new TextDecoder().decode(plain);
}

export async function pbkdf2(pin, salt, rounds) {
  const base = await subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: rounds }, base, 256));
}

/** What new locks use (`CURRENT` in src/vault/kdf.rs), written again here. */
export const ARGON2ID = { name: "argon2id", m: 32768, t: 2, p: 1 };

/** A lock's fields: { version, gen, secret: "pin" | "phrase", kdf, salt, wrapped }, where
 *  kdf is { name: "argon2id", m, t, p } or { name: "pbkdf2", rounds }. */
export function parseLock(value) {
  const f = value.split(" ");
  if (f[0] === "1" && f.length === 5) {
    return { version: 1, gen: Number(f[1]), secret: "pin", kdf: { name: "pbkdf2", rounds: Number(f[2]) }, salt: unhex(f[3]), wrapped: f[4] };
  }
  if (f[0] !== "2" || f.length !== 6) throw new Error(`not a lock: ${value}`);
  const argon = /^argon2id:m=(\d+),t=(\d+),p=(\d+)$/.exec(f[3]);
  const pbkdf = /^pbkdf2:(\d+)$/.exec(f[3]);
  const kdf = argon
    ? { name: "argon2id", m: Number(argon[1]), t: Number(argon[2]), p: Number(argon[3]) }
    : pbkdf
      ? { name: "pbkdf2", rounds: Number(pbkdf[1]) }
      : null;
  if (!kdf || !["pin", "phrase"].includes(f[2])) throw new Error(`not a lock: ${value}`);
  return { version: 2, gen: Number(f[1]), secret: f[2], kdf, salt: unhex(f[4]), wrapped: f[5] };
}

const unhex = (text) => new Uint8Array(Buffer.from(text, "hex"));

/** The bytes a secret is derived from: a PIN as typed, a passphrase normalised. */
export function secretInput(secret, typed) {
  return secret === "phrase" ? typed.normalize("NFC").trim().split(/\s+/).join(" ") : typed;
}

/** The key-encryption key `typed` derives with a lock's `secret`, `kdf` and `salt`. */
export async function deriveKek({ secret, kdf, salt }, typed) {
  const input = secretInput(secret, typed);
  if (kdf.name === "pbkdf2") return pbkdf2(input, salt, kdf.rounds);
  return argon2id({
    password: input, salt, parallelism: kdf.p, iterations: kdf.t, memorySize: kdf.m, hashLength: 32, outputType: "binary",
  });
}

/** The data key a stored lock wraps, opened with what the worker would type; throws when
 *  it is not the right PIN or passphrase. */
export async function openLock(value, typed) {
  const lock = parseLock(value);
  return Buffer.from(await open(await deriveKek(lock, typed), "doorstep.vault", lock.wrapped), "hex");
}

/** A device whose PIN (or passphrase) is `typed`: its lock record, and its data key as the
 *  app holds it while unlocked (generation, little-endian, then the 32 bytes). By default
 *  the lock new devices get (Argon2id, as the app writes it); `{ kdf: "pbkdf2" }` gives
 *  one of an earlier version (`rounds`: 600,000 on real devices; fewer where speed
 *  matters). The data key can be given, to lock the same data twice. */
export async function testDevice(typed, { kdf = "argon2id", secret = "pin", rounds = 1000, data } = {}) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  data ??= crypto.getRandomValues(new Uint8Array(32));
  const recipe = kdf === "pbkdf2" ? { name: "pbkdf2", rounds } : ARGON2ID;
  const kek = await deriveKek({ secret, kdf: recipe, salt }, typed);
  const wrapped = await seal(kek, 1, "doorstep.vault", hex(data));
  const lock = kdf === "pbkdf2"
    ? `1 1 ${rounds} ${hex(salt)} ${wrapped}`
    : `2 1 ${secret} argon2id:m=${ARGON2ID.m},t=${ARGON2ID.t},p=${ARGON2ID.p} ${hex(salt)} ${wrapped}`;
  return { lock, key: [1, 0, 0, 0, ...data] };
}

/** A value the app sealed whole (walk list, visit days, follow-ups), as plain text. */
export async function openValue(storageKey, raw, held) {
  if (raw === null || !raw.startsWith(MARK)) return raw;
  if (!held) throw new Error(`${storageKey} is sealed and the page holds no key`);
  return open(new Uint8Array(held.slice(4)), storageKey, raw);
}

/** Puts what `x` sealed back into a stored response (rows of a roster by position). */
function merge(answers, hidden) {
  for (const [id, v] of Object.entries(hidden)) {
    const mine = answers[id];
    if (Array.isArray(mine) && Array.isArray(v) && typeof v[0] === "object") {
      v.forEach((row, i) => merge(mine[i], row));
    } else {
      answers[id] = v;
    }
  }
}

/** A stored response as the app reads it, opened with `held` (the page's key bytes). */
export async function openResponse(storageKey, raw, held) {
  const r = JSON.parse(raw);
  if (!r.x) return r;
  if (!held) throw new Error(`${storageKey} is sealed and the page holds no key`);
  const hidden = JSON.parse(await open(new Uint8Array(held.slice(4)), storageKey, r.x));
  delete r.x;
  merge((r.a ??= {}), hidden.a ?? {});
  if (hidden.o) r.o = hidden.o;
  if (hidden.hh) r.hh = hidden.hh;
  // The times are sealed too (records sealed before they were keep them readable).
  if (hidden.started) Object.assign(r, { started: hidden.started, updated: hidden.updated, completed: hidden.completed });
  return r;
}
