#include "remote_stream.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "colour_conversion.h"
#include "frame_layout.h"
#include "pixel_format_names.h"
#include "prepared_frame.h"
#include "remote/triton_client.h"
#include "scene_change.h"

namespace rife {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class RemoteStream final : public StreamBackend {
 public:
  explicit RemoteStream(const EngineOptions& o)
      : options_(o),
        client_({o.server, o.server_model, o.server_ca_file, o.server_auth, milliseconds(o.server_timeout_ms)}) {
    client_.check_model();
  }
  ~RemoteStream() override { end_sequence(); }

  void configure(const FrameGeometry& g) override {
    if (g.width < 2 || g.height < 2 || g.width > 16384 || g.height > 16384)
      throw Error("frame size " + std::to_string(g.width) + "x" + std::to_string(g.height) +
                  " is not supported (2..16384 per side)");
    end_sequence();  // the server's sequence has the old geometry
    geometry_ = FrameGeometry{};
    conversion_ = ColourConversion(g);
    frame_bytes_ = 0;
    shapes_.clear();
    const FrameLayout& layout = conversion_.layout();
    for (int p = 0; p < layout.planes; ++p) {
      shapes_.push_back({layout.plane_rows(p, g.height), layout.plane_row_bytes(p, g.width)});
      frame_bytes_ += size_t(shapes_.back().first * shapes_.back().second);
    }
    geometry_ = g;
    ++generation_;
  }
  const FrameGeometry& geometry() const override { return geometry_; }

  FrameHandle prepare(const InputPlanes& planes) override {
    if (geometry_.width == 0) throw Error("prepare: configure() was not called");
    std::vector<uint8_t> packed(frame_bytes_);
    size_t offset = 0;
    for (size_t p = 0; p < shapes_.size(); ++p) {
      const auto [rows, bytes] = shapes_[p];
      if (!planes.data[p] || planes.stride[p] < size_t(bytes))
        throw Error("prepare: plane " + std::to_string(p) + " is null or its stride is smaller than a row of " +
                    std::to_string(bytes) + " bytes");
      for (int64_t r = 0; r < rows; ++r, offset += size_t(bytes))
        std::memcpy(packed.data() + offset, planes.data[p] + size_t(r) * planes.stride[p], size_t(bytes));
    }
    // The signature from the frame as the server will see it, on this machine's CPU.
    FrameSignature signature = guarded("cannot read a frame", [&] {
      torch::NoGradGuard no_grad;
      return make_signature(conversion_.to_rgb(plane_tensors(packed)));
    });
    return std::make_shared<const RemoteFrame>(std::move(packed), std::move(signature), generation_, ++frames_);
  }

  void interpolate(const FrameHandle& a, const FrameHandle& b, const std::vector<float>& ts,
                   const std::vector<OutputPlanes>& outs, Ensemble ensemble) override {
    const RemoteFrame& ra = remote_frame(a);
    const RemoteFrame& rb = remote_frame(b);
    if (ts.empty() || ts.size() != outs.size())
      throw Error("interpolate: " + std::to_string(ts.size()) + " timesteps for " + std::to_string(outs.size()) +
                  " outputs");
    if (Clock::now() < retry_at_)
      throw Error(ErrorKind::Unavailable,
                  options_.server + ": unavailable, trying again in " +
                      std::to_string(std::chrono::duration_cast<milliseconds>(retry_at_ - Clock::now()).count()) +
                      " ms");
    std::vector<uint8_t> frames;
    try {
      frames = exchange(ra, rb, ts, ensemble);
    } catch (const Error& e) {
      // A server that lost the sequence (restarted, idle timeout) refuses a request without START:
      // one new sequence at once, before the stream counts as interrupted.
      if (e.kind() != ErrorKind::Server) throw unavailable(e);
      try {
        frames = exchange(ra, rb, ts, ensemble);
      } catch (const Error& again) {
        throw again.kind() == ErrorKind::Unavailable ? unavailable(again) : again;
      }
    }
    backoff_ = milliseconds(0);
    unpack(frames, outs);
  }

  PairDifference compare(const FrameHandle& a, const FrameHandle& b) const override {
    if (!a || !b || a->generation != generation_ || b->generation != generation_)
      throw Error("compare: frames prepared under another geometry");
    return compare_frames(*a, *b);
  }

  void render(const FrameHandle& frame, const OutputPlanes& out) override {
    const RemoteFrame& f = remote_frame(frame);
    torch::NoGradGuard no_grad;
    const auto planes = conversion_.to_planes(conversion_.to_rgb(plane_tensors(f.packed)));
    std::vector<uint8_t> packed;
    for (const auto& p : planes) packed.insert(packed.end(), p.data_ptr<uint8_t>(), p.data_ptr<uint8_t>() + p.numel());
    unpack(packed, {out});
  }

  void read_rgb(const FrameHandle& frame, uint8_t* rgb, size_t stride) override {
    const RemoteFrame& f = remote_frame(frame);
    torch::NoGradGuard no_grad;
    auto bytes = quantise(conversion_.to_rgb(plane_tensors(f.packed)) * 255.0).permute({1, 2, 0}).contiguous();
    for (int y = 0; y < geometry_.height; ++y)
      std::memcpy(rgb + size_t(y) * stride, bytes.data_ptr<uint8_t>() + size_t(y) * geometry_.width * 3,
                  size_t(geometry_.width) * 3);
  }

