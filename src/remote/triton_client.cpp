#include "triton_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "kserve.grpc.pb.h"

namespace rife::remote {
namespace {

using Clock = std::chrono::system_clock;

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorKind::Setting, "cannot read the server CA file " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// "grpc://host:port" or "grpcs://host:port" -> (host:port, TLS).
std::pair<std::string, bool> parse_url(const std::string& url) {
  const bool tls = url.rfind("grpcs://", 0) == 0;
  const std::string rest = tls ? url.substr(8) : url.rfind("grpc://", 0) == 0 ? url.substr(7) : "";
  const size_t colon = rest.rfind(':');
  const bool has_port = colon != std::string::npos && colon > 0 && colon + 1 < rest.size() &&
                        rest.find_first_not_of("0123456789", colon + 1) == std::string::npos;
  if (rest.empty() || !has_port || rest.find('/') != std::string::npos)
    throw Error(ErrorKind::Setting, "server '" + url +
                                        "' is not a server address: expected grpc://host:port or "
                                        "grpcs://host:port (TLS)");
  return {rest, tls};
}

std::string describe(const grpc::Status& status) {
  return status.error_message().empty() ? "gRPC status " + std::to_string(int(status.error_code()))
                                        : status.error_message();
}

void add_input(inference::ModelInferRequest& r, const char* name, const char* datatype,
               std::initializer_list<int64_t> shape, std::string bytes) {
  auto* input = r.add_inputs();
  input->set_name(name);
  input->set_datatype(datatype);
  for (int64_t d : shape) input->add_shape(d);
  r.add_raw_input_contents(std::move(bytes));
}

template <class T>
std::string bytes_of(const T* values, size_t n) {
  return std::string(reinterpret_cast<const char*>(values), n * sizeof(T));
}

// A BYTES tensor's raw contents: each element as a 4-byte little-endian length, then its bytes.
std::string bytes_element(const std::string& s) {
  const uint32_t n = uint32_t(s.size());
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return out + s;
}

uint64_t new_correlation_id() {
  static std::mt19937_64 random(std::random_device{}());
  uint64_t id = 0;
  while (id == 0) id = random() >> 1;  // nonzero, and an int64 too (Triton's parameter type)
  return id;
}

}  // namespace

struct Client::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub;

  // A context for one call, with the authorization header and a deadline.
  std::unique_ptr<grpc::ClientContext> context(const ClientOptions& o, std::chrono::milliseconds timeout) const {
    auto c = std::make_unique<grpc::ClientContext>();
    if (timeout.count() > 0) c->set_deadline(Clock::now() + timeout);
    if (!o.auth.empty()) c->AddMetadata("authorization", o.auth);
    return c;
  }
};

Client::Client(ClientOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  const auto [address, tls] = parse_url(options_.url);
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options_.ca_file.empty()) ssl.pem_root_certs = read_file(options_.ca_file);
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);  // a pair's frames at 4K are tens of MB
  args.SetMaxSendMessageSize(-1);
  // Reconnection after a server goes away: soon, and never more than 2 s apart.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  impl_->channel = grpc::CreateCustomChannel(address, credentials, args);
  impl_->stub = inference::GRPCInferenceService::NewStub(impl_->channel);
}

Client::~Client() = default;

