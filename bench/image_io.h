// Image files and picture metrics shared by rife-bench and the tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rife_io {

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // packed RGB, rows of width * 3 bytes
};

Image load_png(const std::string& path);  // throws std::runtime_error naming the file
void save_png(const std::string& path, const Image& image);

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);  // 8-bit peak; inf when equal
// SSIM of two pictures of one size: BT.601 luma on the 0..255 scale, every 8x8 box window (stride
// 1), the constants of Wang et al. (K1 = 0.01, K2 = 0.03); the mean over the windows.
double ssim(const Image& a, const Image& b);
Image blend(const Image& a, const Image& b);                                // the 50/50 average, rounded

// Two pictures and their true middle frame, in the Middlebury layout: NAME/frame10.png,
// NAME/frame10i11.png (the truth at t = 0.5) and NAME/frame11.png.
struct Triplet {
  std::string name;
  Image first, middle, second;
};
Triplet load_triplet(const std::string& dir, const std::string& name);
// Every subfolder of `dir` holding a frame10.png, sorted by name, every `every`-th of them; throws
// std::runtime_error naming `dir` when it cannot be read or holds none.
std::vector<Triplet> load_triplets(const std::string& dir, int every = 1);

}  // namespace rife_io
