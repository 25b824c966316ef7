// Many streams, one model: several rife elements in one process share one loaded model and its
// batching worker. Every stream must get exactly what it gets through a lone element (frames within
// 1 LSB, identical timestamps) while the batches really hold several streams' work; sizes and
// ensembles may differ between streams; one stream's faults (state changes, flushes, caps changes)
// must not disturb the others; and an element may opt out.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "appsink_frames.h"
#include "rife_harness.h"
#include "test_support.h"

namespace {

using rife_test::Frame;

// 4.25-layout random weights: the per-frame encoder runs through the shared worker too.
const std::string kModel = rife_test::fixture("rife425_random.pth");

// One branch: a moving test pattern (its own content) through rife into appsink s<i>.
struct Branch {
  std::string pattern;  // videotestsrc pattern, scrolled so that frames differ
  int width = 64, height = 48;
  std::string rife_options;
  int speed = 3;  // pixels a frame
};

std::string branch_launch(const Branch& b, int i, int frames) {
  return "videotestsrc pattern=" + b.pattern + " horizontal-speed=" + std::to_string(b.speed) +
         " num-buffers=" + std::to_string(frames) + " ! video/x-raw,format=RGB,width=" + std::to_string(b.width) +
         ",height=" + std::to_string(b.height) + ",framerate=30/1 ! rife name=r" + std::to_string(i) +
         " device=cpu scene-detection=false model-path=" + kModel + " " + b.rife_options + " ! appsink name=s" +
         std::to_string(i) + " sync=false wait-on-eos=false ";
}

struct Streams {
  std::vector<std::vector<Frame>> frames;  // per branch
  std::vector<guint> model_users;
  std::vector<guint64> cross_stream_batches;
};

std::vector<Frame> pull_all(GstElement* sink) {
  std::vector<Frame> frames;
  while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 0)) {
    GstBuffer* buf = gst_sample_get_buffer(sample);
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_READ);
    frames.push_back({GST_BUFFER_PTS(buf), GST_BUFFER_DURATION(buf), {map.data, map.data + map.size}});
    gst_buffer_unmap(buf, &map);
    gst_sample_unref(sample);
  }
  return frames;
}

// All branches in one pipeline, to EOS (the appsinks keep every sample until pulled afterwards).
Streams run_together(const std::vector<Branch>& branches, int frames) {
  std::string launch;
  for (size_t i = 0; i < branches.size(); ++i) launch += branch_launch(branches[i], int(i), frames);
  GstElement* pipeline = gst_parse_launch(launch.c_str(), nullptr);
  Streams run;
  if (!pipeline) {
    ADD_FAILURE() << launch;
    return run;
  }
  EXPECT_NE(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus, 300 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  EXPECT_TRUE(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) << "every branch reaches EOS";
  if (msg) gst_message_unref(msg);
  for (size_t i = 0; i < branches.size(); ++i) {
    GstElement* rife = gst_bin_get_by_name(GST_BIN(pipeline), ("r" + std::to_string(i)).c_str());
    GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), ("s" + std::to_string(i)).c_str());
    guint users = 0;
    guint64 cross = 0;
    g_object_get(rife, "model-users", &users, "cross-stream-batches", &cross, nullptr);
    run.model_users.push_back(users);
    run.cross_stream_batches.push_back(cross);
    run.frames.push_back(pull_all(sink));
    gst_object_unref(rife);
    gst_object_unref(sink);
  }
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return run;
}

// The branch through a lone element (its own pipeline, nothing else running).
std::vector<Frame> run_alone(const Branch& b, int frames) { return run_together({b}, frames).frames.at(0); }

int max_difference(const Frame& a, const Frame& b) {
  int worst = 0;
  for (size_t k = 0; k < a.bytes.size() && k < b.bytes.size(); ++k)
    worst = std::max(worst, std::abs(a.bytes[k] - b.bytes[k]));
  return worst;
}

