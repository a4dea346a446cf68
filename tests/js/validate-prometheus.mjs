// validate-prometheus.mjs FILE — exits non-zero unless FILE parses as Prometheus text
// exposition format (version 0.0.4) with a TYPE for every family; prints the family names.
import { readFile } from "node:fs/promises";
import parsePrometheusTextFormat from "parse-prometheus-text-format";

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate-prometheus.mjs FILE");
  process.exit(2);
}
const text = await readFile(file, "utf8");
let families;
try {
  families = parsePrometheusTextFormat(text);
} catch (e) {
  console.error(`not valid Prometheus text format: ${e.message}`);
  process.exit(1);
}
const bad = families.filter((f) => !f.type || f.type === "UNTYPED");
if (bad.length) {
  console.error(`families without a TYPE: ${bad.map((f) => f.name).join(", ")}`);
  process.exit(1);
}
for (const f of families) console.log(`${f.name} ${f.type} ${f.metrics.length}`);
