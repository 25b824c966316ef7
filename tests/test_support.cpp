#include "test_support.h"

#include <png.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <sys/stat.h>

namespace rife_test {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

bool is_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string fixture(const std::string& name) { return env_or("RIFE_FIXTURES", "fixtures") + "/" + name; }
std::string testdata(const std::string& name) { return env_or("RIFE_TESTDATA", "../shared/testdata") + "/" + name; }
std::string real_model_path() { return env_or("RIFE_MODEL_PATH", RIFE_DEFAULT_MODEL_PATH); }

void require_real_weights_or_exit(const char* program) {
  const std::string path = real_model_path();
  if (is_file(path)) return;
  std::fprintf(stderr,
               "\n**********************************************************************\n"
               "%s: NOT RUN: the real RIFE 4.6 weights are missing (%s).\n"
               "models/get_weights.py (run by ./setup.sh) says why they could not be\n"
               "obtained; provide them (see README, 'Weights') and run the tests again.\n"
               "**********************************************************************\n\n",
               program, path.c_str());
  std::exit(77);
}

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

}  // namespace rife_test
