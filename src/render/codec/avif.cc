// avif.cc — AVIF through libavif: encoder (libaom, pinned), recipe in the XMP metadata item,
// extraction and decoding with avifDecoder.
//
// Fixed encoder settings, chosen for determinism first:
//   * AV1 encoder pinned to libaom rather than "auto": auto picks whichever encoder the local
//     libavif was built with (aom, rav1e, SVT), and each gives different bytes.
//   * maxThreads = 1, no tiling: the AV1 bitstream does not depend on the core count.
//   * kAvifSpeed (see below), 8-bit YUV 4:2:0 (chroma averaged), full range, BT.601 matrix
//     with sRGB primaries and transfer. 4:2:0 rather than 4:4:4: 4:2:0 is AV1's Main
//     profile, which every decoder (hardware ones included) supports, while 4:4:4 needs the
//     High profile; and at speed 8 libaom's 4:4:4 files were about twice the size (measured
//     on a 1024² gradient with lines: 471 KB vs 234 KB at quality 90).
//   * RGB<->YUV through libavif's built-in conversion (avoidLibYUV), in both directions:
//     libyuv rounds differently and is an optional build dependency of libavif, so using it
//     would let the build configuration change the pixels (decoded control images feed
//     renders, so decoding must be as reproducible as encoding).
//   * quality -> quantizer as libavif >= 1.0 maps its `quality` field:
//       quantizer = ((100 - quality) * 63 + 50) / 100   (quality 100 -> 0, lossless-ish;
//                                                         quality 90 -> 6, quality 1 -> 62)
//     used as both min and max quantizer, for colour and alpha alike, so a recipe's quality
//     means the same after a libavif upgrade.
#include <avif/avif.h>

#include <memory>

#include "render/codec/internal/formats.h"

