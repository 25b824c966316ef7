// One input frame as the engine keeps it, local or remote (rife_engine.h's FrameHandle), and the
// comparison of two of them (scene cuts, still pairs, how much moves) that both use.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "rife_engine.h"
#include "scene_change.h"

namespace rife {

class PreparedFrame {
 public:
  virtual ~PreparedFrame() = default;
  PreparedFrame(torch::Tensor image, torch::Tensor features, FrameSignature signature, uint64_t generation,
                uint64_t serial)
      : image(std::move(image)),
        features(std::move(features)),
        signature(std::move(signature)),
        generation(generation),
        serial(serial) {}
  const torch::Tensor image;       // [1, 3, padded H, padded W] RGB in [0, 1], model dtype, on the device
                                   // (undefined for a remote stream's frame)
  const torch::Tensor features;    // 4.25+: encode(image) [1, 4, padded H, padded W]; undefined otherwise
  const FrameSignature signature;  // for compare(): scene cuts, still pairs, how much moves
  const uint64_t generation;       // Engine::configure() call it was prepared under
  const uint64_t serial;           // this engine's frame number: which frame a comparison was with
  // The comparison with the frame before it (`compared_with`: that frame's serial; 0 = none yet).
  mutable PairDifference compared;
  mutable uint64_t compared_with = 0;
  // The frame mirrored left-right (padded on the right and bottom like any frame) and its features:
  // made the first time a TimeFlip ensemble needs them, then kept (a frame is in two pairs).
  mutable torch::Tensor mirrored_image, mirrored_features;
};

// A remote stream's frame: its planes packed as the server takes them (rows without padding).
class RemoteFrame : public PreparedFrame {
 public:
  RemoteFrame(std::vector<uint8_t> packed, FrameSignature signature, uint64_t generation, uint64_t serial)
      : PreparedFrame({}, {}, std::move(signature), generation, serial), packed(std::move(packed)) {}
  const std::vector<uint8_t> packed;
};

// How `b` differs from `a` (the frame before it), computed once and kept with `b`.
PairDifference compare_frames(const PreparedFrame& a, const PreparedFrame& b);

// Runs `body`, turning LibTorch's failures (out of memory above all) into rife::Error with context,
// so callers see one exception type whose message says what was being done.
template <class Body>
auto guarded(const std::string& what, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Error(what + ": " + e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    throw Error(what + ": out of memory");
  }
}

}  // namespace rife
