// webp.cc — WebP through libwebp: lossy encoder, recipe in an "XMP " chunk (libwebpmux, which
// wraps the bitstream in a VP8X container), extraction with libwebpdemux, decoding.
//
// Encoder settings are set field by field rather than from a preset so a libwebp upgrade that
// changes preset defaults cannot silently change our bytes; thread_level = 0 keeps encoding
// single-threaded. libwebp's SIMD and plain-C paths are bit-exact, so the output does not
// depend on the CPU.
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include <memory>

#include "render/codec/internal/formats.h"

namespace atelier::render::codec_internal {
namespace {

constexpr std::string_view kFormat = "WebP";
constexpr int kWebpMethod = 4;  // 0 fastest .. 6 best; 4 is libwebp's own default.

void configure(WebPConfig& config, int quality) {
  config.lossless = 0;
  config.quality = static_cast<float>(quality);
  config.method = kWebpMethod;
  config.image_hint = WEBP_HINT_DEFAULT;
  config.target_size = 0;
  config.target_PSNR = 0;
  config.segments = 4;
  config.sns_strength = 50;
  config.filter_strength = 60;
  config.filter_sharpness = 0;
  config.filter_type = 1;
  config.autofilter = 0;
  config.alpha_compression = 1;
  config.alpha_filtering = 1;
  config.alpha_quality = 100;
  config.pass = 1;
  config.show_compressed = 0;
  config.preprocessing = 0;
  config.partitions = 0;
  config.partition_limit = 0;
  config.emulate_jpeg_size = 0;
  config.thread_level = 0;
  config.low_memory = 0;
  config.near_lossless = 100;
  config.exact = 0;  // RGB under fully transparent pixels may change; alpha is kept.
  config.use_delta_palette = 0;
  config.use_sharp_yuv = 0;
  config.qmin = 0;
  config.qmax = 100;
}

struct PictureDeleter {
  void operator()(WebPPicture* picture) const { WebPPictureFree(picture); }
};
struct WriterDeleter {
  void operator()(WebPMemoryWriter* writer) const { WebPMemoryWriterClear(writer); }
};
struct MuxDeleter {
  void operator()(WebPMux* mux) const { WebPMuxDelete(mux); }
};
struct DemuxDeleter {
  void operator()(WebPDemuxer* demux) const { WebPDemuxDelete(demux); }
};
struct ChunkIteratorDeleter {
  void operator()(WebPChunkIterator* iter) const { WebPDemuxReleaseChunkIterator(iter); }
};

// The bare WebP bitstream (RIFF "WEBP" with VP8, or VP8X + ALPH + VP8 when there is alpha).
Result<void> encode_bitstream(const Image& image, int quality, WebPMemoryWriter& writer) {
  WebPConfig config;
  if (!WebPConfigInit(&config)) return fail(Error::internal("encode_failed", "libwebp: version"));
  configure(config, quality);
  if (!WebPValidateConfig(&config)) {
    return fail(Error::internal("encode_failed", "libwebp: invalid config"));
  }
  WebPPicture picture_storage;
  if (!WebPPictureInit(&picture_storage)) {
    return fail(Error::internal("encode_failed", "libwebp: version"));
  }
  std::unique_ptr<WebPPicture, PictureDeleter> picture(&picture_storage);
  picture->use_argb = 0;  // Lossy VP8 works in YUV; convert once on import.
  picture->width = image.width;
  picture->height = image.height;
  const int stride = image.width * 4;
  // RGBX ignores the fourth byte, so an opaque image carries no alpha plane.
  const int imported = image.opaque()
                           ? WebPPictureImportRGBX(picture.get(), image.rgba.data(), stride)
                           : WebPPictureImportRGBA(picture.get(), image.rgba.data(), stride);
  if (!imported) return fail(Error::internal("encode_failed", "libwebp: import failed"));
  picture->writer = WebPMemoryWrite;
  picture->custom_ptr = &writer;
  if (!WebPEncode(&config, picture.get())) {
    return fail(Error::internal("encode_failed",
                                "libwebp: encode error " + std::to_string(picture->error_code)));
  }
  return {};
}

// Rewraps `bitstream` in a VP8X container with the XMP packet as its "XMP " chunk.
Result<std::vector<std::uint8_t>> add_xmp(std::span<const std::uint8_t> bitstream,
                                          std::string_view recipe) {
  const std::string packet = build_xmp_packet(recipe);
  std::unique_ptr<WebPMux, MuxDeleter> mux(WebPMuxNew());
  if (!mux) return fail(Error::internal("encode_failed", "libwebpmux: out of memory"));
  const WebPData image_data{bitstream.data(), bitstream.size()};
  const WebPData xmp_data{reinterpret_cast<const std::uint8_t*>(packet.data()), packet.size()};
  WebPData assembled;
  WebPDataInit(&assembled);
  if (WebPMuxSetImage(mux.get(), &image_data, /*copy_data=*/0) != WEBP_MUX_OK ||
      WebPMuxSetChunk(mux.get(), "XMP ", &xmp_data, /*copy_data=*/0) != WEBP_MUX_OK ||
      WebPMuxAssemble(mux.get(), &assembled) != WEBP_MUX_OK) {
    WebPDataClear(&assembled);
    return fail(Error::internal("encode_failed", "libwebpmux: assembling the file failed"));
  }
  std::vector<std::uint8_t> out(assembled.bytes, assembled.bytes + assembled.size);
  WebPDataClear(&assembled);
  return out;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_webp(const Image& image, const EncodeOptions& options,
                                              std::string_view recipe) {
  if (image.width > WEBP_MAX_DIMENSION || image.height > WEBP_MAX_DIMENSION) {
    return fail(Error::invalid(
        "image_too_large",
        "WebP holds at most " + std::to_string(WEBP_MAX_DIMENSION) + " pixels per side", "image"));
  }
  WebPMemoryWriter writer_storage;
  WebPMemoryWriterInit(&writer_storage);
  std::unique_ptr<WebPMemoryWriter, WriterDeleter> writer(&writer_storage);
  ATELIER_TRY(encode_bitstream(image, options.quality, *writer));
  const std::span<const std::uint8_t> bitstream(writer->mem, writer->size);
  if (recipe.empty()) return std::vector<std::uint8_t>(bitstream.begin(), bitstream.end());
  return add_xmp(bitstream, recipe);
}

Result<std::string> extract_webp_recipe(std::span<const std::uint8_t> file) {
  const WebPData data{file.data(), file.size()};
  // WebPDemux (not the partial variant) validates the whole RIFF structure and fails on a
  // truncated file.
  std::unique_ptr<WebPDemuxer, DemuxDeleter> demux(WebPDemux(&data));
  if (!demux) return fail(corrupt_image(kFormat, "invalid RIFF/WebP structure"));
  WebPChunkIterator iter_storage;
  if (!WebPDemuxGetChunk(demux.get(), "XMP ", 1, &iter_storage)) {
    return fail(no_recipe(kFormat));
  }
  std::unique_ptr<WebPChunkIterator, ChunkIteratorDeleter> iter(&iter_storage);
  if (iter->num_chunks != 1) return fail(corrupt_image(kFormat, "more than one XMP chunk"));
  const std::string_view packet(reinterpret_cast<const char*>(iter->chunk.bytes), iter->chunk.size);
  return parse_xmp_recipe(packet, kFormat);
}

Result<Image> decode_webp(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                          DecodeInfo& info) {
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(file.data(), file.size(), &features) != VP8_STATUS_OK) {
    return fail(corrupt_image(kFormat, "invalid header"));
  }
  if (features.has_animation) {
    return fail(corrupt_image(kFormat, "animated WebP is not supported"));
  }
  ATELIER_TRY(check_decode_size(features.width, features.height, limits, kFormat));
  Image image;
  image.width = features.width;
  image.height = features.height;
  image.rgba.resize(std::size_t(image.width) * std::size_t(image.height) * 4);
  if (!WebPDecodeRGBAInto(file.data(), file.size(), image.rgba.data(), image.rgba.size(),
                          image.width * 4)) {
    return fail(corrupt_image(kFormat, "image data does not decode"));
  }
  info.channels = features.has_alpha ? 4 : 3;
  info.frames = 1;
  return image;
}

}  // namespace atelier::render::codec_internal
