// png_deflate.cc — a fast zlib stream writer specialised for filtered PNG rows.
//
// Why hand-written: general-purpose deflaters (libdeflate, zlib) search for LZ77 matches at
// every position, which is most of PNG encoding time on our renders (libdeflate level 1:
// ~15 ms of ~20 ms per 1024² render). Filtered rows of generative art are mostly long runs
// of one byte (flat background) and short irregular residuals (anti-aliased strokes); the
// runs are where nearly all of LZ77's gain is. This writer, after the design of fpnge
// (Luca Versari, Google), looks for nothing else:
//
//   1. Tokens: a run of 4+ equal bytes becomes that byte as a literal followed by
//      distance-1 matches (length 3..258) for the rest; every other byte is a literal.
//   2. One SSE2 pass finds the runs (kept as segments: so many literals, then a run) and
//      counts the literal and length symbols; package-merge (huffman.cc) turns the counts
//      into an optimal code limited to 14 bits.
//   3. A second pass over the segments writes one dynamic-Huffman block (RFC 1951 3.2.7)
//      through a 64-bit bit buffer, then the zlib trailer (Adler-32, libdeflate's).
//
// Memory: the segments take 8 bytes per run, about 1 % of the rows on our renders but up to
// 1.6x the rows for an image built to have a run every 5 bytes; so at most kPngSegmentsMax
// are kept (32 MiB), and past that the second pass finds the runs again (same bytes).
//
// On a 1024² flow-lines render (3 MB of filtered rows, ~1.6 M literals, ~55,000 runs) each
// pass takes ~1.5-1.8 ms on the README's machine; libdeflate level 1 takes ~15 ms for a 4 %
// smaller stream. The README performance section has all the workloads.
//
// Determinism: the tokens are defined per byte (the first position whose byte and the next
// two equal the byte before it starts a run, which takes every following equal byte), and
// the SSE2 search below only finds the same positions faster; the scalar path is kept and
// tests compare both (deflate_png_rows with Simd::kScalar). The bytes written depend only on
// the input bytes.
#include <libdeflate.h>

#include <array>
#include <bit>
#include <cassert>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "render/codec/internal/formats.h"
#include "render/internal/spare_buffer.h"

namespace atelier::render::codec_internal {
namespace {

constexpr int kLiteralSymbols = 286;  // 0..255 literals, 256 end of block, 257..285 lengths.
constexpr int kEndOfBlock = 256;
constexpr int kMatchMin = 3, kMatchMax = 258;
constexpr int kRunMin = kMatchMin;  // Bytes equal to the one before them that start a run.
// DEFLATE allows 15-bit literal/length codes; 14 lets the writer put four literals at once
// (4 * 14 bits + 7 pending <= 64). Symbols that rare cost almost nothing either way.
constexpr int kCodeBitsMax = 14;
constexpr int kCodeLengthBitsMax = 7;  // DEFLATE's limit for the code-length code.

// Length symbol, extra-bit count and base for each match length (RFC 1951 3.2.5).
struct LengthSymbol {
  std::uint16_t symbol;
  std::uint8_t extra_bits;
  std::uint16_t base;
};
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                       15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};

constexpr LengthSymbol length_symbol(int length) {
  int i = 28;
  while (kLengthBase[i] > length) --i;
  return {static_cast<std::uint16_t>(257 + i), kLengthExtra[i], kLengthBase[i]};
}

// Order in which the code-length code's lengths are sent (RFC 1951 3.2.7).
constexpr std::array<std::uint8_t, 19> kCodeLengthOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                           11, 4,  12, 3, 13, 2, 14, 1, 15};

