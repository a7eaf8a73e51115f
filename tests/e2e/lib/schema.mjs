// The export's JSON Schema (public/schema/export-v2.json, with the form format it embeds,
// public/schema/form-v1.json), compiled once with Ajv's draft 2020-12 validator: the tests
// check real downloaded files against it.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";

const load = (name) => JSON.parse(readFileSync(new URL(`../../../public/schema/${name}`, import.meta.url), "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addSchema(load("form-v1.json"));
const validate = ajv.compile(load("export-v2.json"));

/** `{ valid, errors }` for a parsed export document. */
export function validateExport(doc) {
  const valid = validate(doc);
  return { valid, errors: valid ? [] : validate.errors };
}
