// rife-compare: one picture that shows what RIFE does with a pair of frames. Panels side by side,
// each labelled: input A, the 50/50 blend, RIFE's frame at t (0.5 by default), input B, and with
// --truth the real middle frame (the blend and RIFE labels then carry their PSNR against it).
// pipelines/compare.sh runs it.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine_images.h"
#include "image_io.h"
#include "install_location.h"
#include "label_font.h"
#include "rife_engine.h"

namespace {

using rife_io::Image;

const char* kUsage =
    "usage: rife-compare A.png B.png OUT.png [--truth MIDDLE.png] [--model FILE] [--device D] [--t T]\n"
    "  Writes OUT.png: input A | 50/50 blend | RIFE at t | input B [| truth], labelled.\n"
    "  --model  weights (default: the element's default, the real RIFE 4.25/4.26 checkpoint)\n"
    "  --device auto (default), cpu, cuda or cuda:N;  --t timestep in (0, 1), default 0.5\n";

struct Panel {
  std::string label;
  const Image* image;
};

Image interpolate(const std::string& model, const std::string& device, const Image& a, const Image& b, float t) {
  rife::EngineOptions options;
  options.model_path = model;
  options.device = device;
  rife::Engine engine(options);
  return rife_io::interpolate(engine, a, b, t);
}

Image compose(const std::vector<Panel>& panels) {
  const int w = panels[0].image->width, h = panels[0].image->height;
  const int scale = w >= 240 ? 2 : 1, band = rife_io::kGlyphHeight * scale + 4 * scale;
  Image out;
  out.width = w * int(panels.size());
  out.height = h + band;
  out.rgb.assign(size_t(out.width) * out.height * 3, 32);  // dark grey label band
  const uint8_t white[3] = {255, 255, 255};
  for (size_t i = 0; i < panels.size(); ++i) {
    const int x0 = int(i) * w;
    rife_io::draw_text(out, x0 + 2 * scale, 2 * scale, panels[i].label, scale, white);
    for (int y = 0; y < h; ++y)
      std::memcpy(&out.rgb[(size_t(y + band) * out.width + x0) * 3], &panels[i].image->rgb[size_t(y) * w * 3],
                  size_t(w) * 3);
  }
  return out;
}

std::string decibels(double db) {
  char s[32];
  std::snprintf(s, sizeof s, " %.2f dB", db);
  return s;
}

int run(int argc, char** argv) {
  std::vector<std::string> files;
  std::string truth_path, model = std::getenv("RIFE_MODEL_PATH") ? std::getenv("RIFE_MODEL_PATH") : "",
                          device = "auto";
  float t = 0.5f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--truth") {
      truth_path = value();
    } else if (a == "--model") {
      model = value();
    } else if (a == "--device") {
      device = value();
    } else if (a == "--t") {
      t = std::strtof(value().c_str(), nullptr);
    } else if (a.rfind("--", 0) == 0) {
      throw std::invalid_argument("unknown option " + a);
    } else {
      files.push_back(a);
    }
  }
  if (files.size() != 3) throw std::invalid_argument("expected A.png B.png OUT.png");
  if (!(t > 0.0f && t < 1.0f)) throw std::invalid_argument("--t must lie in (0, 1)");
  if (model.empty()) model = rife::default_model_location();
  const Image a = rife_io::load_png(files[0]), b = rife_io::load_png(files[1]);
  if (a.width != b.width || a.height != b.height)
    throw std::invalid_argument(files[0] + " and " + files[1] + " differ in size");
  const Image blend = rife_io::blend(a, b), rife = interpolate(model, device, a, b, t);
  char t_label[32];
  std::snprintf(t_label, sizeof t_label, "RIFE t=%.2f", double(t));
  std::vector<Panel> panels = {{"input A", &a}, {"blend 50/50", &blend}, {t_label, &rife}, {"input B", &b}};
  Image truth;
  if (!truth_path.empty()) {
    truth = rife_io::load_png(truth_path);
    if (truth.width != a.width || truth.height != a.height)
      throw std::invalid_argument(truth_path + " differs in size from the inputs");
    panels[1].label += decibels(rife_io::psnr(blend.rgb, truth.rgb));
    panels[2].label += decibels(rife_io::psnr(rife.rgb, truth.rgb));
    panels.push_back({"truth", &truth});
  }
  const Image out = compose(panels);
  rife_io::save_png(files[2], out);
  std::printf("rife-compare: wrote %s (%dx%d): %s\n", files[2].c_str(), out.width, out.height,
              truth_path.empty() ? "A | blend | RIFE | B" : "A | blend | RIFE | B | truth");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "rife-compare: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {  // rife::Error (weights), PNG errors: one line naming the file
    std::fprintf(stderr, "rife-compare: %s\n", e.what());
    return 1;
  }
}
