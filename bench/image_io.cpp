#include "image_io.h"

#include <png.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace rife_io {

Image load_png(const std::string& path) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path.c_str()))
    throw std::runtime_error(path + ": cannot read PNG: " + img.message);
  img.format = PNG_FORMAT_RGB;
  Image out;
  out.width = int(img.width);
  out.height = int(img.height);
  out.rgb.resize(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, out.rgb.data(), 0, nullptr))
    throw std::runtime_error(path + ": cannot decode PNG: " + img.message);
  return out;
}

void save_png(const std::string& path, const Image& image) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = png_uint_32(image.width);
  img.height = png_uint_32(image.height);
  img.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&img, path.c_str(), 0, image.rgb.data(), 0, nullptr))
    throw std::runtime_error(path + ": cannot write PNG: " + img.message);
}

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a.size() != b.size() || a.empty()) throw std::runtime_error("psnr: size mismatch");
  double se = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = double(a[i]) - double(b[i]);
    se += d * d;
  }
  if (se == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / (se / double(a.size())));
}

Image blend(const Image& a, const Image& b) {
  Image out = a;
  for (size_t i = 0; i < a.rgb.size(); ++i) out.rgb[i] = uint8_t((int(a.rgb[i]) + int(b.rgb[i]) + 1) / 2);
  return out;
}

std::vector<uint8_t> rgb_to_rgbx(const std::vector<uint8_t>& rgb) {
  std::vector<uint8_t> out(rgb.size() / 3 * 4, 255);
  for (size_t i = 0, j = 0; i < rgb.size(); i += 3, j += 4) {
    out[j] = rgb[i];
    out[j + 1] = rgb[i + 1];
    out[j + 2] = rgb[i + 2];
  }
  return out;
}

}  // namespace rife_io
