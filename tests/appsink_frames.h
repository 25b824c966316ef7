// Running a whole gst-launch pipeline into an appsink and keeping what arrived: shared by the
// pipeline tests.
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rife_test {

struct Frame {
  GstClockTime pts;
  GstClockTime duration;
  std::vector<guint8> bytes;
};

// Runs `launch` (which has an appsink named "sink") to EOS and returns every frame it received.
inline std::vector<Frame> run_to_appsink(const std::string& launch, std::string* caps_out = nullptr) {
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &err);
  if (!pipeline) {
    ADD_FAILURE() << "cannot build pipeline: " << (err ? err->message : "?");
    return {};
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  EXPECT_NE(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  std::vector<Frame> frames;
  while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 120 * GST_SECOND)) {
    GstBuffer* buf = gst_sample_get_buffer(sample);
    if (caps_out && caps_out->empty()) {
      gchar* c = gst_caps_to_string(gst_sample_get_caps(sample));
      *caps_out = c;
      g_free(c);
    }
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_READ);
    frames.push_back(
        {GST_BUFFER_PTS(buf), GST_BUFFER_DURATION(buf), std::vector<guint8>(map.data, map.data + map.size)});
    gst_buffer_unmap(buf, &map);
    gst_sample_unref(sample);
  }
  EXPECT_TRUE(gst_app_sink_is_eos(GST_APP_SINK(sink))) << "the appsink must reach EOS";
  // The pipeline's EOS comes when every sink (a filesink writing an MP4, say) has finished.
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  if (!msg) {
    ADD_FAILURE() << "the pipeline did not reach EOS";
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* e = nullptr;
    gst_message_parse_error(msg, &e, nullptr);
    ADD_FAILURE() << "pipeline error: " << e->message;
    g_error_free(e);
  }
  if (msg) gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return frames;
}

}  // namespace rife_test
