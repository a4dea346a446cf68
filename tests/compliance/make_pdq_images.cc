// make_pdq_images — writes the images of tests/compliance/data (see the README there): the
// pictures of test_images.h in the sizes, colour types and formats that take PDQ's different
// paths (below the minimum side, 64 x 64, windows of 1 to 4, the 512 resample, grey, palette,
// JPEG). Their expected hashes come from Meta's reference, run on these files.
//
//   build/tests/compliance/make_pdq_images tests/compliance/data
//   build/tests/compliance/make_pdq_images --crops tests/compliance/data /tmp/crops
//
// --crops writes the regions of crops.h of three of the images as files of their own
// (<image>.<region>.png, not committed) for the reference to hash.
#include <png.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

// After <cstddef> and <cstdio>: jpeglib.h uses size_t and FILE without including them.
#include <jpeglib.h>

#include "compliance/crops.h"
#include "render/codec.h"
#include "tests/compliance/test_images.h"

namespace {

using atelier::render::Image;
using atelier::render::ImageFormat;
namespace t = atelier::testing;

void write(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  std::printf("%s %zu bytes\n", path.c_str(), bytes.size());
}

void write_atelier(const std::filesystem::path& path, const Image& image, ImageFormat format,
                   int quality) {
  auto bytes = atelier::render::encode_image(image, {.format = format, .quality = quality}, "");
  if (!bytes) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), bytes.error().to_string().c_str());
    std::exit(1);
  }
  write(path, *bytes);
}

// A grey (colour type 0) or palette (colour type 3) PNG through libpng's simplified writer.
void write_png(const std::filesystem::path& path, const Image& image, bool palette) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = image.width;
  png.height = image.height;
  std::vector<std::uint8_t> pixels, colormap;
  if (palette) {
    // A 6 x 6 x 6 colour cube; each pixel its nearest entry.
    png.format = PNG_FORMAT_RGB_COLORMAP;
    png.colormap_entries = 216;
    for (int i = 0; i < 216; ++i) {
      for (int v : {i / 36, (i / 6) % 6, i % 6}) colormap.push_back(std::uint8_t(v * 51));
    }
    for (std::size_t i = 0; i < image.rgba.size(); i += 4) {
      const auto level = [&](int c) { return (image.rgba[i + c] + 25) / 51; };
      pixels.push_back(std::uint8_t(level(0) * 36 + level(1) * 6 + level(2)));
    }
  } else {
    png.format = PNG_FORMAT_GRAY;
    for (std::size_t i = 0; i < image.rgba.size(); i += 4) pixels.push_back(image.rgba[i]);
  }
  png_alloc_size_t size = 0;
  png_image_write_get_memory_size(png, size, 0, pixels.data(), 0,
                                  palette ? colormap.data() : nullptr);
  std::vector<std::uint8_t> out(size);
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, pixels.data(), 0,
                                 palette ? colormap.data() : nullptr)) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), png.message);
    std::exit(1);
  }
  out.resize(size);
  write(path, out);
}

// A one-component (greyscale) JPEG, which atelier's encoder never writes.
void write_grey_jpeg(const std::filesystem::path& path, const Image& image, int quality) {
  jpeg_compress_struct info;
  jpeg_error_mgr err;
  info.err = jpeg_std_error(&err);
  jpeg_create_compress(&info);
  unsigned char* mem = nullptr;
  unsigned long mem_size = 0;
  jpeg_mem_dest(&info, &mem, &mem_size);
  info.image_width = image.width;
  info.image_height = image.height;
  info.input_components = 1;
  info.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  std::vector<std::uint8_t> row(image.width);
  while (info.next_scanline < info.image_height) {
    for (int x = 0; x < image.width; ++x) {
      row[x] = image.rgba[(std::size_t(info.next_scanline) * image.width + x) * 4];
    }
    JSAMPROW p = row.data();
    jpeg_write_scanlines(&info, &p, 1);
  }
  jpeg_finish_compress(&info);
  write(path, std::vector<std::uint8_t>(mem, mem + mem_size));
  jpeg_destroy_compress(&info);
  std::free(mem);
}

// Nearly flat: a faint gradient, so PDQ's quality is low.
Image flat(int side) {
  Image image{side, side, std::vector<std::uint8_t>(std::size_t(side) * side * 4, 255)};
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      std::uint8_t* p = &image.rgba[(std::size_t(y) * side + x) * 4];
      p[0] = p[1] = p[2] = std::uint8_t(120 + (x + y) * 6 / side);
    }
  }
  return image;
}

// The crops of `name` (a PNG in `data`) as PNG files in `out`, grey if the image is.
void write_crops(const std::filesystem::path& data, const std::string& name,
                 const std::filesystem::path& out, bool grey) {
  std::ifstream in(data / name, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  const Image image = atelier::render::decode_image(bytes, {}).value();
  for (atelier::compliance::Region region : atelier::compliance::kRegions) {
    const atelier::compliance::Rect r =
        atelier::compliance::region_rect(region, image.width, image.height);
    const Image crop = t::remap(image, r.width, r.height, [&](int x, int y) {
      return std::pair{r.x + x, r.y + y};
    });
    const std::filesystem::path path =
        out / (name + "." + atelier::compliance::region_name(region) + ".png");
    if (grey) {
      write_png(path, crop, false);
    } else {
      write_atelier(path, crop, ImageFormat::kPng, 0);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--crops") {
    std::filesystem::create_directories(argv[3]);
    write_crops(argv[2], "art-1024.png", argv[3], false);
    write_crops(argv[2], "art-300x200.png", argv[3], false);
    write_crops(argv[2], "grey-257x129.png", argv[3], true);
    return 0;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s [--crops DATA] DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  const ImageFormat png = ImageFormat::kPng, jpeg = ImageFormat::kJpeg;
  write_atelier(dir / "art-512.png", t::make_art(1, 512, 512), png, 0);
  write_atelier(dir / "art-1024.png", t::make_art(2, 1024, 1024), png, 0);
  write_atelier(dir / "art-640x480.jpg", t::make_art(3, 640, 480), jpeg, 90);
  write_atelier(dir / "art-300x200.png", t::make_art(4, 300, 200), png, 0);
  write_atelier(dir / "art-64.png", t::make_art(5, 64, 64), png, 0);
  write_atelier(dir / "art-5x7.png", t::make_art(6, 5, 7), png, 0);
  write_atelier(dir / "art-4x9.png", t::make_art(7, 4, 9), png, 0);
  write_atelier(dir / "art-129x1000.png", t::make_art(8, 129, 1000), png, 0);
  write_atelier(dir / "art-2000x120.jpg", t::make_art(9, 2000, 120), jpeg, 85);
  write_atelier(dir / "art-1023x769.jpg", t::make_art(10, 1023, 769), jpeg, 92);
  write_atelier(dir / "art-33x65.png", t::make_art(11, 33, 65), png, 0);
  write_png(dir / "grey-257x129.png", t::to_grey(t::make_art(12, 257, 129)), false);
  write_grey_jpeg(dir / "grey-700x500.jpg", t::to_grey(t::make_art(13, 700, 500)), 90);
  write_png(dir / "palette-200x150.png", t::make_art(14, 200, 150), true);
  write_atelier(dir / "flat-96.png", flat(96), png, 0);
  return 0;
}
