// A stream whose interpolations a server computes (EngineOptions::server): a Triton Inference
// Server running the project's model repository (models/triton/rife), over KServe v2 gRPC. The
// element sees the same Engine as for a local stream.
//
// Each frame crosses the network once: the server keeps the sequence's previous frame, and a
// request carries the new frame and the timesteps of the pair it ends. Frames whose pair is not
// interpolated here (a scene cut, a still pair, a QoS skip) are sent with the next pair that needs
// them. What needs no network stays here: the scene-cut and still-pair signatures are made on this
// machine's CPU from the frame as the server will see it, with the local engine's code, so the
// element decides exactly as it would locally.
//
// When the server cannot be had (down, restarting, a request past its timeout), interpolate()
// throws ErrorKind::Unavailable at once, the stream is dropped and a new sequence starts with the
// next pair, after a back-off (0.25 s, doubling to 4 s) during which requests fail without waiting.
#pragma once

#include <memory>

#include "stream_backend.h"

namespace rife {

std::unique_ptr<StreamBackend> make_remote_stream(const EngineOptions& options);

}  // namespace rife
