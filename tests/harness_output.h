// Collecting what a GstHarness pushed: shared by the element tests.
#pragma once

#include <gst/check/gstharness.h>

#include <vector>

namespace rife_test {

// Every buffer the element has pushed so far (the harness delivers synchronously).
inline std::vector<GstBuffer*> pull_all(GstHarness* h) {
  std::vector<GstBuffer*> out;
  while (GstBuffer* b = gst_harness_try_pull(h)) out.push_back(b);
  return out;
}

inline void unref_all(std::vector<GstBuffer*>& buffers) {
  for (auto* b : buffers) gst_buffer_unref(b);
  buffers.clear();
}

}  // namespace rife_test
