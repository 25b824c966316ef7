// The engine as the rest of the project sees it: frames in as bytes, interpolated frames out as
// bytes. No torch or GStreamer type appears here, so the element (gst-plugin/) builds without
// torch headers; everything tensor-shaped lives behind Engine's private implementation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace rife {

// Every failure the engine reports (bad weights file, bad option, unsupported size...) is a
// rife::Error whose message names the file, key, shape or value at fault.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Precision { Auto, FP32, FP16, BF16 };

// Packed 8-bit layouts, named as GStreamer names them ("x" = ignored byte, "A" = alpha).
enum class PixelFormat { RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR };

struct EngineOptions {
  std::string model_path;                 // torch.save archive of a RIFE state dict
  std::string model_version = "auto";     // "auto" (from the keys and shapes), "4.6", "4.25", "4.26", "4.25-lite"
  std::string device = "auto";            // "auto" (cuda:0 if usable, else cpu), "cpu", "cuda", "cuda:N"
  Precision precision = Precision::Auto;  // Auto: FP32 on the CPU, FP16 on CUDA
  double scale = 0.0;                     // flow scale: 1.0, 0.5 (4K) or 0.25; 0 = auto by frame size
  bool cache_features = true;             // 4.25+: encode each frame once in prepare() (false: per pair, for tests)
};

struct FrameGeometry {
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::RGB;
};

// One input frame as the engine keeps it: uploaded once, normalised, padded, in the model's
// dtype, with its per-frame features where the model has them (4.25+). Keep the handle of the previous frame to
// interpolate against the next one.
class PreparedFrame;
using FrameHandle = std::shared_ptr<const PreparedFrame>;

class Engine {
 public:
  // Loads and validates the weights and picks the device; throws rife::Error.
  explicit Engine(const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Sets the frame size and layout and (re)allocates the work buffers for it. Frames prepared
  // under an earlier geometry must not be mixed with frames prepared after the change.
  void configure(const FrameGeometry& geometry);
  const FrameGeometry& geometry() const;

  // Uploads one frame (rows of `stride` bytes) and prepares it for the model.
  FrameHandle prepare(const uint8_t* data, size_t stride);

  // Writes the frame at timestep t in [0, 1] between a (t = 0) and b (t = 1) into `out` in the
  // configured layout (alpha, where present, is written as 255).
  void interpolate(const FrameHandle& a, const FrameHandle& b, float t, uint8_t* out, size_t stride);

  std::string model_version() const;  // the architecture in use: "4.6", "4.25/4.26", "4.25-lite"
  std::string device_name() const;    // "cpu", "cuda:0"...
  Precision precision() const;        // the resolved precision, never Auto
  double scale() const;               // the flow scale in use (resolved from auto at configure())
  int padded_width() const;
  int padded_height() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

size_t bytes_per_pixel(PixelFormat format);
// The automatic flow scale: 0.5 above 2560x1440 (4K and up), 1.0 below, as RIFE's authors advise.
double auto_scale(int width, int height);
const char* to_string(Precision precision);
Precision parse_precision(const std::string& name);  // "auto", "fp32", "fp16", "bf16"

}  // namespace rife