// LSB-first bit writer over a buffer with at least 8 writable bytes past any byte it writes.
// After flush() at most 7 bits are pending, so up to 56 bits may be put before the next one
// (63 pending at most: flush() shifts by whole bytes below 64).
class BitWriter {
 public:
  explicit BitWriter(std::uint8_t* out) : out_(out) {}
  void put(std::uint64_t bits, unsigned count) {
    assert(count_ + count < 64);
    buffer_ |= bits << count_;
    count_ += count;
  }
  void flush() {
    std::uint64_t le = buffer_;
    if constexpr (std::endian::native == std::endian::big) le = std::byteswap(le);
    std::memcpy(out_, &le, 8);
    out_ += count_ >> 3;
    buffer_ >>= count_ & ~7u;
    count_ &= 7;
  }
  // Pads to a byte boundary and returns the end of the written bytes.
  std::uint8_t* finish() {
    flush();
    count_ = (count_ + 7) & ~7u;
    flush();
    return out_;
  }

 private:
  std::uint8_t* out_;
  std::uint64_t buffer_ = 0;
  unsigned count_ = 0;
};

// --- Tokens --------------------------------------------------------------------------------

// The first p in [from, size) with p >= 1 and p + kRunMin <= size where data[p - 1] equals
// data[p .. p + kRunMin - 1]; `size` if there is none.
std::size_t find_run(const std::uint8_t* data, std::size_t from, std::size_t size, Simd simd) {
  std::size_t p = std::max<std::size_t>(from, 1);
#if defined(__SSE2__)
  if (simd == Simd::kAuto) {
    auto load = [](const std::uint8_t* q) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    };
    // Bit k of `equal`: data[p + k] == data[p + k - 1], for k in 0..31. A run starts at p + k
    // where bits k .. k + kRunMin - 1 are all set; bits 0..15 are decided within the 32.
    for (; p + 32 <= size; p += 16) {
      const std::uint32_t lo = static_cast<std::uint32_t>(
          _mm_movemask_epi8(_mm_cmpeq_epi8(load(data + p), load(data + p - 1))));
      const std::uint32_t hi = static_cast<std::uint32_t>(
          _mm_movemask_epi8(_mm_cmpeq_epi8(load(data + p + 16), load(data + p + 15))));
      const std::uint32_t equal = lo | hi << 16;
      std::uint32_t start = equal;
      for (int j = 1; j < kRunMin; ++j) start &= equal >> j;
      start &= 0xffffu;
      if (start != 0) return p + static_cast<std::size_t>(std::countr_zero(start));
    }
  }
#else
  (void)simd;
#endif
  for (; p + kRunMin <= size; ++p) {
    const std::uint8_t v = data[p - 1];
    int j = 0;
    while (j < kRunMin && data[p + j] == v) ++j;
    if (j == kRunMin) return p;
  }
  return size;
}

// How many bytes from data[p] on equal data[p - 1] (p >= 1), up to size.
std::size_t run_length(const std::uint8_t* data, std::size_t p, std::size_t size, Simd simd) {
  const std::uint8_t v = data[p - 1];
  std::size_t i = p;
#if defined(__SSE2__)
  if (simd == Simd::kAuto) {
    const __m128i value = _mm_set1_epi8(static_cast<char>(v));
    for (; i + 16 <= size; i += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      const unsigned equal = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, value)));
      if (equal != 0xffffu) return i + static_cast<std::size_t>(std::countr_zero(~equal)) - p;
    }
  }
#else
  (void)simd;
#endif
  while (i < size && data[i] == v) ++i;
  return i - p;
}

// The token stream, as segments: `literals` literal bytes, then a run of `run` bytes equal to
// the byte before it (0 only for the last segment), sent as distance-1 matches.
struct Segment {
  std::uint32_t literals;
  std::uint32_t run;
};

// Splits a run into matches of at most kMatchMax bytes, never leaving 1 or 2 bytes over:
// calls match(length) for each.
template <typename Match>
void for_each_match(std::size_t run, Match match) {
  while (run > 0) {
    std::size_t piece = std::min<std::size_t>(run, kMatchMax);
    if (run > piece && run - piece < kMatchMin) piece = run - kMatchMin;
    match(static_cast<int>(piece));
    run -= piece;
  }
}

// The length symbol of each match length 0..258 (entries below 3 unused).
constexpr std::array<LengthSymbol, kMatchMax + 1> kLengthSymbols = [] {
  std::array<LengthSymbol, kMatchMax + 1> table{};
  for (int length = kMatchMin; length <= kMatchMax; ++length) table[length] = length_symbol(length);
  return table;
}();