void Client::check_model() {
  const std::string where = options_.url + " (model '" + options_.model + "')";
  // At start a connection is made (TCP, TLS): a server-timeout chosen for one frame's round trip on
  // a live stream (tens of ms) would refuse a server that is merely being connected to. An address
  // that refuses or fails TLS still answers at once.
  const auto timeout = std::max(options_.timeout, std::chrono::milliseconds(5000));
  {
    inference::ServerReadyRequest request;
    inference::ServerReadyResponse response;
    auto c = impl_->context(options_, timeout);
    const grpc::Status status = impl_->stub->ServerReady(c.get(), request, &response);
    if (!status.ok()) throw Error(ErrorKind::Unavailable, options_.url + ": no answer: " + describe(status));
    if (!response.ready()) throw Error(ErrorKind::Server, options_.url + ": the server is not ready");
  }
  {
    inference::ModelReadyRequest request;
    request.set_name(options_.model);
    inference::ModelReadyResponse response;
    auto c = impl_->context(options_, timeout);
    const grpc::Status status = impl_->stub->ModelReady(c.get(), request, &response);
    if (!status.ok()) throw Error(ErrorKind::Server, where + ": " + describe(status));
    if (!response.ready())
      throw Error(ErrorKind::Server, where +
                                         ": no such model ready on the server (not in its repository, or not "
                                         "loaded)");
  }
  inference::ModelMetadataRequest request;
  request.set_name(options_.model);
  inference::ModelMetadataResponse metadata;
  auto c = impl_->context(options_, timeout);
  const grpc::Status status = impl_->stub->ModelMetadata(c.get(), request, &metadata);
  if (!status.ok()) throw Error(ErrorKind::Server, where + ": no metadata: " + describe(status));
  // The protocol's tensors (models/triton/rife/config.pbtxt).
  auto expect = [&](const auto& tensors, const char* kind, const char* name, const char* datatype) {
    for (const auto& t : tensors) {
      if (t.name() != name) continue;
      if (t.datatype() != datatype)
        throw Error(ErrorKind::Server, where + ": is not a rife model: " + kind + " " + name + " is " + t.datatype() +
                                           ", not " + datatype);
      return;
    }
    throw Error(ErrorKind::Server, where + ": is not a rife model: it has no " + kind + " " + name);
  };
  expect(metadata.inputs(), "input", "FRAME", "UINT8");
  expect(metadata.inputs(), "input", "FORMAT", "BYTES");
  expect(metadata.inputs(), "input", "GEOMETRY", "INT32");
  expect(metadata.inputs(), "input", "TIMESTEPS", "FP32");
  expect(metadata.inputs(), "input", "SCALE", "FP32");
  expect(metadata.inputs(), "input", "ENSEMBLE", "INT32");
  expect(metadata.outputs(), "output", "FRAMES", "UINT8");
}

Client::Statistics Client::statistics() {
  inference::ModelStatisticsRequest request;
  request.set_name(options_.model);
  inference::ModelStatisticsResponse response;
  auto c = impl_->context(options_, options_.timeout);
  const grpc::Status status = impl_->stub->ModelStatistics(c.get(), request, &response);
  if (!status.ok()) throw Error(ErrorKind::Unavailable, options_.url + ": statistics: " + describe(status));
  Statistics s;
  for (const auto& m : response.model_stats()) {
    s.inference_count += m.inference_count();
    s.execution_count += m.execution_count();
    s.success_count += m.inference_stats().success().count();
    s.queue_ns += m.inference_stats().queue().ns();
    s.compute_infer_ns += m.inference_stats().compute_infer().ns();
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// A sequence: one ModelStreamInfer stream, driven with the completion-queue API so that each
// operation can wait at most its own timeout.

struct Client::Sequence::Impl {
  std::string url, model;
  uint64_t id = new_correlation_id();
  grpc::ClientContext context;
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::ClientAsyncReaderWriter<inference::ModelInferRequest, inference::ModelStreamInferResponse>>
      stream;
  bool broken = false;

  enum Tag : intptr_t { kStart = 1, kWrite, kRead, kWritesDone, kFinish };

  // Waits for `tag` until `deadline`: its ok, or false on a timeout (`timed_out` set).
  bool wait(Tag tag, Clock::time_point deadline, bool* timed_out = nullptr) {
    for (;;) {
      void* got = nullptr;
      bool ok = false;
      switch (queue.AsyncNext(&got, &ok, deadline)) {
        case grpc::CompletionQueue::TIMEOUT:
          if (timed_out) *timed_out = true;
          return false;
        case grpc::CompletionQueue::SHUTDOWN:
          return false;
        case grpc::CompletionQueue::GOT_EVENT:
          if (reinterpret_cast<intptr_t>(got) == tag) return ok;
          break;  // an earlier operation's late completion
      }
    }
  }

  [[noreturn]] void fail(const std::string& why) {
    broken = true;
    throw Error(ErrorKind::Unavailable, url + ": " + why);
  }

  ~Impl() {
    if (stream) {
      const auto soon = Clock::now() + std::chrono::milliseconds(500);
      if (!broken) {
        stream->WritesDone(reinterpret_cast<void*>(kWritesDone));
        if (!wait(kWritesDone, soon)) context.TryCancel();
      } else {
        context.TryCancel();
      }
      grpc::Status status;
      stream->Finish(&status, reinterpret_cast<void*>(kFinish));
      if (!wait(kFinish, soon)) context.TryCancel();
    }
    queue.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok)) {
    }  // every outstanding operation has completed: the call can go
  }
};