// Frames within 1 LSB, timestamps identical, nothing missing.
void expect_same_stream(const std::vector<Frame>& got, const std::vector<Frame>& alone, const std::string& what) {
  ASSERT_EQ(got.size(), alone.size()) << what;
  for (size_t k = 0; k < got.size(); ++k) {
    EXPECT_EQ(got[k].pts, alone[k].pts) << what << " frame " << k;
    EXPECT_EQ(got[k].duration, alone[k].duration) << what << " frame " << k;
    ASSERT_EQ(got[k].bytes.size(), alone[k].bytes.size()) << what << " frame " << k;
    EXPECT_LE(max_difference(got[k], alone[k]), 1) << what << " frame " << k;
  }
}

}  // namespace

// Four streams of different content through four elements in one process: one model, batches that
// hold several streams (batch-wait lets each batch wait for the others, so that they must), and
// every stream's frames as through a lone element.
TEST(MultiStream, FourElementsShareOneModelAndBatchAcrossStreamsWithTheLoneStreamsFrames) {
  const int frames = 12;
  std::vector<Branch> branches;
  int speed = 2;
  for (const char* pattern : {"ball", "smpte", "pinwheel", "spokes"})
    branches.push_back({pattern, 64, 48, "batch-wait=2000000", speed++});
  const Streams together = run_together(branches, frames);
  ASSERT_EQ(together.frames.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(together.model_users[i], 4u) << "element " << i << ": one model for the four";
    EXPECT_GT(together.cross_stream_batches[i], guint64(frames / 2))
        << "element " << i << ": most forward passes held other streams' frames too";
    expect_same_stream(together.frames[i], run_alone(branches[i], frames), branches[i].pattern);
    EXPECT_EQ(together.frames[i].size(), size_t((frames - 1) * 2 + 1));
  }
}

// Different sizes and ensembles on one model: a stream's work batches only with work of its own
// size and scale, and each stream's ensemble stays its own.
TEST(MultiStream, MixedSizesAndEnsemblesOnOneModelEachGiveTheirOwnFrames) {
  const int frames = 8;
  const std::vector<Branch> branches{{"ball", 64, 48, "ensemble=none batch-wait=200000", 2},
                                     {"smpte", 64, 48, "ensemble=time batch-wait=200000", 3},
                                     {"pinwheel", 80, 64, "ensemble=none batch-wait=200000", 4},
                                     {"spokes", 64, 48, "ensemble=none scale=1 batch-wait=200000", 5}};
  const Streams together = run_together(branches, frames);
  ASSERT_EQ(together.frames.size(), branches.size());
  for (size_t i = 0; i < branches.size(); ++i) {
    EXPECT_EQ(together.model_users[i], guint(branches.size()));
    expect_same_stream(together.frames[i], run_alone(branches[i], frames),
                       branches[i].pattern + " " + branches[i].rife_options);
  }
  EXPECT_GT(together.cross_stream_batches[0] + together.cross_stream_batches[1], 0u)
      << "the two 64x48 streams at the automatic scale (2 at this size; one with an ensemble) batched together";
  EXPECT_EQ(together.cross_stream_batches[2], 0u) << "80x64: no other stream of its padded size";
  EXPECT_EQ(together.cross_stream_batches[3], 0u) << "scale 1: no other stream of its flow scale";
}

TEST(MultiStream, OptingOutGivesAModelOfTheElementsOwn) {
  const std::vector<Branch> branches{{"ball", 64, 48, "share-model=false"}, {"smpte", 64, 48, "share-model=false"}};
  const Streams run = run_together(branches, 4);
  EXPECT_EQ(run.model_users, (std::vector<guint>{1, 1}));
  EXPECT_EQ(run.cross_stream_batches, (std::vector<guint64>{0, 0}));
}

