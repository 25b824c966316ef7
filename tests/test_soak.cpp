// Soak: 10 000 small frames through the element (CI-sized; README gives a longer command). Resident
// memory must be flat after warm-up, and every frame must come out on the grid.
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "rife_harness.h"
#include "test_support.h"

namespace {

long resident_kb() {
  long pages_total = 0, pages_resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return pages_resident * 4;
}

int frames_to_run() {
  const char* env = std::getenv("RIFE_SOAK_FRAMES");
  return env && *env ? std::atoi(env) : 10000;
}

}  // namespace

TEST(Soak, ResidentMemoryIsFlatOverManyFramesAndNoFrameIsLost) {
  const int n = frames_to_run(), warmup = std::min(2000, n / 10);
  // scale=2 (not auto, which pads for scales 1 and 2): 16x16 frames stay 16x16 (4.6 pads to 32 / scale).
  GstHarness* h = rife_test::new_rife_harness(rife_test::rgb_caps(16, 16, "30/1", "RGBx"), "scene-detection=false scale=2");
  long after_warmup = 0, peak = 0;
  guint64 received = 0;
  for (int i = 0; i < n; ++i) {
    GstBuffer* buf = gst_buffer_new_allocate(nullptr, 16 * 16 * 4, nullptr);
    gst_buffer_memset(buf, 0, guint8(i * 7), 16 * 16 * 4);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, 30);
    ASSERT_EQ(gst_harness_push(h, buf), GST_FLOW_OK) << "frame " << i;
    while (GstBuffer* out = gst_harness_try_pull(h)) {
      ASSERT_EQ(GST_BUFFER_PTS(out), gst_util_uint64_scale(received, GST_SECOND, 60)) << "output " << received;
      ++received;
      gst_buffer_unref(out);
    }
    if (i == warmup) after_warmup = resident_kb();
    if (i > warmup) peak = std::max(peak, resident_kb());
  }
  gst_harness_push_event(h, gst_event_new_eos());
  while (GstBuffer* out = gst_harness_try_pull(h)) {
    ++received;
    gst_buffer_unref(out);
  }
  std::printf("soak: %d frames in, %lu out; resident %ld kB after %d frames, peak %ld kB after (+%ld kB)\n", n,
              (unsigned long)received, after_warmup, warmup, peak, peak - after_warmup);
  EXPECT_EQ(received, guint64(2 * n - 1));
  EXPECT_LT(peak - after_warmup, 16 * 1024) << "resident memory grew by more than 16 MiB after warm-up";
  gst_harness_teardown(h);
}
