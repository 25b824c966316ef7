// The `rife` element under GstHarness, as every element test drives it: a harness around the element,
// caps, input frames, counters, and what it pushed or posted. One copy of each helper.
#pragma once

#include <gst/check/gstharness.h>

#include <cmath>
#include <string>
#include <vector>

#include "test_support.h"

namespace rife_test {

// Random weights in the official 4.6 layout: what the element tests run on (timing, events and
// buffers do not depend on the values of the weights; test_real_quality runs the real ones).
inline std::string fixture_model() { return fixture("official_plain.pth"); }

inline std::string rgb_caps(int w, int h, const std::string& rate, const std::string& format = "RGB") {
  return "video/x-raw,format=" + format + ",width=" + std::to_string(w) + ",height=" + std::to_string(h) +
         ",framerate=" + rate;
}

// A harness around `rife device=cpu <options> model-path=<model>` fed with `in_caps`, downstream
// asking for `out_caps` when given. scene-detection is off by default: synthetic frames are
// unrelated patterns, i.e. every pair would be a cut.
inline GstHarness* new_rife_harness(const std::string& in_caps, const std::string& options = "scene-detection=false",
                                    const std::string& model = fixture_model(), const std::string& out_caps = "") {
  GstHarness* h = gst_harness_new_parse(("rife device=cpu " + options + " model-path=" + model).c_str());
  gst_harness_set_src_caps_str(h, in_caps.c_str());
  if (!out_caps.empty()) gst_harness_set_sink_caps_str(h, out_caps.c_str());
  return h;
}

// A read-only counter property (frames-in, frames-interpolated...) of a rife element, or of the rife
// element inside a harness.
inline guint64 counter(GstElement* rife, const char* name) {
  guint64 v = 0;
  g_object_get(rife, name, &v, nullptr);
  return v;
}
inline guint64 counter(GstHarness* h, const char* name) {
  GstElement* rife = gst_harness_find_element(h, "rife");
  const guint64 v = counter(rife, name);
  gst_object_unref(rife);
  return v;
}

// A packed RGB frame whose bytes identify it (`seed`), at `pts` (GST_CLOCK_TIME_NONE: untimestamped).
inline GstBuffer* make_frame(int w, int h, int seed, GstClockTime pts, GstClockTime duration = GST_CLOCK_TIME_NONE) {
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, gsize(w) * h * 3, nullptr);
  GstMapInfo map;
  gst_buffer_map(buf, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < map.size; ++i) map.data[i] = guint8((i * (seed + 3) + seed * 17) % 251);
  gst_buffer_unmap(buf, &map);
  GST_BUFFER_PTS(buf) = pts;
  GST_BUFFER_DURATION(buf) = duration;
  return buf;
}

// Smooth RGB frames that move a little from one (i) to the next, like real video.
inline std::vector<guint8> moving_frame(int w, int h, int i) {
  std::vector<guint8> f(size_t(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        f[(size_t(y) * w + x) * 3 + c] =
            guint8(128 + 100 * std::sin(0.3 * (x + 2 * i) + 0.2 * y + c) * std::cos(0.1 * (y - i)));
  return f;
}

inline GstBuffer* buffer_of(const std::vector<guint8>& bytes, GstClockTime pts) {
  GstBuffer* b = gst_buffer_new_memdup(bytes.data(), bytes.size());
  GST_BUFFER_PTS(b) = pts;
  return b;
}

// A rife harness whose element posts to a bus of the test's own (a harness has none), both released
// at the end of the scope.
struct HarnessOnBus {
  GstHarness* h;
  GstBus* bus;
  HarnessOnBus(const std::string& in_caps, const std::string& options)
      : h(new_rife_harness(in_caps, options)), bus(gst_bus_new()) {
    gst_element_set_bus(h->element, bus);
  }
  ~HarnessOnBus() {
    gst_element_set_bus(h->element, nullptr);
    gst_object_unref(bus);
    gst_harness_teardown(h);
  }
  HarnessOnBus(const HarnessOnBus&) = delete;
  HarnessOnBus& operator=(const HarnessOnBus&) = delete;
};

// The messages of one type on `bus` so far; the caller unrefs them.
inline std::vector<GstMessage*> messages(GstBus* bus, GstMessageType type) {
  std::vector<GstMessage*> out;
  while (GstMessage* m = gst_bus_pop_filtered(bus, type)) out.push_back(m);
  return out;
}

// Every buffer the element has pushed so far (the harness delivers synchronously).
inline std::vector<GstBuffer*> pull_all(GstHarness* h) {
  std::vector<GstBuffer*> out;
  while (GstBuffer* b = gst_harness_try_pull(h)) out.push_back(b);
  return out;
}

// The bytes of a buffer (all of its memory, row padding included).
inline std::vector<guint8> bytes_of(GstBuffer* buf) {
  GstMapInfo map;
  gst_buffer_map(buf, &map, GST_MAP_READ);
  std::vector<guint8> v(map.data, map.data + map.size);
  gst_buffer_unmap(buf, &map);
  return v;
}

inline void unref_all(std::vector<GstBuffer*>& buffers) {
  for (auto* b : buffers) gst_buffer_unref(b);
  buffers.clear();
}

// The next ERROR message on `bus` (waiting up to `timeout`): its text and debug string.
struct PostedError {
  bool found = false;
  std::string message, debug;
};

inline PostedError pop_error(GstBus* bus, GstClockTime timeout) {
  PostedError out;
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, timeout, GST_MESSAGE_ERROR);
  if (!msg) return out;
  GError* err = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(msg, &err, &debug);
  out = {true, err ? err->message : "", debug ? debug : ""};
  if (err) g_error_free(err);
  g_free(debug);
  gst_message_unref(msg);
  return out;
}

}  // namespace rife_test
