// A KServe v2 gRPC client for the project's Triton model (models/triton/rife): what the element's
// remote stream needs and nothing more. Its own protocol subset (kserve.proto), no Triton client
// library. No torch and no GStreamer here.
//
// One Sequence is one Triton sequence on one ModelStreamInfer stream, so every request of a stream
// travels on one connection (behind a load balancer: to the server that holds the sequence's
// previous frame). Each request waits for its answer at most its timeout; a transport failure or a
// timeout breaks the sequence (ErrorKind::Unavailable) and the caller starts a new one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rife_engine.h"

namespace rife::remote {

struct ClientOptions {
  std::string url;  // grpc://host:port or grpcs://host:port
  std::string model = "rife";
  std::string ca_file;  // grpcs: PEM CA certificates; empty: the system's
  std::string auth;     // the "authorization" header, if any
  std::chrono::milliseconds timeout{5000};
};

// One request of the protocol (/work/notes-free summary in README, Serving): the new frame, what it
// is, and the timesteps of the pair it ends (empty: it only becomes the previous frame).
struct FrameRequest {
  const std::vector<uint8_t>* frame = nullptr;  // the planes, packed
  std::string format;                           // "I420", "RGB", "P010_10LE"...
  int32_t width = 0, height = 0, matrix = 0, full_range = 0;
  std::vector<float> timesteps;
  float scale = 0;
  int32_t ensemble = 0;
  bool start = false, end = false;
};

class Client {
 public:
  explicit Client(ClientOptions options);  // parses the URL (ErrorKind::Setting); no network yet
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientOptions& options() const { return options_; }
  // The server answers, is ready, has the model ready, and the model's inputs and outputs are the
  // protocol's. ErrorKind::Unavailable (no answer) or ErrorKind::Server (what is wrong), naming the
  // URL and the model.
  void check_model();

  struct Statistics {
    uint64_t inference_count = 0, execution_count = 0;  // requests, and forward executions of them
    uint64_t success_count = 0, queue_ns = 0, compute_infer_ns = 0;
  };
  Statistics statistics();

  class Sequence {
   public:
    ~Sequence();  // closes the stream (the server drops the sequence at END or when idle)
    // Sends one request, returns FRAMES' bytes (timesteps.size() frames of `frame_bytes`, checked).
    // Throws ErrorKind::Unavailable when the stream breaks or the answer does not come in time, and
    // ErrorKind::Server when the server answers with an error or a malformed answer.
    std::vector<uint8_t> send(const FrameRequest& request, size_t frame_bytes, std::chrono::milliseconds timeout);
    bool broken() const;
    uint64_t id() const;

   private:
    friend class Client;
    struct Impl;
    explicit Sequence(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };
  // A new sequence with a fresh correlation id, on a stream of its own.
  std::unique_ptr<Sequence> open_sequence();

 private:
  struct Impl;
  ClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rife::remote
