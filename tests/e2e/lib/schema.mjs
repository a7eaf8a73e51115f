// The export's JSON Schema (public/schema/export-v1.json), compiled once with Ajv's draft
// 2020-12 validator: the tests check real downloaded files against it.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";

const schema = JSON.parse(readFileSync(new URL("../../../public/schema/export-v1.json", import.meta.url), "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** `{ valid, errors }` for a parsed export document. */
export function validateExport(doc) {
  const valid = validate(doc);
  return { valid, errors: valid ? [] : validate.errors };
}
