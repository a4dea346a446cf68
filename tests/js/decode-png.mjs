// decode-png.mjs DIR — third-party judges of atelier's PNG writer. For every NAME.png in DIR
// with a NAME.rgba beside it (the expected 8-bit RGBA pixels, row by row), decodes the PNG
// with pngjs (its own PNG parser and filters over node's zlib) and with upng-js (its own
// parser over pako, a JavaScript inflate independent of zlib) and compares the pixels
// exactly. Prints one line per file; exits 1 if any file fails either decoder.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PNG } from "pngjs";
import UPNG from "upng-js";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node decode-png.mjs DIR");
  process.exit(2);
}

function firstDifference(a, b) {
  if (a.length !== b.length) return `length ${a.length} != ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return `byte ${i}: ${a[i]} != ${b[i]}`;
  }
  return null;
}

const decoders = {
  pngjs: (file) => new Uint8Array(PNG.sync.read(file).data),
  "upng-js": (file) => {
    const image = UPNG.decode(file);
    return new Uint8Array(UPNG.toRGBA8(image)[0]);
  },
};

let failures = 0;
const names = (await readdir(dir)).filter((n) => n.endsWith(".png")).sort();
for (const name of names) {
  const file = await readFile(join(dir, name));
  const expected = new Uint8Array(await readFile(join(dir, name.replace(/\.png$/, ".rgba"))));
  for (const [decoder, decode] of Object.entries(decoders)) {
    let problem;
    try {
      problem = firstDifference(decode(file), expected);
    } catch (e) {
      problem = `throws: ${e.message}`;
    }
    if (problem) failures++;
    console.log(`${name} ${decoder}: ${problem ? "FAIL " + problem : "ok"}`);
  }
}
if (names.length === 0) {
  console.error(`no .png files in ${dir}`);
  process.exit(1);
}
process.exit(failures ? 1 : 0);