// What the first pass keeps: the symbol counts, and the segments, up to `segments_max` of
// them (beyond that the second pass scans again: a worst-case image has a segment every 5
// bytes, and 8 bytes each would double the encoder's memory).
class Counter {
 public:
  Counter(std::vector<Segment>& segments, std::size_t segments_max,
          std::array<std::uint32_t, kLiteralSymbols>& freq)
      : segments_(segments), segments_max_(segments_max), freq_(freq) {
    segments_.clear();
    freq_.fill(0);
  }
  // Bytes p[0 .. n) are literals.
  void literals(const std::uint8_t* p, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) ++literal_[k % 4][p[k]];
  }
  // Bytes p[0 .. k) are literals, where mask == (1 << k) - 1 (k <= 16). No branch per byte:
  // the scan calls this for every 16 bytes that hold literals.
  void literal_block(const std::uint8_t* p, unsigned mask) {
    for (int k = 0; k < 16; ++k) literal_[k % 4][p[k]] += (mask >> k) & 1u;
  }
  // The segment ending at `run_end`: literals since the previous run, then a run from
  // `run_start` (run_end == run_start: none, the end of the data).
  void segment(std::size_t run_start, std::size_t run_end) {
    assert(run_end == run_start || run_end - run_start >= kRunMin);
    for_each_match(run_end - run_start, [&](int piece) { ++freq_[kLengthSymbols[piece].symbol]; });
    if (segments_.size() < segments_max_) {
      segments_.push_back({static_cast<std::uint32_t>(run_start - span_start_),
                           static_cast<std::uint32_t>(run_end - run_start)});
    } else {
      complete_ = false;
    }
    span_start_ = run_end;
  }
  // Sums the literal tables into the counts; true if every segment was kept.
  bool finish() {
    for (int b = 0; b < 256; ++b)
      freq_[b] += literal_[0][b] + literal_[1][b] + literal_[2][b] + literal_[3][b];
    freq_[kEndOfBlock] = 1;
    return complete_;
  }

 private:
  std::vector<Segment>& segments_;
  std::size_t segments_max_;
  std::array<std::uint32_t, kLiteralSymbols>& freq_;
  // Four tables for literals so that consecutive equal bytes do not wait on each other's
  // increments; summed by finish().
  std::array<std::array<std::uint32_t, 256>, 4> literal_{};
  std::size_t span_start_ = 0;
  bool complete_ = true;
};

// Scans `data` once, telling `sink` which bytes are literals (literals(), literal_block(),
// in order) and where each run ends (segment()). Segments are short on our renders (about
// 30 literals and a 30-byte run), so the cost is in deciding where they end: the SSE2 loop
// finds a run's start and, usually, its end from one 32-byte comparison, and hands over
// literals 16 at a time without a branch per byte. The scalar loop after it (the whole data
// for Simd::kScalar) finds the same runs byte by byte.
template <typename Sink>
void scan(std::span<const std::uint8_t> data, Simd simd, Sink& sink) {
  const std::uint8_t* d = data.data();
  const std::size_t size = data.size();
  if (size == 0) return;
  sink.literals(d, 1);  // The first byte has none before it to repeat.
  std::size_t p = 1;    // Bytes before p are handed over.
#if defined(__SSE2__)
  if (simd == Simd::kAuto) {
    auto load = [](const std::uint8_t* q) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    };
    while (p + 32 <= size) {
      // Bit k: d[p + k] == d[p + k - 1], k in 0..31; a run starts where kRunMin bits in a row
      // are set, so starts at k in 0..15 are decided.
      const std::uint32_t lo = static_cast<std::uint32_t>(
          _mm_movemask_epi8(_mm_cmpeq_epi8(load(d + p), load(d + p - 1))));
      const std::uint32_t hi = static_cast<std::uint32_t>(
          _mm_movemask_epi8(_mm_cmpeq_epi8(load(d + p + 16), load(d + p + 15))));
      const std::uint32_t equal = lo | hi << 16;
      std::uint32_t starts = equal;
      for (int j = 1; j < kRunMin; ++j) starts &= equal >> j;
      starts &= 0xffffu;
      if (starts == 0) {
        sink.literal_block(d + p, 0xffffu);
        p += 16;
        continue;
      }
      const unsigned k = static_cast<unsigned>(std::countr_zero(starts));
      sink.literal_block(d + p, (1u << k) - 1);
      // The run ends at the first byte after it that differs from its predecessor; bits above
      // 31 are set so that a run reaching the window's end is seen as such.
      const std::uint64_t differs = (~std::uint64_t{equal}) >> k;
      const unsigned end = k + static_cast<unsigned>(std::countr_zero(differs));
      const std::size_t run_end = end < 32 ? p + end : p + 32 + run_length(d, p + 32, size, simd);
      sink.segment(p + k, run_end);
      p = run_end;
    }
  }
