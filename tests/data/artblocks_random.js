// Reference implementation of Art Blocks' `Random` class, used by tests/render/prng_test.cc to
// check that atelier's TokenRandom is bit-compatible with it. The class is reproduced from
// Art Blocks' creator documentation ("Creator Onboarding", https://docs.artblocks.io/creator-docs/
// creator-onboarding/readme/), which every Art Blocks project script includes verbatim:
// two sfc32 generators seeded from the halves of tokenData.hash, warmed up together for 1e6
// steps, then used alternately.
//
// Usage: node artblocks_random.js 0x<64 hex> COUNT [mixed]
//   prints COUNT values of random_dec(), one per line (JS shortest round-trip form);
//   with "mixed", cycles random_num(-3, 7), random_int(0, 9), random_bool(0.3) instead.
"use strict";

const [hash, countText, mode] = process.argv.slice(2);
if (!/^0x[0-9a-f]{64}$/.test(hash || "") || !(Number(countText) > 0)) {
  console.error("usage: node artblocks_random.js 0x<64 hex> COUNT [mixed]");
  process.exit(2);
}
const tokenData = { hash, tokenId: "0" };

class Random {
  constructor() {
    this.useA = false;
    let sfc32 = function (uint128Hex) {
      let a = parseInt(uint128Hex.substring(0, 8), 16);
      let b = parseInt(uint128Hex.substring(8, 16), 16);
      let c = parseInt(uint128Hex.substring(16, 24), 16);
      let d = parseInt(uint128Hex.substring(24, 32), 16);
      return function () {
        a |= 0;
        b |= 0;
        c |= 0;
        d |= 0;
        let t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        return (t >>> 0) / 4294967296;
      };
    };
    // seed prngA with first half of tokenData.hash
    this.prngA = new sfc32(tokenData.hash.substring(2, 34));
    // seed prngB with second half of tokenData.hash
    this.prngB = new sfc32(tokenData.hash.substring(34, 66));
    for (let i = 0; i < 1e6; i += 2) {
      this.prngA();
      this.prngB();
    }
  }
  // random number between 0 (inclusive) and 1 (exclusive)
  random_dec() {
    this.useA = !this.useA;
    return this.useA ? this.prngA() : this.prngB();
  }
  // random number between a (inclusive) and b (exclusive)
  random_num(a, b) {
    return a + (b - a) * this.random_dec();
  }
  // random integer between a (inclusive) and b (inclusive)
  random_int(a, b) {
    return Math.floor(this.random_num(a, b + 1));
  }
  // random boolean with p as percent liklihood of true
  random_bool(p) {
    return this.random_dec() < p;
  }
}

const R = new Random();
const out = [];
for (let i = 0; i < Number(countText); i++) {
  if (mode === "mixed") {
    const k = i % 3;
    if (k === 0) out.push(String(R.random_num(-3, 7)));
    else if (k === 1) out.push(String(R.random_int(0, 9)));
    else out.push(R.random_bool(0.3) ? "true" : "false");
  } else {
    out.push(String(R.random_dec()));
  }
}
process.stdout.write(out.join("\n") + "\n");
