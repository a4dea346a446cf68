// png_read.cc — finding the recipe in a PNG (a bounds-checked chunk walk) and decoding pixels
// (libpng's simplified png_image API, which contains libpng's longjmp error handling itself and
// reports failure through its return value).
#include <png.h>
#include <zlib.h>

#include <cstring>
#include <optional>

#include "render/codec/internal/formats.h"

namespace atelier::render::codec_internal {
namespace {

constexpr std::string_view kFormat = "PNG";
constexpr std::size_t kSignatureBytes = 8;
constexpr std::size_t kChunkOverheadBytes = 12;  // length, type, CRC.
constexpr std::uint32_t kChunkBytesMax = 0x7fffffff;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

struct Chunk {
  std::string_view type;
  std::span<const std::uint8_t> data;
};

// Reads the chunk at `offset`, checking its bounds, type bytes and CRC. With `all_crcs` false
// only iTXt CRCs (where the recipe lives) are checked: recipe extraction for `verify` must
// still find the recipe in a file whose pixel data was tampered with, so that verify can say
// where the file differs from its re-render instead of only "corrupt".
Result<Chunk> read_chunk(std::span<const std::uint8_t> file, std::size_t offset, bool all_crcs) {
  if (file.size() - offset < kChunkOverheadBytes) {
    return fail(corrupt_image(kFormat, "truncated before IEND"));
  }
  const std::uint32_t length = be32(file.data() + offset);
  if (length > kChunkBytesMax || length > file.size() - offset - kChunkOverheadBytes) {
    return fail(corrupt_image(kFormat, "chunk length runs past the end of the file"));
  }
  const std::uint8_t* type = file.data() + offset + 4;
  for (int i = 0; i < 4; ++i) {
    const bool letter = (type[i] >= 'A' && type[i] <= 'Z') || (type[i] >= 'a' && type[i] <= 'z');
    if (!letter) return fail(corrupt_image(kFormat, "invalid chunk type"));
  }
  const std::span<const std::uint8_t> data = file.subspan(offset + 8, length);
  uLong crc = crc32_z(0L, type, 4);
  // crc32_z(crc, nullptr, 0) would return the initial value 0, not `crc`: skip empty data.
  if (!data.empty()) crc = crc32_z(crc, data.data(), data.size());
  Chunk chunk{std::string_view(reinterpret_cast<const char*>(type), 4), data};
  const bool check = all_crcs || chunk.type == "iTXt";
  if (check && static_cast<std::uint32_t>(crc) != be32(data.data() + data.size())) {
    return fail(corrupt_image(kFormat, "CRC mismatch in " + std::string(chunk.type) + " chunk"));
  }
  return chunk;
}

// The text of an iTXt chunk if its keyword is ours; nullopt for other keywords.
Result<std::optional<std::string>> recipe_from_itxt(std::span<const std::uint8_t> data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.size() <= kRecipeKey.size() || text.substr(0, kRecipeKey.size()) != kRecipeKey ||
      text[kRecipeKey.size()] != '\0') {
    return std::optional<std::string>();
  }
  std::string_view rest = text.substr(kRecipeKey.size() + 1);
  if (rest.size() < 2) return fail(corrupt_image(kFormat, "iTXt chunk truncated"));
  // We only write uncompressed text; a compressed one was rewritten by another tool.
  if (rest[0] != 0 || rest[1] != 0) {
    return fail(corrupt_image(kFormat, "compressed atelier:recipe iTXt is not supported"));
  }
  rest.remove_prefix(2);
  for (int field = 0; field < 2; ++field) {  // Language tag, then translated keyword.
    const std::size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) return fail(corrupt_image(kFormat, "iTXt truncated"));
    rest.remove_prefix(nul + 1);
  }
  return std::optional<std::string>(std::string(rest));
}

// Walks every chunk from IHDR to IEND, checking bounds and CRCs, and returns the recipe text
// if an atelier:recipe iTXt chunk is present. A missing IEND (a truncated file) is corrupt.
// `frames`, if not null, gets the frame count of an animated PNG's acTL chunk (else 1).
Result<std::optional<std::string>> scan_chunks(std::span<const std::uint8_t> file, bool all_crcs,
                                               std::int64_t* frames = nullptr) {
  std::optional<std::string> recipe;
  if (frames != nullptr) *frames = 1;
  std::size_t offset = kSignatureBytes;
  for (bool first = true;; first = false) {
    const Result<Chunk> chunk = read_chunk(file, offset, all_crcs);
    if (!chunk) return fail(chunk.error());
    if (first && chunk->type != "IHDR") return fail(corrupt_image(kFormat, "IHDR is not first"));
    if (chunk->type == "IEND") break;
    if (chunk->type == "acTL" && frames != nullptr) {
      if (chunk->data.size() != 8) return fail(corrupt_image(kFormat, "acTL chunk is not 8 bytes"));
      *frames = be32(chunk->data.data());
    }
    if (chunk->type == "iTXt") {
      Result<std::optional<std::string>> text = recipe_from_itxt(chunk->data);
      if (!text) return fail(text.error());
      if (*text && recipe) return fail(corrupt_image(kFormat, "more than one recipe chunk"));
      if (*text) recipe = std::move(**text);
    }
    offset += kChunkOverheadBytes + chunk->data.size();
  }
  return recipe;
}

// Owns libpng's simplified-API state; png_image_free is a no-op once libpng released it.
struct PngImage {
  png_image image;
  PngImage() {
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
  }
  ~PngImage() { png_image_free(&image); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;
};

}  // namespace

Result<std::string> extract_png_recipe(std::span<const std::uint8_t> file) {
  Result<std::optional<std::string>> recipe = scan_chunks(file, /*all_crcs=*/false);
  if (!recipe) return fail(recipe.error());
  if (!*recipe) return fail(no_recipe(kFormat));
  return std::move(**recipe);
}

Result<Image> decode_png(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                         DecodeInfo& info, PngReader reader) {
  // libpng's simplified reader stops after the image data, so it would accept a file cut
  // off before IEND, and it only warns about bad CRCs in ancillary chunks. Checking the chunk
  // structure first (cheap next to inflating) makes decode as strict as extract_recipe.
  std::int64_t frames = 1;
  ATELIER_TRY(scan_chunks(file, /*all_crcs=*/true, &frames));
  PngImage png;
  if (!png_image_begin_read_from_memory(&png.image, file.data(), file.size())) {
    return fail(corrupt_image(kFormat, png.image.message));
  }
  // The file's own format, read before we ask for RGBA below.
  const png_uint_32 stored = png.image.format;
  ATELIER_TRY(check_decode_size(png.image.width, png.image.height, limits, kFormat));
  Image image;
  image.width = static_cast<int>(png.image.width);
  image.height = static_cast<int>(png.image.height);
  image.rgba.resize(std::size_t(image.width) * std::size_t(image.height) * 4);
  png.image.format = PNG_FORMAT_RGBA;
  const bool fast = reader == PngReader::kAuto && decode_png_fast(file, image);
  // A null background keeps alpha; row_stride 0 means tightly packed rows.
  if (!fast && !png_image_finish_read(&png.image, nullptr, image.rgba.data(), 0, nullptr)) {
    return fail(corrupt_image(kFormat, png.image.message));
  }
  info.channels = ((stored & PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1) +
                  ((stored & PNG_FORMAT_FLAG_ALPHA) != 0 ? 1 : 0);
  info.frames = frames;
  return image;
}

}  // namespace atelier::render::codec_internal