namespace atelier::render::codec_internal {
namespace {

constexpr std::string_view kFormat = "AVIF";
// libaom's speed on libavif's 0 (slowest) .. 10 (fastest) scale. Measured single-threaded on
// a 1024² image at quality 90: speed 7 took ~3.8 s, 8 ~0.3-0.5 s, 9 ~0.2 s but with files
// twice the size of 8's (9 and 10 gave identical output). 8 keeps a 4096² encode to seconds.
constexpr int kAvifSpeed = 8;
constexpr avifCodecChoice kAvifEncoder = AVIF_CODEC_CHOICE_AOM;

struct AvifImageDeleter {
  void operator()(avifImage* image) const { avifImageDestroy(image); }
};
struct AvifEncoderDeleter {
  void operator()(avifEncoder* encoder) const { avifEncoderDestroy(encoder); }
};
struct AvifDecoderDeleter {
  void operator()(avifDecoder* decoder) const { avifDecoderDestroy(decoder); }
};
struct AvifRwData {
  avifRWData data = AVIF_DATA_EMPTY;
  AvifRwData() = default;
  ~AvifRwData() { avifRWDataFree(&data); }
  AvifRwData(const AvifRwData&) = delete;
  AvifRwData& operator=(const AvifRwData&) = delete;
};
using DecoderPtr = std::unique_ptr<avifDecoder, AvifDecoderDeleter>;

int quantizer_for_quality(int quality) {
  return ((100 - quality) * AVIF_QUANTIZER_WORST_QUALITY + 50) / 100;
}

Error avif_error(std::string_view what, avifResult result, const avifDiagnostics& diag) {
  return Error::internal("encode_failed", "libavif: " + std::string(what) + ": " +
                                              avifResultToString(result) + " " + diag.error);
}

// The image in YUV 4:2:0 with the recipe's XMP attached.
Result<std::unique_ptr<avifImage, AvifImageDeleter>> to_yuv(const Image& image,
                                                            std::string_view recipe) {
  std::unique_ptr<avifImage, AvifImageDeleter> yuv(
      avifImageCreate(static_cast<std::uint32_t>(image.width),
                      static_cast<std::uint32_t>(image.height), 8, AVIF_PIXEL_FORMAT_YUV420));
  if (!yuv) return fail(Error::internal("encode_failed", "libavif: out of memory"));
  yuv->colorPrimaries = AVIF_COLOR_PRIMARIES_BT709;
  yuv->transferCharacteristics = AVIF_TRANSFER_CHARACTERISTICS_SRGB;
  yuv->matrixCoefficients = AVIF_MATRIX_COEFFICIENTS_BT601;
  yuv->yuvRange = AVIF_RANGE_FULL;
  avifRGBImage rgb;
  avifRGBImageSetDefaults(&rgb, yuv.get());
  rgb.format = AVIF_RGB_FORMAT_RGBA;
  rgb.depth = 8;
  rgb.avoidLibYUV = AVIF_TRUE;
  rgb.chromaDownsampling = AVIF_CHROMA_DOWNSAMPLING_AVERAGE;
  rgb.ignoreAlpha = image.opaque() ? AVIF_TRUE : AVIF_FALSE;  // Opaque: no alpha plane.
  rgb.alphaPremultiplied = AVIF_FALSE;
  // libavif only reads the pixels; its struct has no const-qualified variant.
  rgb.pixels = const_cast<std::uint8_t*>(image.rgba.data());
  rgb.rowBytes = static_cast<std::uint32_t>(image.width) * 4;
  const avifResult converted = avifImageRGBToYUV(yuv.get(), &rgb);
  if (converted != AVIF_RESULT_OK) {
    return fail(Error::internal(
        "encode_failed", std::string("libavif: RGB to YUV: ") + avifResultToString(converted)));
  }
  if (!recipe.empty()) {
    const std::string packet = build_xmp_packet(recipe);
    avifImageSetMetadataXMP(yuv.get(), reinterpret_cast<const std::uint8_t*>(packet.data()),
                            packet.size());
  }
  return yuv;
}

// A decoder over `file` after avifDecoderParse: container parsed, metadata read, no pixels.
Result<DecoderPtr> parse(std::span<const std::uint8_t> file) {
  DecoderPtr decoder(avifDecoderCreate());
  if (!decoder) return fail(Error::internal("out_of_memory", "libavif: no decoder"));
  decoder->maxThreads = 1;
  decoder->ignoreExif = AVIF_TRUE;
  // Strictness is about spec conformance (e.g. a missing 'pixi' box from older writers), not
  // memory safety; control images come from many tools, so accept what libavif can read.
  decoder->strictFlags = AVIF_STRICT_DISABLED;
  avifResult result = avifDecoderSetIOMemory(decoder.get(), file.data(), file.size());
  if (result == AVIF_RESULT_OK) result = avifDecoderParse(decoder.get());
  if (result != AVIF_RESULT_OK) {
    return fail(corrupt_image(kFormat,
                              std::string(avifResultToString(result)) + " " + decoder->diag.error));
  }
  return decoder;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_avif(const Image& image, const EncodeOptions& options,
                                              std::string_view recipe) {
  if (avifCodecName(kAvifEncoder, AVIF_CODEC_FLAG_CAN_ENCODE) == nullptr) {
    return fail(Error::internal("encoder_unavailable", "libavif was built without libaom"));
  }
  Result<std::unique_ptr<avifImage, AvifImageDeleter>> yuv = to_yuv(image, recipe);
  if (!yuv) return fail(yuv.error());
  std::unique_ptr<avifEncoder, AvifEncoderDeleter> encoder(avifEncoderCreate());
  if (!encoder) return fail(Error::internal("encode_failed", "libavif: out of memory"));
  encoder->codecChoice = kAvifEncoder;
  encoder->maxThreads = 1;
  encoder->speed = kAvifSpeed;
  const int quantizer = quantizer_for_quality(options.quality);
  encoder->minQuantizer = encoder->maxQuantizer = quantizer;
  encoder->minQuantizerAlpha = encoder->maxQuantizerAlpha = quantizer;
  encoder->tileRowsLog2 = encoder->tileColsLog2 = 0;
  encoder->autoTiling = AVIF_FALSE;
  AvifRwData output;
  const avifResult result = avifEncoderWrite(encoder.get(), yuv->get(), &output.data);
  if (result != AVIF_RESULT_OK) return fail(avif_error("encode", result, encoder->diag));
  return std::vector<std::uint8_t>(output.data.data, output.data.data + output.data.size);
}

Result<std::string> extract_avif_recipe(std::span<const std::uint8_t> file) {
  Result<DecoderPtr> decoder = parse(file);
  if (!decoder) return fail(decoder.error());
  const avifRWData& xmp = (*decoder)->image->xmp;
  if (xmp.size == 0) return fail(no_recipe(kFormat));
  return parse_xmp_recipe(std::string_view(reinterpret_cast<const char*>(xmp.data), xmp.size),
                          kFormat);
}

Result<Image> decode_avif(std::span<const std::uint8_t> file, const DecodeLimits& limits,
                          DecodeInfo& info) {
  Result<DecoderPtr> decoder = parse(file);
  if (!decoder) return fail(decoder.error());
  avifDecoder* dec = decoder->get();
  ATELIER_TRY(check_decode_size(dec->image->width, dec->image->height, limits, kFormat));
  const std::uint32_t width = dec->image->width;
  const std::uint32_t height = dec->image->height;
  // The AV1 bitstream could declare a larger frame than the container's 'ispe' box that we
  // just checked; bound what the AV1 decoder may allocate to the accepted size. libavif hands
  // the limit to the codec when it (re)creates it, hence the reset.
  dec->imageSizeLimit = width * height;
  avifResult decoded = avifDecoderReset(dec);
  if (decoded == AVIF_RESULT_OK) decoded = avifDecoderNextImage(dec);
  if (decoded != AVIF_RESULT_OK) {
    return fail(
        corrupt_image(kFormat, std::string(avifResultToString(decoded)) + " " + dec->diag.error));
  }
  if (dec->image->width != width || dec->image->height != height) {
    return fail(corrupt_image(kFormat, "decoded size differs from the declared size"));
  }
  Image image;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.rgba.resize(std::size_t(width) * height * 4);
  avifRGBImage rgb;
  avifRGBImageSetDefaults(&rgb, dec->image);
  rgb.format = AVIF_RGB_FORMAT_RGBA;  // Alpha is 255 where the file has no alpha plane.
  rgb.depth = 8;
  rgb.avoidLibYUV = AVIF_TRUE;  // See the top: decoded pixels must not depend on the build.
  rgb.chromaUpsampling = AVIF_CHROMA_UPSAMPLING_BILINEAR;
  rgb.pixels = image.rgba.data();
  rgb.rowBytes = width * 4;
  const avifResult converted = avifImageYUVToRGB(dec->image, &rgb);
  if (converted != AVIF_RESULT_OK) {
    return fail(
        corrupt_image(kFormat, std::string("YUV to RGB: ") + avifResultToString(converted)));
  }
  const bool grey = dec->image->yuvFormat == AVIF_PIXEL_FORMAT_YUV400;
  info.channels = (grey ? 1 : 3) + (dec->alphaPresent ? 1 : 0);
  info.frames = dec->imageCount;
  return image;
}

}  // namespace atelier::render::codec_internal
