// Real live sources, timed against the clock (suite "timing": not run under the sanitizers, whose
// slowdown would change what is measured):
//  - a live source faster than the engine: with QoS the output stays in real time (interpolations
//    are skipped), without it the lateness grows;
//  - a real RTSP server on 127.0.0.1 (gst-rtsp-server) streaming H.264; rtspsrc -> depay -> decode
//    -> rife -> appsink receives twice the rate with monotonic timestamps, I420 straight from the
//    decoder (no videoconvert).
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "rife_engine.h"
#include "rife_harness.h"
#include "test_support.h"

namespace {

const std::string kModel = rife_test::fixture("official_plain.pth");

// A counter of the pipeline's element named "rife".
guint64 counter(GstElement* pipeline, const char* name) {
  GstElement* rife = gst_bin_get_by_name(GST_BIN(pipeline), "rife");
  const guint64 v = rife_test::counter(rife, name);
  gst_object_unref(rife);
  return v;
}

// For every buffer reaching the sink: how late it arrives for its render time (running time +
// pipeline latency), in seconds, measured on the pipeline clock.
struct Lateness {
  GstElement* pipeline;
  std::vector<double> seconds;
  GstClockTime latency = GST_CLOCK_TIME_NONE;  // the pipeline's, queried at the first buffer
};

GstPadProbeReturn measure_lateness(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* l = static_cast<Lateness*>(data);
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  GstClock* clock = gst_element_get_clock(l->pipeline);
  if (!clock) return GST_PAD_PROBE_OK;
  GstEvent* seg_event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  const GstSegment* seg;
  gst_event_parse_segment(seg_event, &seg);
  const GstClockTime rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
  const GstClockTime now = gst_clock_get_time(clock) - gst_element_get_base_time(l->pipeline);
  if (!GST_CLOCK_TIME_IS_VALID(l->latency)) {
    GstQuery* q = gst_query_new_latency();
    if (gst_element_query(l->pipeline, q)) gst_query_parse_latency(q, nullptr, &l->latency, nullptr);
    gst_query_unref(q);
  }
  l->seconds.push_back((double(now) - double(rt) - double(l->latency)) / 1e9);
  gst_event_unref(seg_event);
  gst_object_unref(clock);
  return GST_PAD_PROBE_OK;
}

struct LiveRun {
  std::vector<double> lateness;
  double wall_seconds;
  guint64 skipped, interpolated, frames_in;
};

LiveRun run_live(int frames, bool qos) {
  // 960x540 at 30 fps: on a CPU each interpolation takes several times the 33 ms between inputs.
  // Flow scale 1: at the automatic scale (2 at this size) one cold interpolation on 2 cores outlasts
  // the whole 3 s stream, and the test is about what QoS does after it.
  const std::string launch = "videotestsrc is-live=true pattern=ball num-buffers=" + std::to_string(frames) +
                             " ! video/x-raw,format=RGBx,width=960,height=540,framerate=30/1 ! rife name=rife "
                             "device=cpu scale=1 scene-detection=false qos=" +
                             (qos ? "true" : "false") + " model-path=" + kModel + " ! fakesink name=sink sync=true";
  GstElement* pipeline = gst_parse_launch(launch.c_str(), nullptr);
  Lateness l{pipeline, {}};
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  GstPad* pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, measure_lateness, &l, nullptr);
  const gint64 start = g_get_monotonic_time();
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus, 300 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  EXPECT_TRUE(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) << "the live pipeline must reach EOS";
  if (msg) gst_message_unref(msg);
  LiveRun r{l.seconds, double(g_get_monotonic_time() - start) / 1e6, counter(pipeline, "frames-skipped"),
            counter(pipeline, "frames-interpolated"), counter(pipeline, "frames-in")};
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(pad);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return r;
}

double max_of_second_half(const std::vector<double>& v) {
  double m = -1e9;
  for (size_t i = v.size() / 2; i < v.size(); ++i) m = std::max(m, v[i]);
  return m;
}

}  // namespace