Client::Sequence::Sequence(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Sequence::~Sequence() = default;
bool Client::Sequence::broken() const { return impl_->broken; }
uint64_t Client::Sequence::id() const { return impl_->id; }

std::unique_ptr<Client::Sequence> Client::open_sequence() {
  auto s = std::make_unique<Sequence::Impl>();
  s->url = options_.url;
  s->model = options_.model;
  if (!options_.auth.empty()) s->context.AddMetadata("authorization", options_.auth);
  s->stream =
      impl_->stub->AsyncModelStreamInfer(&s->context, &s->queue, reinterpret_cast<void*>(Sequence::Impl::kStart));
  if (!s->wait(Sequence::Impl::kStart, Clock::now() + options_.timeout)) {
    s->broken = true;
    throw Error(ErrorKind::Unavailable, options_.url + ": cannot open a stream to the server");
  }
  return std::unique_ptr<Sequence>(new Sequence(std::move(s)));
}

std::vector<uint8_t> Client::Sequence::send(const FrameRequest& r, size_t frame_bytes,
                                            std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  if (s.broken) s.fail("the stream was broken earlier");
  inference::ModelInferRequest request;
  request.set_model_name(s.model);
  auto& params = *request.mutable_parameters();
  params["sequence_id"].set_int64_param(int64_t(s.id));
  params["sequence_start"].set_bool_param(r.start);
  params["sequence_end"].set_bool_param(r.end);
  // The protocol's inputs, each with the batch dimension (the model batches sequences: max_batch_size > 0).
  add_input(request, "FRAME", "UINT8", {1, int64_t(r.frame->size())}, bytes_of(r.frame->data(), r.frame->size()));
  add_input(request, "FORMAT", "BYTES", {1, 1}, bytes_element(r.format));
  const int32_t geometry[4] = {r.width, r.height, r.matrix, r.full_range};
  add_input(request, "GEOMETRY", "INT32", {1, 4}, bytes_of(geometry, 4));
  add_input(request, "TIMESTEPS", "FP32", {1, int64_t(r.timesteps.size())},
            bytes_of(r.timesteps.data(), r.timesteps.size()));
  add_input(request, "SCALE", "FP32", {1, 1}, bytes_of(&r.scale, 1));
  add_input(request, "ENSEMBLE", "INT32", {1, 1}, bytes_of(&r.ensemble, 1));
  request.add_outputs()->set_name("FRAMES");

  const auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  s.stream->Write(request, reinterpret_cast<void*>(Impl::kWrite));
  if (!s.wait(Impl::kWrite, deadline, &timed_out)) {
    s.context.TryCancel();
    s.fail(timed_out ? "the request could not be sent within " + std::to_string(timeout.count()) + " ms"
                     : "the stream to the server closed");
  }
  inference::ModelStreamInferResponse response;
  s.stream->Read(&response, reinterpret_cast<void*>(Impl::kRead));
  if (!s.wait(Impl::kRead, deadline, &timed_out)) {
    s.context.TryCancel();
    s.fail(timed_out ? "no answer within " + std::to_string(timeout.count()) + " ms"
                     : "the stream to the server closed");
  }
  if (!response.error_message().empty()) {
    s.broken = true;  // whatever state the server has for it, the sequence starts again
    throw Error(ErrorKind::Server, s.url + " (model '" + s.model + "'): " + response.error_message());
  }
  const auto& answer = response.infer_response();
  const size_t expected = frame_bytes * r.timesteps.size();
  for (int i = 0; i < answer.outputs_size(); ++i) {
    if (answer.outputs(i).name() != "FRAMES") continue;
    if (answer.outputs(i).datatype() != "UINT8" || i >= answer.raw_output_contents_size() ||
        answer.raw_output_contents(i).size() != expected) {
      s.broken = true;
      throw Error(ErrorKind::Server,
                  s.url + " (model '" + s.model + "'): malformed answer: FRAMES is " + answer.outputs(i).datatype() +
                      " with " +
                      std::to_string(i < answer.raw_output_contents_size() ? answer.raw_output_contents(i).size() : 0) +
                      " bytes, expected UINT8 with " + std::to_string(r.timesteps.size()) + " frames of " +
                      std::to_string(frame_bytes) + " bytes");
    }
    const std::string& bytes = answer.raw_output_contents(i);
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
  }
  if (expected == 0) return {};
  s.broken = true;
  throw Error(ErrorKind::Server, s.url + " (model '" + s.model + "'): malformed answer: no FRAMES output");
}

}  // namespace rife::remote
