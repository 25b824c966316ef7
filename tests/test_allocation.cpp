// Buffers around the `rife` element: interpolated frames come from a pool that is reused, upstream
// is asked for one buffer more (rife holds the previous input) and may send strided frames
// (GstVideoMeta), which give the same output as tightly packed ones.
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "rife_harness.h"
#include "test_support.h"

namespace {

using rife_test::pull_all;
using rife_test::unref_all;

constexpr int kW = 32, kH = 24;

GstHarness* new_rife_harness(const std::string& out_caps = "") {
  return rife_test::new_rife_harness(rife_test::rgb_caps(kW, kH, "30/1"), "scene-detection=false",
                                     rife_test::fixture_model(), out_caps);
}

guint8 pixel(int seed, int x, int y, int c) { return guint8((x * 7 + y * 13 + c * 31 + seed * 17) % 251); }

// An RGB frame; with `padding`, every row is `padding` bytes longer and a GstVideoMeta says so.
GstBuffer* frame(int seed, int padding) {
  const int stride = kW * 3 + padding;
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, gsize(stride) * kH, nullptr);
  GstMapInfo map;
  gst_buffer_map(buf, &map, GST_MAP_WRITE);
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < stride; ++x)
      map.data[y * stride + x] = x < kW * 3 ? pixel(seed, x / 3, y, x % 3) : guint8(0xEE);  // 0xEE: padding
  gst_buffer_unmap(buf, &map);
  if (padding > 0) {
    gsize offset[GST_VIDEO_MAX_PLANES] = {0};
    gint strides[GST_VIDEO_MAX_PLANES] = {stride};
    gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_RGB, kW, kH, 1, offset, strides);
  }
  GST_BUFFER_PTS(buf) = gst_util_uint64_scale(seed, GST_SECOND, 30);
  return buf;
}

// The picture of an output buffer, row by row without any padding (read through its video meta).
std::vector<guint8> picture(GstBuffer* buf) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, kW, kH);
  GstVideoFrame f;
  EXPECT_TRUE(gst_video_frame_map(&f, &info, buf, GST_MAP_READ));
  std::vector<guint8> rows;
  for (int y = 0; y < kH; ++y) {
    const guint8* row =
        static_cast<const guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&f, 0)) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);
    rows.insert(rows.end(), row, row + kW * 3);
  }
  gst_video_frame_unmap(&f);
  return rows;
}

// Pushes n frames (and EOS) and returns the pictures of all outputs.
std::vector<std::vector<guint8>> run(int n, int padding) {
  GstHarness* h = new_rife_harness();
  for (int i = 0; i < n; ++i) EXPECT_EQ(gst_harness_push(h, frame(i, padding)), GST_FLOW_OK);
  EXPECT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto out = pull_all(h);
  std::vector<std::vector<guint8>> pictures;
  for (GstBuffer* b : out) pictures.push_back(picture(b));
  unref_all(out);
  gst_harness_teardown(h);
  return pictures;
}

}  // namespace

TEST(Allocation, InterpolatedFramesComeFromAPoolAndItsMemoryIsReused) {
  GstHarness* h = new_rife_harness();
  std::set<GstBufferPool*> pools;
  std::set<const void*> memories;
  int interpolated = 0;
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(gst_harness_push(h, frame(i, 0)), GST_FLOW_OK);
    auto out = pull_all(h);
    for (GstBuffer* b : out) {
      if (GST_BUFFER_PTS(b) % gst_util_uint64_scale(1, GST_SECOND, 30) < GST_USECOND) continue;  // an input
      ++interpolated;
      pools.insert(b->pool);
      GstMapInfo map;
      ASSERT_TRUE(gst_buffer_map(b, &map, GST_MAP_READ));
      memories.insert(map.data);
      gst_buffer_unmap(b, &map);
    }
    unref_all(out);  // downstream is done with them: back to the pool
  }
  EXPECT_EQ(interpolated, 39);
  ASSERT_EQ(pools.size(), 1u);
  EXPECT_NE(*pools.begin(), nullptr) << "interpolated frames must come from a buffer pool";
  EXPECT_LE(memories.size(), 2u) << "39 interpolated frames, released as they come, reuse the same memory";
  gst_harness_teardown(h);
}

TEST(Allocation, UpstreamIsAskedForOneBufferMoreAndMayStrideItsFrames) {
  GstHarness* h = new_rife_harness();
  ASSERT_EQ(gst_harness_push(h, frame(0, 0)), GST_FLOW_OK);  // negotiates
  GstCaps* caps = gst_pad_get_current_caps(h->srcpad);
  ASSERT_NE(caps, nullptr);
  GstQuery* query = gst_query_new_allocation(caps, TRUE);
  ASSERT_TRUE(gst_pad_peer_query(h->srcpad, query));
  ASSERT_GE(gst_query_get_n_allocation_pools(query), 1u);
  GstBufferPool* pool = nullptr;
  guint size = 0, min = 0, max = 0;
  gst_query_parse_nth_allocation_pool(query, 0, &pool, &size, &min, &max);
  EXPECT_GE(min, 2u) << "rife keeps the previous input while it waits for the next";
  EXPECT_EQ(max, 0u);
  EXPECT_GE(size, guint(kW * kH * 3));
  EXPECT_NE(pool, nullptr);
  if (pool) gst_object_unref(pool);
  EXPECT_TRUE(gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, nullptr));
  gst_query_unref(query);
  gst_caps_unref(caps);
  gst_harness_teardown(h);
}

TEST(Allocation, StridedInputFramesGiveTheSameOutputAsPackedOnes) {
  const auto packed = run(6, 0), strided = run(6, 20);
  ASSERT_EQ(packed.size(), 11u);
  ASSERT_EQ(strided.size(), packed.size());
  for (size_t k = 0; k < packed.size(); ++k) EXPECT_EQ(strided[k], packed[k]) << "output " << k;
}

TEST(Allocation, DownstreamThatReadsVideoMetaStillGetsCorrectPictures) {
  // A downstream pool offering GstVideoMeta lets rife's pool choose its own strides; pictures read
  // through the meta must be the same as without it.
  const auto reference = run(4, 0);
  GstHarness* h = new_rife_harness();
  gst_harness_add_propose_allocation_meta(h, GST_VIDEO_META_API_TYPE, nullptr);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(gst_harness_push(h, frame(i, 0)), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto out = pull_all(h);
  ASSERT_EQ(out.size(), reference.size());
  for (size_t k = 0; k < out.size(); ++k) EXPECT_EQ(picture(out[k]), reference[k]) << "output " << k;
  unref_all(out);
  gst_harness_teardown(h);
}
