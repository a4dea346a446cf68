// The C2PA reference reader (c2pa-rs compiled to WebAssembly) as a judge of atelier's output:
//   node c2pa-read.mjs [--time] [--now=ISO-8601] FILE MIME [TRUST_ANCHORS.pem]
// prints {"state", "failures": [codes], "informational": [codes], "successes": [codes],
// "time_stamp": the signature's time-stamp time or null, "active_manifest": {...}} and exits 0
// when it read a manifest store (whatever the validation state), 1 when it could not.
// --now moves the reader's clock (Date, which the WebAssembly asks for the time) to that
// instant: how a file reads once its signing certificate has expired.
import { readFileSync } from 'node:fs';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const nowFlag = flags.find((a) => a.startsWith('--now='));
if (nowFlag) {
  const RealDate = Date;
  const offset = RealDate.parse(nowFlag.slice('--now='.length)) - RealDate.now();
  if (Number.isNaN(offset)) throw new Error(`bad ${nowFlag}`);
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() { return RealDate.now() + offset; }
  };
}
const wasm = readFileSync(new URL('./node_modules/@contentauth/c2pa-wasm/pkg/c2pa_bg.wasm', import.meta.url));
initSync({ module: wasm });
const timing = flags.includes('--time');
const [file, mime, trust] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// The anchors serve the claim signer and, as a "tsa" trust list, time-stamp authorities
// (c2pa-rs checks a time-stamp's certificate against the TSA list only).
const anchors = trust ? readFileSync(trust, 'utf8') : null;
const settings = trust
  ? {
    trust: { trust_anchors: anchors, anchors: [{ trust_anchors: anchors, trust_kind: 'tsa' }] },
    verify: { verify_trust: true },
  }
  : { verify: { verify_trust: false } };
if (timing) {  // --time: mean ms per read over 20 reads (after one warm-up), the file in memory
  const bytes = new Uint8Array(readFileSync(file));
  const ctx = JSON.stringify(settings);
  (await WasmReader.fromBytes(mime, bytes, ctx)).free();
  const t0 = performance.now();
  for (let i = 0; i < 20; ++i) (await WasmReader.fromBytes(mime, bytes, ctx)).free();
  console.log(JSON.stringify({ file, ms_per_read: (performance.now() - t0) / 20 }));
  process.exit(0);
}
try {
  const reader = await WasmReader.fromBytes(mime, new Uint8Array(readFileSync(file)), JSON.stringify(settings));
  const store = JSON.parse(reader.json());
  const status = store.validation_status ?? [];
  const results = store.validation_results?.activeManifest ?? {};
  const failures = [...status.map((s) => s.code), ...(results.failure ?? []).map((s) => s.code)];
  const active = store.manifests?.[store.active_manifest] ?? null;
  const informational = results.informational ?? [];
  console.log(JSON.stringify({
    state: store.validation_state,
    failures: [...new Set(failures)],
    explanations: [...status, ...(results.failure ?? []), ...informational]
      .map((s) => `${s.code}: ${s.explanation ?? ''}`),
    informational: [...new Set(informational.map((s) => s.code))],
    successes: [...new Set((results.success ?? []).map((s) => s.code))],
    time_stamp: active?.signature_info?.time ?? null,
    active_manifest: active,
  }, null, 1));
} catch (e) {
  console.log(JSON.stringify({ error: String(e) }));
  process.exit(1);
}