#endif
  while (p < size) {
    const std::size_t run = find_run(d, p, size, Simd::kScalar);
    sink.literals(d + p, run - p);
    if (run == size) break;
    p = run + run_length(d, run, size, Simd::kScalar);
    sink.segment(run, p);
  }
  sink.segment(size, size);
}

// Writes the segments with a fixed code: literal codes packed as code | length << 16, and for
// each match length the whole length code, extra bits and distance code as one bit string.
struct Emitter {
  std::array<std::uint32_t, 256> literal;
  std::array<std::uint32_t, kMatchMax + 1> match_bits;
  std::array<std::uint8_t, kMatchMax + 1> match_count;

  void literals(BitWriter& writer, const std::uint8_t* p, std::size_t n) const {
    std::size_t i = 0;
    // Four codes of at most kCodeBitsMax (14) bits fit the 56 bits free after a flush; they
    // are joined first so that only one shift and OR per four depends on the writer.
    for (; i + 4 <= n; i += 4) {
      const std::uint32_t a = literal[p[i]], b = literal[p[i + 1]], c = literal[p[i + 2]],
                          d = literal[p[i + 3]];
      const std::uint64_t ab = (a & 0xffff) | std::uint64_t{b & 0xffff} << (a >> 16);
      const std::uint64_t cd = (c & 0xffff) | std::uint64_t{d & 0xffff} << (c >> 16);
      const unsigned ab_count = (a >> 16) + (b >> 16);
      writer.put(ab | cd << ab_count, ab_count + (c >> 16) + (d >> 16));
      writer.flush();
    }
    for (; i < n; ++i) {
      writer.put(literal[p[i]] & 0xffff, literal[p[i]] >> 16);
      writer.flush();
    }
  }
  void run(BitWriter& writer, std::size_t length) const {
    for_each_match(length, [&](int piece) {
      writer.put(match_bits[piece], match_count[piece]);
      writer.flush();
    });
  }
};

// --- Block header --------------------------------------------------------------------------

// A code with a single used symbol is not a valid prefix code for every inflater (zlib rejects
// an incomplete code-length code): give a second symbol the other one-bit code.
void complete_single_code(std::span<std::uint8_t> lengths) {
  int used = 0;
  for (std::uint8_t l : lengths) used += l != 0;
  if (used != 1) return;
  lengths[lengths[0] == 0 ? 0 : 1] = 1;
}

struct CodeLengthToken {
  std::uint8_t symbol, extra;
};

