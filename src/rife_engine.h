// The engine as the rest of the project sees it: frames in as bytes, interpolated frames out as
// bytes. No torch or GStreamer type appears here, so the element (gst-plugin/) builds without
// torch headers; everything tensor-shaped lives behind Engine's private implementation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rife {

// Every failure the engine reports (bad weights file, bad option, unsupported size...) is a
// rife::Error whose message names the file, key, shape or value at fault, and whose kind says what
// the user has to change: the element words its error message by it.
enum class ErrorKind {
  General,      // anything else (a frame that cannot be processed, misuse of the API)
  Weights,      // the weights file: missing, unreadable, not RIFE, a forced version that does not match
  Device,       // the device: unknown name, no usable CUDA device, a build without CUDA
  Setting,      // an option value: flow scale, precision for the device
  Resource,     // memory for the work buffers or a batch
  Server,       // a server that answers but refuses: model missing, not ready, inputs that are not rife's
  Unavailable,  // a server that cannot be reached now (down, restarting, timed out): the stream goes on
};
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ErrorKind kind = ErrorKind::General)
      : std::runtime_error(message), kind_(kind) {}
  Error(ErrorKind kind, const std::string& message) : Error(message, kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

enum class Precision { Auto, FP32, FP16, BF16 };
// Which RIFE the weights are. Auto reads it from the state dict's keys and shapes; a forced version
// that does not match the file is an error naming both. 4.25 and 4.26 share one architecture.
enum class ModelVersion { Auto, V4_6, V4_25, V4_26, V4_25_Lite };
// Forward passes averaged for each interpolated frame. None: f(I0, I1, t), what the reference
// implementations compute. Time: also f(I1, I0, 1 - t), the pair in reverse. TimeFlip: also both
// of those on the horizontally mirrored pair (mirrored back): 1, 2 and 4 passes, run as one batch.
enum class Ensemble { None, Time, TimeFlip };
enum class Switch { Auto, Off, On };

// Pixel layouts, named as GStreamer names them. 8 bits: packed RGB ("x" = ignored byte, "A" = alpha,
// written as 255); YUV planar (I420, YV12: 4:2:0; Y42B: 4:2:2; Y444), semi-planar 4:2:0 (NV12, NV21)
// and packed 4:2:2 (YUY2, UYVY). 10, 12 and 16 bits, one sample per 16-bit little-endian word: planar
// YUV 4:2:0, 4:2:2, 4:4:4 (samples in the low bits), semi-planar 4:2:0 P010/P012/P016 (samples in
// the high bits, the low bits written as 0), packed 16-bit RGBA (alpha written as 65535). YUV is
// converted to RGB on the engine's device and back; samples reach the network at their full depth
// and interpolated frames are rounded to the format's own depth.
// clang-format off
enum class PixelFormat {
  RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR,
  I420, YV12, NV12, NV21, Y42B, Y444, YUY2, UYVY,
  I420_10LE, I420_12LE, I422_10LE, I422_12LE, Y444_10LE, Y444_12LE, Y444_16LE,
  P010_10LE, P012_LE, P016_LE,
  RGBA64_LE, BGRA64_LE, ARGB64_LE, ABGR64_LE
};
// clang-format on

// The YUV <-> RGB matrix (GStreamer's GstVideoColorMatrix). The transfer function (SDR gamma, PQ,
// HLG) is not the engine's concern: the network interpolates the coded values as they are.
enum class YuvMatrix { BT601, BT709, BT2020, SMPTE240M };

struct EngineOptions {
  std::string model_path;  // torch.save archive of a RIFE state dict
  ModelVersion model_version = ModelVersion::Auto;
  std::string device = "auto";            // "auto" (cuda:0 if usable, else cpu), "cpu", "cuda", "cuda:N"
  Precision precision = Precision::Auto;  // Auto: FP32 on the CPU, FP16 on CUDA
  // Flow scale: the resolution the flow pyramid works at. 0.25, 0.5, 1, 2 or 4 (the values
  // Practical-RIFE accepts: every level of the pyramid stays on whole pixels), 0 = auto_scale().
  double scale = 0.0;
  bool cache_features = true;  // 4.25+: encode each frame once in prepare() (false: per pair, for tests)

  // Speed switches of the GPU path, all on by default; each can be turned off alone (rife-bench
  // does, to show its own gain). They change nothing on the CPU except channels_last when forced.
  bool tf32 = true;                     // CUDA FP32: TF32 tensor cores for convolutions (process-wide cuDNN setting)
  bool cudnn_benchmark = true;          // CUDA: cuDNN times its algorithms once per shape (process-wide setting)
  Switch channels_last = Switch::Auto;  // NHWC weights and activations; Auto = on CUDA only
  bool fp32_warp = false;               // FP16/BF16: the warp (grid_sample) in FP32 (a known 4K artefact source)
  bool cuda_graphs = true;              // CUDA: capture the forward once per batch size and geometry, replay it
  bool pinned_staging = true;           // CUDA: host <-> device copies through pinned buffers made at configure()

  // Many streams, one model. Engines in one process whose model settings match (the same weights
  // file, version, device, precision and switches) share one loaded model and one inference worker,
  // which runs the queued work of several streams as one forward pass when their padded size and
  // flow scale match. false: a model and worker of this engine's own.
  bool share_model = true;
  // How long a batch may wait for other streams' work to join it, in microseconds: 0 batches only
  // what is already queued (a lone stream keeps its latency). Changeable with set_batch_wait_us().
  uint32_t batch_wait_us = 0;
  // The most work memory one forward pass may need, in bytes; a pair with more outputs than fit is
  // computed in several batches (same outputs, same order). 0: the device's default (CPU 512 MiB,
  // CUDA a quarter of the device's memory).
  size_t batch_memory = 0;

  // A server that computes instead (README, Serving): "grpc://host:port" or "grpcs://host:port"
  // (TLS), a Triton Inference Server with the project's model repository. Empty: this process. With
  // a server no model is loaded here and the weights file is not needed (model_path and the model
  // settings are the server's); frames go out once each, the server keeps the previous one.
  std::string server;
  std::string server_model = "rife";  // the model's name on the server
  uint32_t server_timeout_ms = 5000;  // the longest one request may take
  std::string server_ca_file;         // grpcs: the CA certificates to trust (PEM); empty: the system's
  std::string server_auth;            // sent as the "authorization" header (a gateway's token), if set
};

// The forward passes that computed an engine's interpolations: how full they were, and how many held
// other streams' work as well (cumulative since the engine was made).
struct BatchStats {
  uint64_t batches = 0;       // forward passes with this stream's interpolations
  uint64_t rows = 0;          // their rows in all (every stream's; a row = one timestep of one ensemble pass)
  uint64_t streams = 0;       // their streams in all
  uint64_t cross_stream = 0;  // those that held more than one stream's work
};

struct FrameGeometry {
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::RGB;
  YuvMatrix matrix = YuvMatrix::BT709;  // YUV formats only
  // YUV formats only: Y and UV in 0..2^depth-1, not 16..235 / 16..240 (x 2^(depth-8): 64..940/960 at 10 bits)
  bool full_range = false;
};

// One frame in host memory: a pointer and a row stride in bytes per plane (1 plane for packed
// formats, 2 for NV12/NV21/P01x, 3 for planar YUV), as GstVideoFrame gives them. Chroma planes of odd
// sizes round up.
struct InputPlanes {
  const uint8_t* data[3] = {nullptr, nullptr, nullptr};
  size_t stride[3] = {0, 0, 0};
};
struct OutputPlanes {
  uint8_t* data[3] = {nullptr, nullptr, nullptr};
  size_t stride[3] = {0, 0, 0};
};

// How two frames differ (Engine::compare).
struct PairDifference {
  // In [0, 1]: above kSceneCutThreshold a new shot (the motion-compensated thumbnail difference
  // times the colour histograms' distance, geometric mean: high only when neither a shift of the
  // picture's blocks nor its palette explains the second frame).
  float cut = 0;
  // The largest 16x16 block's mean absolute luma difference in 8-bit levels after forgiving each
  // pixel 4 levels of noise; at most kStillTolerance: the same picture (outputs are the input).
  float still = 0;
  float changed = 0;  // the share of the frame's 16x16 blocks above the tolerance, in [0, 1]
  bool is_still() const;
};
// The element's default scene-cut threshold: 604 pairs of one shot (car-turn 1-8 frames apart,
// Middlebury, pans of 10-25 % of the frame, a subject moved by a fifth of it) score at most 0.116,
// 155 pairs of different clips and pictures at least 0.200, at 640x360 and 1920x1080 alike.
constexpr float kSceneCutThreshold = 0.15f;
// Sensor and codec noise score at most 1.08 (a frame repeated through H.264, re-encoding at quantizer
// 28), a 16x16 patch of a real frame moved 4-16 pixels at least 2.92.
constexpr float kStillTolerance = 1.5f;
inline bool PairDifference::is_still() const { return still <= kStillTolerance; }

// One input frame as the engine keeps it: uploaded once, normalised, padded, in the model's
// dtype, with its per-frame features where the model has them (4.25+). Keep the handle of the previous frame to
// interpolate against the next one.
class PreparedFrame;
using FrameHandle = std::shared_ptr<const PreparedFrame>;
class StreamBackend;

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

  // Uploads one frame and prepares it for the model (YUV converted to RGB on the device).
  FrameHandle prepare(const InputPlanes& planes);
  FrameHandle prepare(const uint8_t* data, size_t stride);  // one-plane formats: rows of `stride` bytes

  // Writes the frames at timesteps ts[i] in [0, 1] between a (t = 0) and b (t = 1) into outs[i], in
  // the configured format (alpha, where present, is written as full: 255, or 65535 at 16 bits). All
  // timesteps of the pair run as one batched forward pass.
  // With an ensemble, the passes of every timestep run in the same batch and are averaged before
  // the result is rounded to the format's depth; a frame's mirror image (and its 4.25 features) is
  // made the first time a TimeFlip ensemble needs it and kept with the frame.
  void interpolate(const FrameHandle& a, const FrameHandle& b, const std::vector<float>& ts,
                   const std::vector<OutputPlanes>& outs, Ensemble ensemble = Ensemble::None);
  void interpolate(const FrameHandle& a, const FrameHandle& b, float t, uint8_t* out, size_t stride);

  // How two frames differ (src/scene_change.h has the measures and their calibration on real data):
  // whether the pair is a new shot, the same picture, and how much of it moves. Cheap: each frame's
  // signature is made once in prepare(); one device -> host copy per pair. The result is kept with
  // `b`, so interpolate(a, b) does not compare them again (its automatic flow scale uses `changed`).
  PairDifference compare(const FrameHandle& a, const FrameHandle& b) const;
  float difference(const FrameHandle& a, const FrameHandle& b) const { return compare(a, b).cut; }

  // Writes a prepared frame back in the configured format: the conversion round trip alone.
  void render(const FrameHandle& frame, const OutputPlanes& out);
  // The frame as the network sees it, as packed 8-bit RGB rows of `stride` bytes (tests, tools).
  void read_rgb(const FrameHandle& frame, uint8_t* rgb, size_t stride);

  std::string model_version() const;  // the architecture in use: "4.6", "4.25/4.26", "4.25-lite"
  std::string device_name() const;    // "cpu", "cuda:0"...
  // Tensors of the file that were not loaded because only training uses them (official
  // checkpoints carry `teacher.*` and `caltime.*`: 40 in the 4.25/4.26 file); 0 for a plain file.
  size_t ignored_tensors() const;
  // How many times the 4.25 feature encoder has run (once per prepared frame, once more per frame
  // mirrored for an ensemble; never per pair): for tests and benchmarks.
  uint64_t encoder_runs() const;
  Precision precision() const;  // the resolved precision, never Auto
  double scale() const;         // the flow scale in use (resolved from auto at configure())
  int padded_width() const;
  int padded_height() const;
  // The speed switches in effect, e.g. "channels_last tf32 cudnn_benchmark cuda_graphs pinned_staging"
  // ("cuda_graphs" disappears if capture failed and the engine fell back to eager execution).
  std::string optimisations() const;

  // Engines using this engine's model, itself included (1: not shared).
  int model_users() const;
  BatchStats batch_stats() const;
  void set_batch_wait_us(uint32_t us);
  // Until called again: this engine's work belongs to `group`, whose `streams` engines hand theirs
  // over at the same time (each on its own thread; a server's requests of several sequences): their
  // batches wait, up to the batch wait, for the group's work alone. group 0 leaves the group.
  void set_batch_group(uint64_t group, int streams);
  size_t batch_memory() const;  // the budget in effect, in bytes
  // How many timesteps of one pair fit in one batch in `ensemble`'s mode at the configured size (at
  // least 1): interpolate() computes more in several batches; callers may hand them over in parts.
  size_t timesteps_per_batch(Ensemble ensemble = Ensemble::None) const;
  // Models loaded in this process since it started.
  static uint64_t models_loaded();
  // Whether frames are interpolated by a server (EngineOptions::server).
  bool remote() const;
  // Remote: the longest the next requests may take (a live stream's deadline); 0 = the server
  // timeout. A request that cannot be answered in time fails with ErrorKind::Unavailable.
  void set_request_timeout_ms(uint32_t ms);

 private:
  std::unique_ptr<StreamBackend> impl_;  // local (a shared model in this process) or remote (a server)
};

