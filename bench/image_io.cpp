#include "image_io.h"

#include <dirent.h>
#include <png.h>
#include <sys/stat.h>

#include <algorithm>
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

namespace {

std::vector<double> luma(const Image& im) {
  std::vector<double> y(size_t(im.width) * im.height);
  for (size_t i = 0; i < y.size(); ++i)
    y[i] = 0.299 * im.rgb[3 * i] + 0.587 * im.rgb[3 * i + 1] + 0.114 * im.rgb[3 * i + 2];
  return y;
}

// Summed-area table with a zero first row and column: box sums in four lookups.
std::vector<double> integral(const std::vector<double>& v, int w, int h) {
  std::vector<double> s(size_t(w + 1) * (h + 1), 0.0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      s[size_t(y + 1) * (w + 1) + x + 1] = v[size_t(y) * w + x] + s[size_t(y) * (w + 1) + x + 1] +
                                           s[size_t(y + 1) * (w + 1) + x] - s[size_t(y) * (w + 1) + x];
  return s;
}

}  // namespace

double ssim(const Image& a, const Image& b) {
  constexpr int kWin = 8;
  if (a.width != b.width || a.height != b.height || a.rgb.size() != b.rgb.size() || a.width < kWin ||
      a.height < kWin)
    throw std::runtime_error("ssim: pictures of different sizes or smaller than 8x8");
  const int w = a.width, h = a.height;
  const auto ya = luma(a), yb = luma(b);
  std::vector<double> aa(ya.size()), bb(ya.size()), ab(ya.size());
  for (size_t i = 0; i < ya.size(); ++i) aa[i] = ya[i] * ya[i], bb[i] = yb[i] * yb[i], ab[i] = ya[i] * yb[i];
  const auto sa = integral(ya, w, h), sb = integral(yb, w, h);
  const auto saa = integral(aa, w, h), sbb = integral(bb, w, h), sab = integral(ab, w, h);
  auto box = [w](const std::vector<double>& s, int x, int y) {
    const size_t r0 = size_t(y) * (w + 1), r1 = size_t(y + kWin) * (w + 1);
    return s[r1 + x + kWin] - s[r0 + x + kWin] - s[r1 + x] + s[r0 + x];
  };
  const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255), n = kWin * kWin;
  double sum = 0;
  for (int y = 0; y + kWin <= h; ++y)
    for (int x = 0; x + kWin <= w; ++x) {
      const double ma = box(sa, x, y) / n, mb = box(sb, x, y) / n;
      const double va = box(saa, x, y) / n - ma * ma, vb = box(sbb, x, y) / n - mb * mb;
      const double cov = box(sab, x, y) / n - ma * mb;
      sum += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
    }
  return sum / (double(w - kWin + 1) * double(h - kWin + 1));
}

Image blend(const Image& a, const Image& b) {
  Image out = a;
  for (size_t i = 0; i < a.rgb.size(); ++i) out.rgb[i] = uint8_t((int(a.rgb[i]) + int(b.rgb[i]) + 1) / 2);
  return out;
}

Triplet load_triplet(const std::string& dir, const std::string& name) {
  const std::string t = dir + "/" + name + "/";
  return {name, load_png(t + "frame10.png"), load_png(t + "frame10i11.png"), load_png(t + "frame11.png")};
}

std::vector<Triplet> load_triplets(const std::string& dir, int every) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) throw std::runtime_error(dir + ": cannot open the triplet folder");
  while (dirent* e = readdir(d)) {
    struct stat st {};
    if (e->d_name[0] != '.' && stat((dir + "/" + e->d_name + "/frame10.png").c_str(), &st) == 0)
      names.push_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<Triplet> triplets;
  for (size_t i = 0; i < names.size(); i += size_t(std::max(1, every))) triplets.push_back(load_triplet(dir, names[i]));
  if (triplets.empty()) throw std::runtime_error(dir + ": no triplets (folders with frame10.png) in it");
  return triplets;
}

}  // namespace rife_io