// Run-length codes `lengths` with the code-length alphabet: 0..15 as is, 16 repeats the
// previous length 3..6 times, 17 and 18 repeat zero 3..10 and 11..138 times.
std::vector<CodeLengthToken> code_length_tokens(std::span<const std::uint8_t> lengths) {
  std::vector<CodeLengthToken> out;
  for (std::size_t i = 0; i < lengths.size();) {
    const std::uint8_t value = lengths[i];
    std::size_t run = 1;
    while (i + run < lengths.size() && lengths[i + run] == value) ++run;
    i += run;
    if (value == 0) {
      for (; run >= 11; run -= std::min<std::size_t>(run, 138)) {
        out.push_back({18, static_cast<std::uint8_t>(std::min<std::size_t>(run, 138) - 11)});
      }
      if (run >= 3) out.push_back({17, static_cast<std::uint8_t>(run - 3)}), run = 0;
    } else {
      out.push_back({value, 0}), --run;
      for (; run >= 3; run -= std::min<std::size_t>(run, 6)) {
        out.push_back({16, static_cast<std::uint8_t>(std::min<std::size_t>(run, 6) - 3)});
      }
    }
    for (; run > 0; --run) out.push_back({value, 0});
  }
  return out;
}

// Writes the dynamic block header: BFINAL, BTYPE, the code-length code and, with it, the
// literal/length and distance code lengths.
void write_header(BitWriter& writer, std::span<const std::uint8_t> literal_lengths,
                  std::span<const std::uint8_t> distance_lengths) {
  std::size_t hlit = literal_lengths.size();
  while (hlit > 257 && literal_lengths[hlit - 1] == 0) --hlit;
  std::vector<std::uint8_t> all(literal_lengths.begin(),
                                literal_lengths.begin() + static_cast<std::ptrdiff_t>(hlit));
  all.insert(all.end(), distance_lengths.begin(), distance_lengths.end());
  const std::vector<CodeLengthToken> tokens = code_length_tokens(all);
  std::array<std::uint32_t, 19> freq{};
  for (const CodeLengthToken& t : tokens) ++freq[t.symbol];
  std::array<std::uint8_t, 19> lengths{};
  huffman_lengths(freq, kCodeLengthBitsMax, lengths);
  complete_single_code(lengths);
  std::array<std::uint16_t, 19> codes{};
  canonical_codes(lengths, codes);
  std::size_t hclen = 19;
  while (hclen > 4 && lengths[kCodeLengthOrder[hclen - 1]] == 0) --hclen;

  writer.put(1, 1);  // BFINAL: the only block.
  writer.put(2, 2);  // BTYPE 10: dynamic Huffman codes.
  writer.put(hlit - 257, 5);
  writer.put(distance_lengths.size() - 1, 5);
  writer.put(hclen - 4, 4);
  writer.flush();
  for (std::size_t i = 0; i < hclen; ++i) {
    writer.put(lengths[kCodeLengthOrder[i]], 3);
    writer.flush();
  }
  constexpr std::array<std::uint8_t, 19> kExtraBits = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                       0, 0, 0, 0, 0, 0, 2, 3, 7};
  for (const CodeLengthToken& t : tokens) {
    writer.put(codes[t.symbol], lengths[t.symbol]);
    writer.put(t.extra, kExtraBits[t.symbol]);
    writer.flush();
  }
}

void put_be32(std::uint8_t* out, std::uint32_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 24);
  out[1] = static_cast<std::uint8_t>(value >> 16);
  out[2] = static_cast<std::uint8_t>(value >> 8);
  out[3] = static_cast<std::uint8_t>(value);
}

// The code for one image: lengths and codes of the literal/length alphabet, and the emitter
// tables built from them.
struct Coder {
  std::array<std::uint8_t, kLiteralSymbols> lengths{};
  std::array<std::uint16_t, kLiteralSymbols> codes{};
  Emitter emitter{};
};

Coder make_coder(const std::array<std::uint32_t, kLiteralSymbols>& freq) {
  Coder coder;
  huffman_lengths(freq, kCodeBitsMax, coder.lengths);
  complete_single_code(coder.lengths);
  canonical_codes(coder.lengths, coder.codes);
  for (int b = 0; b < 256; ++b)
    coder.emitter.literal[b] = coder.codes[b] | std::uint32_t{coder.lengths[b]} << 16;
  for (int length = kMatchMin; length <= kMatchMax; ++length) {
    const LengthSymbol s = kLengthSymbols[length];
    // Length code, then its extra bits, then distance code 0 (the one-bit code "0").
    coder.emitter.match_bits[length] = coder.codes[s.symbol] | std::uint32_t(length - s.base)
                                                                   << coder.lengths[s.symbol];
    coder.emitter.match_count[length] =
        static_cast<std::uint8_t>(coder.lengths[s.symbol] + s.extra_bits + 1);
  }
  return coder;
}