TEST(LiveQos, ASlowEngineBehindALiveSourceStaysInRealTime) {
  const LiveRun with_qos = run_live(90, true);  // 3 s of live input
  std::printf("qos=true: %zu buffers in %.1f s, %lu interpolated, %lu skipped, worst lateness (2nd half) %.3f s\n",
              with_qos.lateness.size(), with_qos.wall_seconds, (unsigned long)with_qos.interpolated,
              (unsigned long)with_qos.skipped, max_of_second_half(with_qos.lateness));
  EXPECT_EQ(with_qos.frames_in, 90u) << "every input is taken";
  EXPECT_GT(with_qos.skipped, 0u) << "the engine is too slow for 960x540 at 30 fps on a CPU";
  EXPECT_LT(with_qos.wall_seconds, 3.0 + 3.0) << "the run keeps pace with the 3 s source";
  EXPECT_LT(max_of_second_half(with_qos.lateness), 1.5) << "no latency builds up";

  // The control: the same, QoS off, 15 frames: every interpolation is computed and the output
  // falls further behind the clock with each one.
  const LiveRun without = run_live(15, false);
  std::printf("qos=false: %zu buffers in %.1f s, worst lateness %.3f s\n", without.lateness.size(),
              without.wall_seconds, max_of_second_half(without.lateness));
  EXPECT_EQ(without.skipped, 0u);
  EXPECT_EQ(without.interpolated, 14u);
  EXPECT_GT(max_of_second_half(without.lateness), max_of_second_half(with_qos.lateness));
}

namespace {

// This machine's single-pass cost at w x h (the fixture weights, CPU): the median of a few warm runs.
double single_pass_seconds(int w, int h) {
  rife::EngineOptions o;
  o.model_path = kModel;
  o.device = "cpu";
  rife::Engine engine(o);
  engine.configure({w, h, rife::PixelFormat::RGB});
  const auto f0 = rife_test::moving_frame(w, h, 0), f1 = rife_test::moving_frame(w, h, 1);
  const size_t stride = size_t(w) * 3;
  auto a = engine.prepare(f0.data(), stride), b = engine.prepare(f1.data(), stride);
  std::vector<guint8> out(stride * h);
  std::vector<double> s;
  for (int i = 0; i < 9; ++i) {
    const gint64 start = g_get_monotonic_time();
    engine.interpolate(a, b, 0.5f, out.data(), stride);
    if (i >= 2) s.push_back(double(g_get_monotonic_time() - start) / 1e6);
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

struct AutoRun {
  guint64 switches = 0, interpolated = 0;
  double last_none = -1, last_time = -1, last_flip = -1;  // shares of the last rife-stats window
  double total_none = 0, total_flip = 0;                  // shares over the whole run, by frames
};

// A live test source at one input every `interval` seconds through rife ensemble=auto to a syncing
// sink, `frames` inputs; the ensemble shares come from the rife-stats messages.
AutoRun run_auto(double interval, int frames) {
  const int fps_d = int(std::lround(interval * 1e6));
  const std::string launch = "videotestsrc is-live=true pattern=ball num-buffers=" + std::to_string(frames) +
                             " ! video/x-raw,format=RGB,width=64,height=48,framerate=1000000/" +
                             std::to_string(fps_d) +
                             " ! rife name=rife device=cpu scene-detection=false ensemble=auto stats-interval=" +
                             std::to_string(std::max(0.2, 4 * interval)) + " model-path=" + kModel +
                             " ! fakesink sync=true";
  GstElement* pipeline = gst_parse_launch(launch.c_str(), nullptr);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  AutoRun r;
  double frames_none = 0, frames_flip = 0, frames_all = 0;
  while (GstMessage* msg = gst_bus_timed_pop_filtered(
             bus, 120 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT))) {
    const GstMessageType type = GST_MESSAGE_TYPE(msg);
    if (type == GST_MESSAGE_ELEMENT && gst_message_has_name(msg, "rife-stats")) {
      const GstStructure* s = gst_message_get_structure(msg);
      guint64 n = 0;
      gst_structure_get(s, "interpolated", G_TYPE_UINT64, &n, "ensemble-none", G_TYPE_DOUBLE, &r.last_none,
                        "ensemble-time", G_TYPE_DOUBLE, &r.last_time, "ensemble-time-flip", G_TYPE_DOUBLE,
                        &r.last_flip, nullptr);
      frames_none += r.last_none * double(n), frames_flip += r.last_flip * double(n), frames_all += double(n);
    }
    gst_message_unref(msg);
    if (type != GST_MESSAGE_ELEMENT) {
      EXPECT_EQ(type, GST_MESSAGE_EOS);
      break;
    }
  }
  r.switches = counter(pipeline, "ensemble-switches");
  r.interpolated = counter(pipeline, "frames-interpolated");
  r.total_none = frames_none / std::max(1.0, frames_all);
  r.total_flip = frames_flip / std::max(1.0, frames_all);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
  return r;
}

}  // namespace

// ensemble=auto, live: the element measures what the modes cost and takes the best one that fits
// the time between inputs. The two rates are set from this machine's own single-pass cost c, so
// the test means the same on a fast and a slow machine: 2.5 c between inputs leaves room for one
// pass only (time would need 2 c, over half of it), 25 c for all four of time+flip.
TEST(LiveQuality, AutoEnsembleTakesWhatTheTimeBetweenInputsAllowsWithoutFlapping) {
  const double c = single_pass_seconds(64, 48);
  const AutoRun tight = run_auto(2.5 * c, 60);
  std::printf("single pass %.1f ms; tight (%.1f ms between inputs): %lu interpolated, none %.2f of frames, "
              "%lu switches\n",
              c * 1e3, 2.5 * c * 1e3, (unsigned long)tight.interpolated, tight.total_none,
              (unsigned long)tight.switches);
  EXPECT_GE(tight.total_none, 0.9) << "single pass when the budget is tight";
  EXPECT_LE(tight.switches, 1u);

  const AutoRun loose = run_auto(25 * c, 36);
  std::printf("loose (%.1f ms between inputs): %lu interpolated, time+flip %.2f of frames (%.2f in the last "
              "window), %lu switches\n",
              25 * c * 1e3, (unsigned long)loose.interpolated, loose.total_flip, loose.last_flip,
              (unsigned long)loose.switches);
  EXPECT_EQ(loose.last_flip, 1.0) << "time+flip once the element has climbed to it";
  EXPECT_EQ(loose.switches, 2u) << "single -> time -> time+flip, and no more";
}

namespace {

// gst-rtsp-server on 127.0.0.1, port chosen by the system, serving live H.264 at 25 fps.
struct RtspServer {
  GMainContext* context = g_main_context_new();
  GMainLoop* loop = g_main_loop_new(context, FALSE);
  GstRTSPServer* server = gst_rtsp_server_new();
  std::thread thread;
  int port = 0;