  std::string model_version() const override { return "remote"; }
  std::string device_name() const override { return options_.server + " (model '" + options_.server_model + "')"; }
  size_t ignored_tensors() const override { return 0; }
  uint64_t encoder_runs() const override { return 0; }
  Precision precision() const override { return Precision::Auto; }  // the server's
  double scale() const override {
    return options_.scale > 0 ? options_.scale : auto_scale(geometry_.width, geometry_.height);
  }
  int padded_width() const override { return 0; }
  int padded_height() const override { return 0; }
  std::string optimisations() const override { return "remote"; }
  int model_users() const override { return 1; }
  BatchStats batch_stats() const override { return {}; }
  void set_batch_wait_us(uint32_t) override {}  // batching happens on the server, across its sequences
  void set_batch_group(uint64_t, int) override {}
  size_t batch_memory() const override { return 0; }
  // A pair's outputs in one request: the server keeps one previous frame a sequence, so a pair must
  // not be split (the server bounds its own batches' memory).
  size_t timesteps_per_batch(Ensemble) const override { return size_t(1) << 20; }
  bool remote() const override { return true; }
  void set_request_timeout_ms(uint32_t ms) override { request_timeout_ = milliseconds(ms); }

 private:
  const RemoteFrame& remote_frame(const FrameHandle& f) const {
    if (!f || f->generation != generation_) throw Error("interpolate: frame prepared under another geometry");
    return static_cast<const RemoteFrame&>(*f);
  }

  std::vector<torch::Tensor> plane_tensors(const std::vector<uint8_t>& packed) const {
    std::vector<torch::Tensor> planes;
    size_t offset = 0;
    for (const auto& [rows, bytes] : shapes_) {
      planes.push_back(torch::from_blob(const_cast<uint8_t*>(packed.data() + offset), {rows, bytes}, torch::kUInt8));
      offset += size_t(rows * bytes);
    }
    return planes;
  }

  void unpack(const std::vector<uint8_t>& frames, const std::vector<OutputPlanes>& outs) const {
    size_t offset = 0;
    for (const auto& out : outs)
      for (size_t p = 0; p < shapes_.size(); ++p) {
        const auto [rows, bytes] = shapes_[p];
        for (int64_t r = 0; r < rows; ++r, offset += size_t(bytes))
          std::memcpy(out.data[p] + size_t(r) * out.stride[p], frames.data() + offset, size_t(bytes));
      }
  }

  milliseconds timeout() const {
    const milliseconds server(options_.server_timeout_ms);
    return request_timeout_.count() > 0 ? std::min(server, request_timeout_) : server;
  }

  remote::FrameRequest request(const RemoteFrame& f) const {
    remote::FrameRequest r;
    r.frame = &f.packed;
    r.format = to_string(geometry_.format);
    r.width = geometry_.width;
    r.height = geometry_.height;
    r.matrix = int32_t(geometry_.matrix);
    r.full_range = geometry_.full_range;
    r.scale = float(options_.scale);
    return r;
  }

  // The server's previous frame made `a` (a new sequence when there is none), then `b` at `ts`.
  std::vector<uint8_t> exchange(const RemoteFrame& a, const RemoteFrame& b, const std::vector<float>& ts,
                                Ensemble ensemble) {
    if (!sequence_ || sequence_->broken()) {
      sequence_.reset();
      sequence_ = client_.open_sequence();
      auto start = request(a);
      start.start = true;
      sequence_->send(start, frame_bytes_, timeout());
      previous_ = a.serial;
    } else if (previous_ != a.serial) {
      sequence_->send(request(a), frame_bytes_, timeout());  // it only becomes the previous frame
      previous_ = a.serial;
    }
    auto next = request(b);
    next.timesteps = ts;
    next.ensemble = int32_t(ensemble);
    auto frames = sequence_->send(next, frame_bytes_, timeout());
    previous_ = b.serial;
    last_sent_ = std::make_shared<std::vector<uint8_t>>(b.packed);
    return frames;
  }

  // The stream is interrupted: a new sequence with the next pair, after the back-off — unless only a
  // live deadline shorter than the server timeout ran out (the server may be fine, just late).
  Error unavailable(const Error& e) {
    sequence_.reset();
    previous_ = 0;
    if (timeout() >= milliseconds(options_.server_timeout_ms)) {
      backoff_ = std::clamp(backoff_ * 2, milliseconds(250), milliseconds(4000));
      retry_at_ = Clock::now() + backoff_;
    }
    return Error(ErrorKind::Unavailable, e.what());
  }

  // END: the server drops the sequence's state now rather than at its idle timeout.
  void end_sequence() {
    if (sequence_ && !sequence_->broken() && last_sent_) {
      remote::FrameRequest end = request(RemoteFrame(*last_sent_, {}, generation_, 0));
      end.end = true;
      try {
        sequence_->send(end, frame_bytes_, milliseconds(500));
      } catch (const Error&) {  // the server drops it when idle anyway
      }
    }
    sequence_.reset();
    previous_ = 0;
    last_sent_.reset();
  }

  const EngineOptions options_;
  remote::Client client_;
  std::unique_ptr<remote::Client::Sequence> sequence_;
  uint64_t previous_ = 0;  // the serial of the frame the server holds as the previous one
  std::shared_ptr<std::vector<uint8_t>> last_sent_;
  FrameGeometry geometry_;
  ColourConversion conversion_;
  std::vector<std::pair<int64_t, int64_t>> shapes_;  // rows, row bytes per plane
  size_t frame_bytes_ = 0;
  uint64_t generation_ = 0, frames_ = 0;
  milliseconds request_timeout_{0}, backoff_{0};
  Clock::time_point retry_at_{};
};

}  // namespace

std::unique_ptr<StreamBackend> make_remote_stream(const EngineOptions& options) {
  return std::make_unique<RemoteStream>(options);
}

}  // namespace rife
