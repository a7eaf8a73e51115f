// The text of a PDF, page by page, read with Mozilla's pdf.js (pdfjs-dist, the reader
// Firefox uses): what a reader of the printed report sees, independent of the page's DOM.
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// Chromium embeds CJK fonts as CID fonts: their text maps back to characters through the
// CMaps pdf.js ships (without them every Chinese character reads as NUL).
const root = dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));

/** Each page's text, its runs joined (Chinese has no spaces to lose). */
export async function pdfPages(bytes) {
  const doc = await getDocument({
    data: new Uint8Array(bytes),
    disableFontFace: true,
    isEvalSupported: false,
    cMapUrl: join(root, "cmaps") + "/",
    cMapPacked: true,
    standardFontDataUrl: join(root, "standard_fonts") + "/",
  }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    pages.push(content.items.map((it) => it.str + (it.hasEOL ? "\n" : "")).join(""));
  }
  await doc.destroy();
  return pages;
}