size_t bytes_per_pixel(PixelFormat format);  // packed RGB formats only (throws otherwise)
int bit_depth(PixelFormat format);           // bits per sample: 8, 10, 12 or 16
bool is_yuv(PixelFormat format);
int plane_count(PixelFormat format);
// The automatic flow scale, from measurements (README, Quality): by frame size 2 up to 1280x720
// pixels, 1 up to 2560x1440, 0.5 above; and up to 1280x720 a pair of which less than a quarter moves
// (`changed`, PairDifference) at 1: scale 2 makes still parts of such pairs shimmer and gains nothing.
double auto_scale(int width, int height);
double auto_scale(int width, int height, float changed);
// Whether `scale` is one the engine accepts (0 = auto included).
bool valid_scale(double scale);
const char* to_string(Precision precision);
Precision parse_precision(const std::string& name);  // "auto", "fp32", "fp16", "bf16"
const char* to_string(ModelVersion version);         // "auto", "4.6", "4.25", "4.26", "4.25-lite"
const char* to_string(Ensemble ensemble);            // "none", "time", "time+flip"
Ensemble parse_ensemble(const std::string& name);    // those names; rife::Error otherwise
// Forward passes an ensemble averages: 1, 2, 4 (inline: the element's quality controller is built
// and unit-tested without the engine library).
inline int passes(Ensemble e) { return e == Ensemble::None ? 1 : e == Ensemble::Time ? 2 : 4; }
ModelVersion parse_model_version(const std::string& name);  // those names; rife::Error otherwise

}  // namespace rife
