// validate-openapi.mjs FILE — exits non-zero unless FILE is a valid OpenAPI 3.1 document.
//
// Judges (third-party, so our generator is not checked by our own reading of the spec):
//   1. @seriousme/openapi-schema-validator: the document against the official OAS 3.1 schema.
//   2. Every $ref resolves (the validator's resolveRefs).
//   3. Every schema under components.schemas and in each operation compiles as JSON Schema
//      2020-12 with Ajv in strict mode (OAS 3.1 schemas are 2020-12), catching typos such as
//      "requried" or a misplaced keyword that the OAS meta-schema lets through.
import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate-openapi.mjs FILE");
  process.exit(2);
}

const doc = JSON.parse(await readFile(file, "utf8"));
if (typeof doc.openapi !== "string" || !doc.openapi.startsWith("3.1.")) {
  console.error(`not an OpenAPI 3.1 document: openapi=${JSON.stringify(doc.openapi)}`);
  process.exit(1);
}

const validator = new Validator();
const res = await validator.validate(doc);
if (!res.valid) {
  console.error("OpenAPI document does not match the OAS 3.1 schema:");
  console.error(JSON.stringify(res.errors, null, 2));
  process.exit(1);
}

let resolved;
try {
  resolved = validator.resolveRefs();
} catch (e) {
  console.error(`unresolvable $ref: ${e.message}`);
  process.exit(1);
}

// OAS adds a few keywords to JSON Schema; declare them so strict mode accepts them.
const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
for (const kw of ["example", "discriminator", "xml", "externalDocs"]) ajv.addKeyword(kw);

const failures = [];
function compile(where, schema) {
  try {
    ajv.compile(schema);
  } catch (e) {
    failures.push(`${where}: ${e.message}`);
  }
}

for (const [name, schema] of Object.entries(resolved.components?.schemas ?? {})) {
  compile(`components.schemas.${name}`, schema);
}
let operations = 0;
for (const [path, item] of Object.entries(resolved.paths ?? {})) {
  for (const [method, op] of Object.entries(item)) {
    if (typeof op !== "object" || !op.responses) continue;
    operations++;
    for (const p of op.parameters ?? []) compile(`${method} ${path} param ${p.name}`, p.schema);
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
      if (media.schema) compile(`${method} ${path} request ${type}`, media.schema);
    }
    for (const [status, r] of Object.entries(op.responses)) {
      for (const [type, media] of Object.entries(r.content ?? {})) {
        if (media.schema) compile(`${method} ${path} ${status} ${type}`, media.schema);
      }
    }
  }
}

if (failures.length) {
  console.error("schemas that are not valid JSON Schema 2020-12:");
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`valid OpenAPI ${doc.openapi}: ${Object.keys(doc.paths ?? {}).length} paths, ${operations} operations`);
