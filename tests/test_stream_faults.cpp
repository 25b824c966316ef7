// Stream and resource faults: the element neither crashes, nor hangs, nor invents or loses frames
// when the stream misbehaves, when it is restarted or reused, or when memory runs out.
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rife_harness.h"
#include "test_support.h"

namespace {

using rife_test::pull_all;
using rife_test::unref_all;

const std::string kModel = rife_test::fixture_model();
const char* kCaps = "video/x-raw,format=RGB,width=32,height=24,framerate=30/1";

GstBuffer* frame(int seed, GstClockTime pts) {
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, 32 * 24 * 3, nullptr);
  gst_buffer_memset(buf, 0, guint8(seed * 37 + 11), 32 * 24 * 3);
  GST_BUFFER_PTS(buf) = pts;
  return buf;
}

GstClockTime at(int i) { return gst_util_uint64_scale(i, GST_SECOND, 30); }

guint8 first_byte(GstBuffer* b) {
  guint8 v = 0;
  gst_buffer_extract(b, 0, &v, 1);
  return v;
}

GstHarness* new_harness(const std::string& model = kModel) {
  return rife_test::new_rife_harness(kCaps, "scene-detection=false", model);
}

}  // namespace

TEST(StreamFaults, DuplicateAndBackwardsTimestampsAreNeverBlendedAcross) {
  GstHarness* h = new_harness();
  ASSERT_EQ(gst_harness_push(h, frame(0, at(5))), GST_FLOW_OK);
  ASSERT_EQ(gst_harness_push(h, frame(1, at(5))), GST_FLOW_OK);  // same PTS
  ASSERT_EQ(gst_harness_push(h, frame(2, at(2))), GST_FLOW_OK);  // backwards
  ASSERT_EQ(gst_harness_push(h, frame(3, at(3))), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto out = pull_all(h);
  // Frames 0 and 1 once each (no interpolation between equal or backwards times), then 2, i, 3.
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(first_byte(out[0]), 11);
  EXPECT_EQ(first_byte(out[1]), guint8(37 + 11));
  EXPECT_TRUE(GST_BUFFER_FLAG_IS_SET(out[2], GST_BUFFER_FLAG_DISCONT));
  EXPECT_EQ(GST_BUFFER_PTS(out[2]), at(2));
  unref_all(out);
  gst_harness_teardown(h);
}

TEST(StreamFaults, EosRightAfterStartGivesEosAndNoFrames) {
  GstHarness* h = new_harness();
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  EXPECT_EQ(gst_harness_buffers_received(h), 0u);
  bool saw_eos = false;
  while (GstEvent* e = gst_harness_try_pull_event(h)) {
    saw_eos |= GST_EVENT_TYPE(e) == GST_EVENT_EOS;
    gst_event_unref(e);
  }
  EXPECT_TRUE(saw_eos);
  gst_harness_teardown(h);
}

TEST(StreamFaults, GapEventDrainsTheCachedFrameAndPassesOn) {
  GstHarness* h = new_harness();
  ASSERT_EQ(gst_harness_push(h, frame(0, at(0))), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_gap(at(1), at(10))));
  auto out = pull_all(h);
  ASSERT_EQ(out.size(), 1u) << "the frame before the gap comes out once";
  ASSERT_EQ(gst_harness_push(h, frame(1, at(10))), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto after = pull_all(h);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(GST_BUFFER_PTS(after[0]), at(10));
  unref_all(out);
  unref_all(after);
  gst_harness_teardown(h);
}

TEST(StreamFaults, ASeekSegmentDropsTheCachedFrame) {
  GstHarness* h = new_harness();
  ASSERT_EQ(gst_harness_push(h, frame(0, at(0))), GST_FLOW_OK);
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  seg.start = seg.time = at(100);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_segment(&seg)));
  ASSERT_EQ(gst_harness_push(h, frame(1, at(100))), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto out = pull_all(h);
  ASSERT_EQ(out.size(), 1u) << "only the frame of the new segment";
  EXPECT_EQ(GST_BUFFER_PTS(out[0]), at(100));
  unref_all(out);
  gst_harness_teardown(h);
}

