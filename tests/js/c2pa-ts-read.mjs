// A second, independent C2PA reader as a judge of atelier's output: @trustnxt/c2pa-ts, a pure
// TypeScript implementation (no code shared with c2pa-rs or with atelier).
//   node c2pa-ts-read.mjs FILE MIME
// prints {"reader", "container", "manifests": [labels], "active_manifest": label,
// "assertions": [labels of the active manifest], "ingredients": [...], "valid",
// "failures": [codes], "successes": [codes], "explanations": [...]} and exits 0 when it read a
// manifest store (whatever the verdict), 1 when it could not.
//
// What c2pa-ts 0.9.4 does not do, so the caller must not ask it: it has no trust list (a
// certificate that meets the C2PA profile and is in its validity period is reported as
// `signingCredential.trusted`, anchored or not; only c2pa-rs tells Trusted from Valid), and it
// has no WebP reader. For WebP this script finds the `C2PA` RIFF chunk itself (`container`:
// "adapter", below) and hands the store and the file to c2pa-ts, which then checks everything
// else — claim, signature, certificate profile, hashed URIs, the data hash over the file —
// on its own.
import { readFileSync } from 'node:fs';
import { BMFF, JPEG, PNG } from '@trustnxt/c2pa-ts/asset';
import { SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import { ManifestStore, ValidationResult } from '@trustnxt/c2pa-ts/manifest';

// The minimum of c2pa-ts's Asset interface for validating a WebP file: the bytes, and the
// payload of the `C2PA` chunk (RIFF: "RIFF" size "WEBP", then chunks of fourcc, little-endian
// size, data, a pad byte after odd sizes).
class WebpAdapter {
  mimeType = 'image/webp';
  constructor(data) { this.data = data; }
  static canRead(d) {
    const tag = (at) => String.fromCharCode(...d.subarray(at, at + 4));
    return d.length >= 12 && tag(0) === 'RIFF' && tag(8) === 'WEBP';
  }
  getDataLength() { return this.data.length; }
  async getDataRange(start, length) {
    if (start === undefined) return this.data;
    return this.data.subarray(start, length === undefined ? undefined : start + length);
  }
  getManifestJUMBF() {
    const d = this.data;
    const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let at = 12; at + 8 <= d.length;) {
      const fourcc = String.fromCharCode(...d.subarray(at, at + 4));
      const size = view.getUint32(at + 4, true);
      if (at + 8 + size > d.length) return undefined;
      if (fourcc === 'C2PA') return d.subarray(at + 8, at + 8 + size);
      at += 8 + size + (size & 1);
    }
    return undefined;
  }
  dumpInfo() { return 'WebP (adapter in c2pa-ts-read.mjs)'; }
}

const [file, mime] = process.argv.slice(2);
const bytes = new Uint8Array(readFileSync(file));
const out = { reader: 'c2pa-ts' };
try {
  let asset;
  if (mime === 'image/png' && PNG.canRead(bytes)) asset = new PNG(bytes);
  else if (mime === 'image/jpeg' && JPEG.canRead(bytes)) asset = new JPEG(bytes);
  else if (mime === 'image/webp' && WebpAdapter.canRead(bytes)) asset = new WebpAdapter(bytes);
  else if (mime === 'image/avif' && BMFF.canRead(bytes)) asset = new BMFF(bytes);
  else throw new Error(`c2pa-ts cannot read ${mime} (or the file is not one)`);
  out.container = asset instanceof WebpAdapter ? 'adapter' : 'c2pa-ts';
  const jumbf = asset.getManifestJUMBF();
  if (!jumbf) throw new Error('no manifest store in the file');
  let result;
  let store;
  try {
    store = ManifestStore.read(SuperBox.fromBuffer(jumbf));
    result = await store.validate(asset);
  } catch (e) {
    // c2pa-ts's own mapping of a structural error to a status code.
    result = ValidationResult.fromError(e);
  }
  const active = store?.getActiveManifest();
  out.manifests = store ? store.manifests.map((m) => m.label) : [];
  out.active_manifest = active?.label ?? null;
  out.assertions = (active?.assertions?.assertions ?? []).map((a) => a.fullLabel ?? a.label);
  out.ingredients = (active?.assertions?.assertions ?? [])
    .filter((a) => a.relationship !== undefined)
    .map((a) => ({
      relationship: a.relationship,
      title: a.title,
      format: a.format,
      instanceID: a.instanceID,
      active_manifest: a.activeManifest?.uri ?? null,
    }));
  const entries = result.statusEntries;
  out.valid = result.isValid;
  out.failures = [...new Set(entries.filter((s) => !s.success).map((s) => s.code))];
  out.successes = [...new Set(entries.filter((s) => s.success).map((s) => s.code))];
  out.explanations = entries.filter((s) => !s.success)
    .map((s) => `${s.code}: ${s.url ?? ''} ${s.explanation ?? ''}`.trim());
  console.log(JSON.stringify(out, null, 1));
} catch (e) {
  console.log(JSON.stringify({ ...out, error: String(e) }));
  process.exit(1);
}