  RtspServer() {
    gst_rtsp_server_set_address(server, "127.0.0.1");
    gst_rtsp_server_set_service(server, "0");
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(
        factory,
        "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=96,framerate=25/1 ! "
        "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay0 pt=96 )");
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
    gst_rtsp_mount_points_add_factory(mounts, "/test", factory);
    g_object_unref(mounts);
    EXPECT_GT(gst_rtsp_server_attach(server, context), 0u);
    port = gst_rtsp_server_get_bound_port(server);
    thread = std::thread([this] { g_main_loop_run(loop); });
  }
  ~RtspServer() {
    g_main_loop_quit(loop);
    thread.join();
    g_object_unref(server);
    g_main_loop_unref(loop);
    g_main_context_unref(context);
  }
};

}  // namespace

TEST(Rtsp, RtspsrcThroughRifeGivesTheDoubledRateWithMonotonicTimestamps) {
  RtspServer server;
  ASSERT_GT(server.port, 0);
  // qos=false: this test is about the stream, not about keeping up (LiveQos covers that).
  const std::string launch = "rtspsrc location=rtsp://127.0.0.1:" + std::to_string(server.port) +
                             "/test latency=200 protocols=tcp ! rtph264depay ! avdec_h264 ! "
                             "rife name=rife device=cpu qos=false model-path=" +
                             kModel + " ! appsink name=sink sync=false";
  GstElement* pipeline = gst_parse_launch(launch.c_str(), nullptr);
  ASSERT_NE(pipeline, nullptr);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  std::vector<GstClockTime> pts;
  std::string caps;
  const gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
  while (pts.size() < 50 && g_get_monotonic_time() < deadline) {
    GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), GST_SECOND);
    if (!s) continue;
    if (caps.empty()) {
      gchar* c = gst_caps_to_string(gst_sample_get_caps(s));
      caps = c;
      g_free(c);
    }
    pts.push_back(GST_BUFFER_PTS(gst_sample_get_buffer(s)));
    gst_sample_unref(s);
  }
  const guint64 interpolated = counter(pipeline, "frames-interpolated");
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);

  ASSERT_EQ(pts.size(), 50u) << "50 frames within 60 s";
  EXPECT_NE(caps.find("framerate=(fraction)50/1"), std::string::npos) << caps;
  EXPECT_NE(caps.find("format=(string)I420"), std::string::npos) << "decoder output taken as it is: " << caps;
  for (size_t i = 1; i < pts.size(); ++i) {
    ASSERT_GT(pts[i], pts[i - 1]) << i;
    EXPECT_EQ(pts[i] - pts[i - 1], GST_SECOND / 50) << "one output every 20 ms at " << i;
  }
  EXPECT_GE(interpolated, 24u) << "every second output interpolated";
}