TEST(StreamFaults, RestartingPlayingReadyPlayingLeavesNoStaleFrame) {
  GstHarness* h = new_harness();
  GstElement* rife = gst_harness_find_element(h, "rife");
  for (int round = 0; round < 5; ++round) {
    ASSERT_EQ(gst_harness_push(h, frame(round, at(0))), GST_FLOW_OK);  // cached, not yet pushed
    ASSERT_EQ(gst_element_set_state(rife, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
    ASSERT_NE(gst_element_set_state(rife, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    gst_harness_set_src_caps_str(h, kCaps);
    ASSERT_EQ(gst_harness_push(h, frame(50 + round, at(0))), GST_FLOW_OK);
    ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
    auto out = pull_all(h);
    ASSERT_EQ(out.size(), 1u) << "round " << round;
    EXPECT_EQ(first_byte(out[0]), guint8((50 + round) * 37 + 11)) << "a frame from before the restart came out";
    unref_all(out);
    while (GstEvent* e = gst_harness_try_pull_event(h)) gst_event_unref(e);
    // A new stream after EOS: stream-start and segment again.
    gst_harness_push_event(h, gst_event_new_stream_start(("s" + std::to_string(round)).c_str()));
    GstSegment seg;
    gst_segment_init(&seg, GST_FORMAT_TIME);
    gst_harness_push_event(h, gst_event_new_segment(&seg));
  }
  gst_object_unref(rife);
  gst_harness_teardown(h);
}

TEST(StreamFaults, TheElementServesASecondStreamAfterEos) {
  GstHarness* h = new_harness();
  for (int stream = 0; stream < 2; ++stream) {
    if (stream == 1) {
      gst_harness_push_event(h, gst_event_new_stream_start("second"));
      GstSegment seg;
      gst_segment_init(&seg, GST_FORMAT_TIME);
      gst_harness_push_event(h, gst_event_new_segment(&seg));
    }
    for (int i = 0; i < 3; ++i) ASSERT_EQ(gst_harness_push(h, frame(i + 10 * stream, at(i))), GST_FLOW_OK);
    ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
    auto out = pull_all(h);
    ASSERT_EQ(out.size(), 5u) << "stream " << stream;
    EXPECT_EQ(GST_BUFFER_PTS(out[0]), 0u);
    EXPECT_TRUE(GST_BUFFER_FLAG_IS_SET(out[0], GST_BUFFER_FLAG_DISCONT));
    unref_all(out);
  }
  gst_harness_teardown(h);
}

TEST(StreamFaults, TwoElementsInOneProcessDoNotDisturbEachOther) {
  GstHarness* a = new_harness();
  GstHarness* b = new_harness(rife_test::fixture("rife425_random.pth"));
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(gst_harness_push(a, frame(i, at(i))), GST_FLOW_OK);
    ASSERT_EQ(gst_harness_push(b, frame(i + 20, at(i))), GST_FLOW_OK);
  }
  gst_harness_push_event(a, gst_event_new_eos());
  gst_harness_push_event(b, gst_event_new_eos());
  auto out_a = pull_all(a), out_b = pull_all(b);
  ASSERT_EQ(out_a.size(), 7u);
  ASSERT_EQ(out_b.size(), 7u);
  for (int k = 0; k < 7; k += 2) {
    EXPECT_EQ(first_byte(out_a[k]), guint8((k / 2) * 37 + 11));
    EXPECT_EQ(first_byte(out_b[k]), guint8((k / 2 + 20) * 37 + 11));
  }
  unref_all(out_a);
  unref_all(out_b);
  gst_harness_teardown(a);
  gst_harness_teardown(b);
}

TEST(ResourceFaults, ChangingTheModelInReadyReloadsIt) {
  GstElement* e = gst_element_factory_make("rife", nullptr);
  g_object_set(e, "device", "cpu", "model-path", kModel.c_str(), nullptr);
  ASSERT_EQ(gst_element_set_state(e, GST_STATE_PAUSED), GST_STATE_CHANGE_SUCCESS);
  ASSERT_EQ(gst_element_set_state(e, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  g_object_set(e, "model-path", rife_test::fixture("truncated.pth").c_str(), nullptr);
  EXPECT_EQ(gst_element_set_state(e, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE) << "the new file is read";
  gst_element_set_state(e, GST_STATE_READY);
  g_object_set(e, "model-path", rife_test::fixture("rife425_random.pth").c_str(), nullptr);
  EXPECT_EQ(gst_element_set_state(e, GST_STATE_PAUSED), GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_object_unref(e);
}

TEST(ResourceFaults, FramesTooLargeForTheMemoryAvailableEndInAnErrorMessage) {
  GstHarness* h = new_harness();
  GstElement* rife = gst_harness_find_element(h, "rife");
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(rife, bus);
  // Cap the address space 1 GiB above what the process uses: 16384x16384 work buffers need 3 GiB.
  rlimit old{};
  getrlimit(RLIMIT_AS, &old);
  rlimit capped = old;
  capped.rlim_cur = rife_test::address_space_in_use() + (rlim_t(1) << 30);
  ASSERT_EQ(setrlimit(RLIMIT_AS, &capped), 0);
  GstCaps* huge = gst_caps_from_string("video/x-raw,format=RGB,width=16384,height=16384,framerate=30/1");
  gst_harness_push_event(h, gst_event_new_caps(huge));  // the element configures itself on the next buffer
  gst_caps_unref(huge);
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, 16, nullptr);  // never read: configuring fails first
  const GstFlowReturn ret = gst_harness_push(h, buf);
  setrlimit(RLIMIT_AS, &old);
  EXPECT_EQ(ret, GST_FLOW_NOT_NEGOTIATED);
  const auto error = rife_test::pop_error(bus, 0);
  ASSERT_TRUE(error.found) << "an error message, not an abort";
  EXPECT_NE(error.message.find("16384x16384"), std::string::npos) << error.message;
  EXPECT_NE(error.debug.find("cannot allocate the work buffers"), std::string::npos) << error.debug;
  gst_element_set_bus(rife, nullptr);
  gst_object_unref(bus);
  gst_object_unref(rife);
  gst_harness_teardown(h);
}