// One stream is pushed around (random state changes, flushing seeks, caps changes, EOS) while three
// others stream: the three get exactly their lone frames, nothing hangs, and the troubled stream
// keeps working. Repeated with different random choices.
TEST(MultiStream, OneStreamsFaultsDoNotDisturbTheOthers) {
  const int frames = 30;
  std::vector<Branch> calm;
  int speed = 2;
  for (const char* pattern : {"ball", "smpte", "pinwheel"}) calm.push_back({pattern, 64, 48, "", speed++});
  std::vector<std::vector<Frame>> alone;
  for (size_t i = 0; i < calm.size(); ++i) alone.push_back(run_alone(calm[i], frames));

  std::mt19937 random(20261201);
  for (int round = 0; round < 3; ++round) {
    std::string launch;
    for (size_t i = 0; i < calm.size(); ++i) launch += branch_launch(calm[i], int(i), frames);
    GstElement* pipeline = gst_parse_launch(launch.c_str(), nullptr);
    ASSERT_NE(pipeline, nullptr);
    // The troubled stream: a pipeline of its own, so that its state can change alone.
    GstElement* troubled = gst_parse_launch(
        ("videotestsrc pattern=snow is-live=false ! capsfilter name=caps caps=video/x-raw,format=RGB,width=64,"
         "height=48,framerate=30/1 ! rife device=cpu scene-detection=false model-path=" +
         kModel + " ! fakesink sync=false")
            .c_str(),
        nullptr);
    ASSERT_NE(troubled, nullptr);
    gst_element_set_state(troubled, GST_STATE_PLAYING);
    ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);

    std::atomic<bool> calm_done{false};
    std::thread chaos([&] {
      const GstState states[] = {GST_STATE_NULL, GST_STATE_READY, GST_STATE_PAUSED, GST_STATE_PLAYING};
      GstElement* caps = gst_bin_get_by_name(GST_BIN(troubled), "caps");
      for (int step = 0; step < 40 && !calm_done; ++step) {
        switch (random() % 4) {
          case 0:
            gst_element_set_state(troubled, states[random() % 4]);
            gst_element_get_state(troubled, nullptr, nullptr, 5 * GST_SECOND);
            break;
          case 1:
            gst_element_seek_simple(troubled, GST_FORMAT_TIME, GstSeekFlags(GST_SEEK_FLAG_FLUSH), 0);
            break;
          case 2: {  // renegotiate to another size
            const int w = random() % 2 ? 64 : 48;
            GstCaps* c = gst_caps_from_string(
                ("video/x-raw,format=RGB,width=" + std::to_string(w) + ",height=48,framerate=30/1").c_str());
            g_object_set(caps, "caps", c, nullptr);
            gst_caps_unref(c);
            break;
          }
          default:
            gst_element_set_state(troubled, GST_STATE_PLAYING);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(random() % 40));
      }
      gst_object_unref(caps);
    });

    GstBus* bus = gst_element_get_bus(pipeline);
    GstMessage* msg =
        gst_bus_timed_pop_filtered(bus, 240 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    calm_done = true;
    chaos.join();
    ASSERT_TRUE(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) << "round " << round << ": the calm streams finish";
    gst_message_unref(msg);
    for (size_t i = 0; i < calm.size(); ++i) {
      GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), ("s" + std::to_string(i)).c_str());
      expect_same_stream(pull_all(sink), alone[i], "round " + std::to_string(round) + " " + calm[i].pattern);
      gst_object_unref(sink);
    }
    // The troubled stream still works after all that: it reaches PLAYING and keeps pushing.
    gst_element_set_state(troubled, GST_STATE_PLAYING);
    EXPECT_NE(gst_element_get_state(troubled, nullptr, nullptr, 30 * GST_SECOND), GST_STATE_CHANGE_FAILURE);
    gst_element_set_state(troubled, GST_STATE_NULL);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(bus);
    gst_object_unref(troubled);
    gst_object_unref(pipeline);
  }
}
