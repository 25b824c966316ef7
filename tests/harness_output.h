// Collecting what a GstHarness pushed: shared by the element tests.
#pragma once

#include <gst/check/gstharness.h>

#include <string>
#include <vector>

namespace rife_test {

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
