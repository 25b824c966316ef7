// rife-quality: what each flow scale and ensemble gives, and costs, on real pictures with their true
// middle frame. For every dataset x scale x ensemble it prints the mean PSNR and SSIM of RIFE's
// middle frame against the truth (and of the 50/50 blend) and the mean time of one pair's
// interpolation; --json writes every number, per triplet too. bench/quality_sweep.sh prepares the
// datasets (the shared ones, the car-turn clip as triplets, rescaled copies) and runs it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "image_io.h"
#include "install_location.h"
#include "rife_engine.h"

namespace {

using rife_io::Image;
using Clock = std::chrono::steady_clock;

const char* kUsage = R"(rife-quality: PSNR, SSIM and time per pair of each flow scale and ensemble on real triplets

  rife-quality [options] NAME=DIR [NAME=DIR ...]
    DIR holds one folder per triplet with frame10.png, frame11.png and the true middle frame
    frame10i11.png (the Middlebury layout)
  --model PATH     weights (default: the element's default, the real RIFE 4.25/4.26 checkpoint)
  --device DEV     auto, cpu, cuda or cuda:N (default cpu)
  --precision P    fp32, fp16 or bf16 (default: the device's)
  --scale S        flow scale 0.25, 0.5, 1, 2, 4, or 0 = auto (repeatable; default 1)
  --ensemble E     none, time or time+flip (repeatable; default none)
  --every N        use every Nth triplet of each dataset (default 1)
  --json FILE      write every number
)";

struct Dataset {
  std::string name;
  std::vector<rife_io::Triplet> triplets;
};

struct Row {
  std::string dataset, ensemble, size;
  double scale = 0, resolved_scale = 0;
  std::vector<std::string> names;
  std::vector<double> psnr, ssim, ms, blend_psnr, blend_ssim;
};

Dataset load(const std::string& spec, int every) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos) throw std::invalid_argument("dataset " + spec + " is not NAME=DIR");
  return {spec.substr(0, eq), rife_io::load_triplets(spec.substr(eq + 1), every)};
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / double(v.size());
}

// Each triplet's middle frame in one ensemble mode; the first pair of each size is run once untimed
// (the CPU's first convolution at a new size prepares its kernels).
Row measure(rife::Engine& engine, const Dataset& ds, rife::Ensemble ensemble, double scale) {
  Row row;
  row.dataset = ds.name;
  row.ensemble = rife::to_string(ensemble);
  row.scale = scale;
  int w = 0, h = 0;
  for (const auto& t : ds.triplets) {
    const size_t stride = size_t(t.first.width) * 3;
    Image out = t.first;
    if (t.first.width != w || t.first.height != h) {
      w = t.first.width, h = t.first.height;
      engine.configure({w, h, rife::PixelFormat::RGB});
      engine.interpolate(engine.prepare(t.first.rgb.data(), stride), engine.prepare(t.second.rgb.data(), stride),
                         {0.5f}, {rife::OutputPlanes{{out.rgb.data()}, {stride}}}, ensemble);
    }
    auto a = engine.prepare(t.first.rgb.data(), stride), b = engine.prepare(t.second.rgb.data(), stride);
    const auto start = Clock::now();
    engine.interpolate(a, b, {0.5f}, {rife::OutputPlanes{{out.rgb.data()}, {stride}}}, ensemble);
    row.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    const Image blend = rife_io::blend(t.first, t.second);
    row.names.push_back(t.name);
    row.psnr.push_back(rife_io::psnr(out.rgb, t.middle.rgb));
    row.ssim.push_back(rife_io::ssim(out, t.middle));
    row.blend_psnr.push_back(rife_io::psnr(blend.rgb, t.middle.rgb));
    row.blend_ssim.push_back(rife_io::ssim(blend, t.middle));
  }
  row.resolved_scale = engine.scale();
  row.size = std::to_string(ds.triplets.front().first.width) + "x" + std::to_string(ds.triplets.front().first.height);
  return row;
}

std::string json_array(const std::vector<double>& v) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  return s.str() + "]";
}

void write_json(const std::string& path, const std::string& model, const std::string& device,
                const std::vector<Row>& rows) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot write");
  f << "{\n  \"tool\": \"rife-quality\",\n  \"model\": \"" << model << "\",\n  \"device\": \"" << device
    << "\",\n  \"rows\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    f << "    {\"dataset\": \"" << r.dataset << "\", \"size\": \"" << r.size << "\", \"scale\": " << r.scale
      << ", \"resolved_scale\": " << r.resolved_scale << ", \"ensemble\": \"" << r.ensemble
      << "\", \"mean_psnr\": " << mean(r.psnr) << ", \"mean_ssim\": " << mean(r.ssim)
      << ", \"mean_ms_per_pair\": " << mean(r.ms) << ", \"blend_psnr\": " << mean(r.blend_psnr)
      << ", \"blend_ssim\": " << mean(r.blend_ssim) << ", \"psnr\": " << json_array(r.psnr)
      << ", \"ssim\": " << json_array(r.ssim) << ", \"ms\": " << json_array(r.ms) << "}"
      << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  f << "  ]\n}\n";
}

int run(int argc, char** argv) {
  std::string model = std::getenv("RIFE_MODEL_PATH") ? std::getenv("RIFE_MODEL_PATH") : rife::default_model_location();
  std::string device = "cpu", json, precision = "auto";
  std::vector<double> scales;
  std::vector<rife::Ensemble> ensembles;
  std::vector<std::string> specs;
  int every = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--model") {
      model = value();
    } else if (a == "--device") {
      device = value();
    } else if (a == "--precision") {
      precision = value();
    } else if (a == "--scale") {
      scales.push_back(std::atof(value().c_str()));
    } else if (a == "--ensemble") {
      ensembles.push_back(rife::parse_ensemble(value()));
    } else if (a == "--every") {
      every = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--json") {
      json = value();
    } else if (a.rfind("--", 0) == 0) {
      throw std::invalid_argument("unknown option " + a);
    } else {
      specs.push_back(a);
    }
  }
  if (specs.empty()) throw std::invalid_argument("no dataset given");
  if (scales.empty()) scales = {1.0};
  if (ensembles.empty()) ensembles = {rife::Ensemble::None};
  std::vector<Dataset> datasets;
  for (const auto& s : specs) datasets.push_back(load(s, every));
  std::vector<Row> rows;
  std::printf("%-16s %-10s %6s %-10s %9s %9s %9s %10s %10s\n", "dataset", "size", "scale", "ensemble", "PSNR",
              "SSIM", "ms/pair", "blend dB", "blend SSIM");
  for (double scale : scales) {
    rife::EngineOptions options;
    options.model_path = model;
    options.device = device;
    options.precision = rife::parse_precision(precision);
    options.scale = scale;
    rife::Engine engine(options);
    for (const auto& ds : datasets)
      for (auto ensemble : ensembles) {
        rows.push_back(measure(engine, ds, ensemble, scale));
        const Row& r = rows.back();
        std::printf("%-16s %-10s %6.2f %-10s %9.3f %9.4f %9.1f %10.3f %10.4f\n", r.dataset.c_str(), r.size.c_str(),
                    r.resolved_scale, r.ensemble.c_str(), mean(r.psnr), mean(r.ssim), mean(r.ms), mean(r.blend_psnr),
                    mean(r.blend_ssim));
        std::fflush(stdout);
      }
  }
  if (!json.empty()) write_json(json, model, device, rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "rife-quality: %s\n\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rife-quality: %s\n", e.what());
    return 1;
  }
}