// Sizes `out` for the worst case and writes the zlib header and the block header.
BitWriter start_stream(std::size_t raw_size, const Coder& coder, std::vector<std::uint8_t>& out) {
  // Only distance 1 (code 0) is used; codes 0 and 1 of one bit each make a complete code,
  // which every inflater accepts (a lone one-bit code is allowed by RFC 1951 but not by all).
  const std::array<std::uint8_t, 2> distance_lengths = {1, 1};
  // Bound: an optimal code spends at most 9 bits per symbol (a flat code over 286 symbols
  // would), a match at most 14 + 5 + 1 bits for 3+ bytes; plus header (under 400 bytes),
  // trailer and the writer's 8 bytes of slack.
  out.resize(2 + raw_size + raw_size / 8 + 1024 + 4 + 8);
  out[0] = 0x78, out[1] = 0x01;  // zlib: deflate, 32 KiB window, "fastest" level hint.
  BitWriter writer(out.data() + 2);
  write_header(writer, coder.lengths, distance_lengths);
  return writer;
}

// End of block, padding, Adler-32; trims `out` to the stream.
void end_stream(BitWriter writer, const Coder& coder, std::span<const std::uint8_t> raw,
                std::vector<std::uint8_t>& out) {
  writer.put(coder.codes[kEndOfBlock], coder.lengths[kEndOfBlock]);
  std::uint8_t* end = writer.finish();
  put_be32(end, libdeflate_adler32(1, raw.data(), raw.size()));
  end += 4;
  assert(end + 8 <= out.data() + out.size());
  out.resize(static_cast<std::size_t>(end - out.data()));
}

// The second pass when the first did not keep every segment: finds the runs again, byte by
// byte (the same runs as scan(); only adversarial images get here, so speed does not matter).
// A whole stream of its own and not inlined: a second emitting loop inside deflate_png_rows
// made GCC compile the kept-segments loop ~15 % slower.
[[gnu::noinline]] void deflate_rescanning(std::span<const std::uint8_t> raw, const Coder& coder,
                                          std::vector<std::uint8_t>& out) {
  BitWriter writer = start_stream(raw.size(), coder, out);
  const std::uint8_t* d = raw.data();
  for (std::size_t p = 0; p < raw.size();) {
    const std::size_t run = find_run(d, p, raw.size(), Simd::kScalar);
    coder.emitter.literals(writer, d + p, run - p);
    if (run == raw.size()) break;
    const std::size_t length = run_length(d, run, raw.size(), Simd::kScalar);
    coder.emitter.run(writer, length);
    p = run + length;
  }
  end_stream(writer, coder, raw, out);
}

}  // namespace

void deflate_png_rows(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out, Simd simd,
                      std::size_t segments_max) {
  assert(raw.size() <= 0xffffffffu);  // Segment counts are 32-bit; limits.h keeps images far below.
  thread_local std::vector<Segment> segments;
  std::array<std::uint32_t, kLiteralSymbols> freq{};
  Counter counter(segments, segments_max, freq);
  scan(raw, simd, counter);
  const bool all_segments = counter.finish();
  const Coder coder = make_coder(freq);
  if (!all_segments) {
    deflate_rescanning(raw, coder, out);
  } else {
    BitWriter writer = start_stream(raw.size(), coder, out);
    const std::uint8_t* p = raw.data();
    for (const Segment& segment : segments) {
      coder.emitter.literals(writer, p, segment.literals);
      coder.emitter.run(writer, segment.run);
      p += segment.literals + segment.run;
    }
    end_stream(writer, coder, raw, out);
  }
  if (segments.capacity() * sizeof(Segment) > internal::kSpareBytesMax)
    std::vector<Segment>().swap(segments);
}

}  // namespace atelier::render::codec_internal
