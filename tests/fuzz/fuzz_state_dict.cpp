// libFuzzer target over the weights loader: the file is untrusted input. Any input must end in a
// loaded state dict or a rife::Error; a crash, a sanitizer report, another exception type or a
// runaway allocation is a finding (fixed, then kept in tests/fuzz/regressions/).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "rife_engine.h"
#include "state_dict.h"

namespace {

// The loader reads paths (as the element does), so each input goes through one scratch file.
const std::string& scratch_path() {
  static const std::string path = "/tmp/rife-fuzz-" + std::to_string(getpid()) + ".pth";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = scratch_path();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    rife::load_model(path, rife::ModelVersion::Auto);  // what the engine does with a weights file
  } catch (const rife::Error&) {
    // the expected outcome for malformed input
  }
  return 0;
}
