// The app's storage encryption (src/vault/, src/store/vault.rs) written again from its
// documented format with Node's WebCrypto, independently of the Rust code: to open what
// the app sealed (tests read saved answers), and to give test tablets a device PIN without
// typing it (`testDevice`).
//
// A sealed value: "🔒" + key generation + ":" (or ";" when the last character carries a
// spare byte) + nonce ‖ AES-256-GCM ciphertext ‖ tag, 15 bits per character from U+3400.
// The associated data is the storage key. The lock: "1 <gen> <rounds> <salt hex> <wrapped>",
// the data key in hex sealed under PBKDF2-HMAC-SHA-256(PIN, salt, rounds) with "doorstep.vault".

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

/** A device whose PIN is `pin`: its lock record, and its data key as the app holds it
 *  while unlocked (generation, little-endian, then the 32 bytes). */
export async function testDevice(pin, rounds = 1000) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const data = crypto.getRandomValues(new Uint8Array(32));
  const wrapped = await seal(await pbkdf2(pin, salt, rounds), 1, "doorstep.vault", hex(data));
  return { lock: `1 1 ${rounds} ${hex(salt)} ${wrapped}`, key: [1, 0, 0, 0, ...data] };
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
