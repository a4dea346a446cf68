// jpeg.cc — JPEG through libjpeg-turbo: encoder, recipe extraction (a marker walk), decoder.
//
// libjpeg reports errors by calling error_exit, which must not return; ours longjmps back to
// the setjmp in the small function that called the library. Those functions hold no C++
// objects with destructors (the longjmp would skip them); all state lives in a JpegEncoder /
// JpegDecoder owned by the caller, whose destructor releases libjpeg's memory. Nothing jumps
// past this file.
//
// Encoder settings (fixed, so output is deterministic): baseline (8-bit quantisation tables),
// Huffman tables optimised per image, 4:2:0 chroma subsampling, the accurate integer DCT
// (libjpeg-turbo's SIMD and C versions of it are bit-exact), JFIF APP0 header, no EXIF.
// JPEG has no alpha: a non-opaque image is composited over white first (rgb_over_white).
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "render/codec/internal/formats.h"

namespace atelier::render::codec_internal {
namespace {

constexpr std::string_view kFormat = "JPEG";
constexpr std::uint8_t kMarkerSos = 0xDA;
constexpr std::uint8_t kMarkerEoi = 0xD9;
constexpr std::uint8_t kMarkerSoi = 0xD8;
constexpr std::uint8_t kMarkerCom = 0xFE;

// A progressive JPEG may declare any number of scans, and each re-walks the whole coefficient
// buffer: a small file with thousands of scans takes minutes to decode (the "JPEG bomb" that
// libjpeg-turbo's djpeg -maxscans guards against). Real encoders write about 10.
constexpr int kJpegScansMax = 256;

struct JpegError {
  jpeg_error_mgr manager;  // First member: libjpeg hands us a pointer to it.
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error_exit(j_common_ptr info) {
  auto* error = reinterpret_cast<JpegError*>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

// Warnings are counted by libjpeg (num_warnings) and checked by the decoder; never printed.
void on_output_message(j_common_ptr) {}

void install_error_handler(JpegError& error, jpeg_error_mgr*& slot) {
  slot = jpeg_std_error(&error.manager);
  error.manager.error_exit = on_error_exit;
  error.manager.output_message = on_output_message;
  error.message[0] = '\0';
}

struct JpegEncoder {
  JpegError error;
  jpeg_compress_struct info;
  bool created = false;
  unsigned char* out = nullptr;  // malloc'ed by jpeg_mem_dest.
  unsigned long out_bytes = 0;

  JpegEncoder() { std::memset(&info, 0, sizeof info); }
  ~JpegEncoder() {
    if (created) jpeg_destroy_compress(&info);
    std::free(out);
  }
  JpegEncoder(const JpegEncoder&) = delete;
  JpegEncoder& operator=(const JpegEncoder&) = delete;
};

void configure(jpeg_compress_struct& info, int width, int height, int quality) {
  info.image_width = static_cast<JDIMENSION>(width);
  info.image_height = static_cast<JDIMENSION>(height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);  // YCbCr, JFIF header, Huffman coding, sequential.
  jpeg_set_quality(&info, quality, /*force_baseline=*/TRUE);
  info.optimize_coding = TRUE;
  info.dct_method = JDCT_ISLOW;
  info.comp_info[0].h_samp_factor = 2;  // 4:2:0: luma at full resolution,
  info.comp_info[0].v_samp_factor = 2;
  for (int c = 1; c < 3; ++c) {  // chroma at half in both directions.
    info.comp_info[c].h_samp_factor = 1;
    info.comp_info[c].v_samp_factor = 1;
  }
}

// Only trivially destructible locals between setjmp and the library calls (see the top).
bool run_encode(JpegEncoder& enc, const std::uint8_t* rgb, int width, int height, int quality,
                std::span<const std::uint8_t> comment) {
  install_error_handler(enc.error, enc.info.err);
  if (setjmp(enc.error.jump)) return false;
  jpeg_create_compress(&enc.info);
  enc.created = true;
  jpeg_mem_dest(&enc.info, &enc.out, &enc.out_bytes);
  configure(enc.info, width, height, quality);
  jpeg_start_compress(&enc.info, TRUE);
  if (!comment.empty()) {
    jpeg_write_marker(&enc.info, JPEG_COM, comment.data(), static_cast<unsigned>(comment.size()));
  }
  const std::size_t stride = std::size_t(width) * 3;
  while (enc.info.next_scanline < enc.info.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(rgb + enc.info.next_scanline * stride);
    jpeg_write_scanlines(&enc.info, &row, 1);
  }
  jpeg_finish_compress(&enc.info);
  return true;
}

// Called by libjpeg as input is consumed; aborts a decode with too many scans the same way
// on_error_exit does.
void on_progress(j_common_ptr info) {
  if (!info->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(info)->input_scan_number > kJpegScansMax) {
    auto* error = reinterpret_cast<JpegError*>(info->err);
    std::snprintf(error->message, sizeof error->message, "more than %d scans", kJpegScansMax);
    std::longjmp(error->jump, 1);
  }
}

struct JpegDecoder {
  JpegError error;
  jpeg_progress_mgr progress = {};
  jpeg_decompress_struct info;
  bool created = false;

  JpegDecoder() { std::memset(&info, 0, sizeof info); }
  ~JpegDecoder() {
    if (created) jpeg_destroy_decompress(&info);
  }
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;
};

bool run_read_header(JpegDecoder& dec, std::span<const std::uint8_t> file) {
  install_error_handler(dec.error, dec.info.err);
  if (setjmp(dec.error.jump)) return false;
  jpeg_create_decompress(&dec.info);
  dec.created = true;
  dec.progress.progress_monitor = on_progress;
  dec.info.progress = &dec.progress;
  jpeg_mem_src(&dec.info, file.data(), static_cast<unsigned long>(file.size()));
  return jpeg_read_header(&dec.info, TRUE) == JPEG_HEADER_OK;
}

bool run_read_pixels(JpegDecoder& dec, std::uint8_t* rgba) {
  if (setjmp(dec.error.jump)) return false;
  dec.info.out_color_space = JCS_EXT_RGBA;  // Grey and YCbCr convert; CMYK fails cleanly.
  // Decoded control images feed renders: pin the (default) accurate IDCT and smooth chroma
  // upsampling so the pixels cannot change with library defaults.
  dec.info.dct_method = JDCT_ISLOW;
  dec.info.do_fancy_upsampling = TRUE;
  jpeg_start_decompress(&dec.info);
  const std::size_t stride = std::size_t(dec.info.output_width) * 4;
  while (dec.info.output_scanline < dec.info.output_height) {
    JSAMPROW row = rgba + dec.info.output_scanline * stride;
    jpeg_read_scanlines(&dec.info, &row, 1);
  }
  jpeg_finish_decompress(&dec.info);
  return true;
}

std::uint32_t be16(const std::uint8_t* p) { return (std::uint32_t{p[0]} << 8) | p[1]; }

// The recipe from a COM segment payload, if the payload is ours.
std::optional<std::string> recipe_from_comment(std::span<const std::uint8_t> payload) {
  const std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  if (text.size() <= kRecipeKey.size() || text.substr(0, kRecipeKey.size()) != kRecipeKey ||
      text[kRecipeKey.size()] != '\0') {
    return std::nullopt;
  }
  return std::string(text.substr(kRecipeKey.size() + 1));
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_jpeg(const Image& image, const EncodeOptions& options,
                                              std::string_view recipe) {
  std::vector<std::uint8_t> comment;
  if (!recipe.empty()) {
    comment.assign(kRecipeKey.begin(), kRecipeKey.end());
    comment.push_back(0);
    comment.insert(comment.end(), recipe.begin(), recipe.end());
    if (comment.size() > kJpegCommentBytesMax) {
      return fail(Error::invalid("recipe_too_large",
                                 "recipe exceeds the " +
                                     std::to_string(kJpegCommentBytesMax - kRecipeKey.size() - 1) +
                                     " bytes a JPEG comment holds",
                                 "recipe"));
    }
  }
  const std::vector<std::uint8_t> rgb = rgb_over_white(image);
  JpegEncoder enc;
  if (!run_encode(enc, rgb.data(), image.width, image.height, options.quality, comment)) {
    return fail(Error::internal("encode_failed", std::string("libjpeg: ") + enc.error.message));
  }
  return std::vector<std::uint8_t>(enc.out, enc.out + enc.out_bytes);
}

Result<std::string> extract_jpeg_recipe(std::span<const std::uint8_t> file) {
  std::optional<std::string> recipe;
  std::size_t pos = 2;  // After SOI.
  while (true) {
    if (pos >= file.size() || file[pos] != 0xFF) {
      return fail(corrupt_image(kFormat, "expected a marker before the image data"));
    }
    while (pos < file.size() && file[pos] == 0xFF) ++pos;  // Fill bytes may precede a marker.
    if (pos >= file.size()) return fail(corrupt_image(kFormat, "truncated marker"));
    const std::uint8_t marker = file[pos++];
    if (marker == 0x00 || marker == kMarkerSoi) {
      return fail(corrupt_image(kFormat, "invalid marker in the header"));
    }
    if (marker == kMarkerEoi) break;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // No length field.
    if (file.size() - pos < 2) return fail(corrupt_image(kFormat, "truncated marker segment"));
    const std::size_t length = be16(file.data() + pos);
    if (length < 2 || length > file.size() - pos) {
      return fail(corrupt_image(kFormat, "marker segment runs past the end of the file"));
    }
    if (marker == kMarkerCom) {
      std::optional<std::string> text = recipe_from_comment(file.subspan(pos + 2, length - 2));
      if (text && recipe) return fail(corrupt_image(kFormat, "more than one recipe comment"));
      if (text) recipe = std::move(text);
    }
    if (marker == kMarkerSos) break;  // We write the recipe before the scan data.
    pos += length;
  }
  if (!recipe) return fail(no_recipe(kFormat));
  return std::move(*recipe);
}

Result<Image> decode_jpeg(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                          DecodeInfo& info) {
  JpegDecoder dec;
  if (!run_read_header(dec, file)) {
    return fail(corrupt_image(kFormat, dec.error.message[0] ? dec.error.message : "no image"));
  }
  ATELIER_TRY(check_decode_size(dec.info.image_width, dec.info.image_height, limits, kFormat));
  Image image;
  image.width = static_cast<int>(dec.info.image_width);
  image.height = static_cast<int>(dec.info.image_height);
  image.rgba.resize(std::size_t(image.width) * std::size_t(image.height) * 4);
  if (!run_read_pixels(dec, image.rgba.data())) {
    return fail(corrupt_image(kFormat, dec.error.message));
  }
  // libjpeg treats truncated or damaged entropy data as a warning and fills in grey; for us
  // that is a corrupt file.
  if (dec.info.err->num_warnings > 0) {
    return fail(corrupt_image(kFormat, "damaged or truncated image data"));
  }
  // CMYK and YCCK fail above (no conversion to RGBA): what decodes is grey or colour.
  info.channels = dec.info.jpeg_color_space == JCS_GRAYSCALE ? 1 : 3;
  info.frames = 1;
  return image;
}

}  // namespace atelier::render::codec_internal
