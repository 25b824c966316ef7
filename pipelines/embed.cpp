// Embedding rife in an application: build a pipeline around the element, pull the frames it
// produces from an appsink and use them (here: print their times and check they are in order).
//
//   rife-embed [--model FILE] [--device cpu|cuda] [--frames N] [--uri URI]
//
// Without --uri a test pattern at 30 fps is used; with it, any URI GStreamer can play
// (file:///..., rtsp://...), decoded and fed to rife without videoconvert (rife takes I420/NV12).
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  std::string model, device = "auto", uri;
  int frames = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--model"))
      model = argv[i + 1];
    else if (!std::strcmp(argv[i], "--device"))
      device = argv[i + 1];
    else if (!std::strcmp(argv[i], "--frames"))
      frames = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--uri"))
      uri = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--model FILE] [--device cpu|cuda] [--frames N] [--uri URI]\n", argv[0]);
      return 2;
    }
  }
  const std::string source = uri.empty() ? "videotestsrc pattern=ball num-buffers=" + std::to_string(frames) +
                                               " ! video/x-raw,format=I420,width=320,height=180,framerate=30/1"
                                         : "uridecodebin uri=" + uri;
  const std::string launch = source + " ! rife name=rife device=" + device +
                             (model.empty() ? "" : " model-path=" + model) + " ! appsink name=sink sync=false";
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &error);
  if (!pipeline) {
    std::fprintf(stderr, "cannot build the pipeline: %s\n", error ? error->message : "?");
    return 1;
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The element posts why (e.g. the weights file is missing) on the bus: its message names the
    // file, the last line of its debug text gives the reason. One line, status 1.
    GstMessage* msg = gst_bus_pop_filtered(GST_ELEMENT_BUS(pipeline), GST_MESSAGE_ERROR);
    GError* err = nullptr;
    gchar* debug = nullptr;
    if (msg) gst_message_parse_error(msg, &err, &debug);
    const char* reason = debug ? std::strrchr(debug, '\n') : nullptr;
    reason = reason ? reason + 1 : (debug ? debug : "");
    std::fprintf(stderr, "rife-embed: cannot start: %s: %s\n", err ? err->message : "?", reason);
    return 1;
  }
  int pulled = 0, out_of_order = 0;
  GstClockTime last = GST_CLOCK_TIME_NONE;
  while (GstSample* sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) {
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (pulled == 0) {
      gchar* caps = gst_caps_to_string(gst_sample_get_caps(sample));
      std::printf("caps: %s\n", caps);
      g_free(caps);
    }
    const GstClockTime pts = GST_BUFFER_PTS(buffer);
    if (GST_CLOCK_TIME_IS_VALID(last) && pts <= last) ++out_of_order;
    last = pts;
    std::printf("frame %d at %" GST_TIME_FORMAT "\n", pulled, GST_TIME_ARGS(pts));
    ++pulled;
    gst_sample_unref(sample);
  }
  GstMessage* msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipeline), GST_SECOND,
                                               GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
  const bool failed = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
  if (failed) {
    GError* err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    std::fprintf(stderr, "error: %s\n", err->message);
    g_error_free(err);
  }
  if (msg) gst_message_unref(msg);
  guint64 interpolated = 0;
  GstElement* rife = gst_bin_get_by_name(GST_BIN(pipeline), "rife");
  g_object_get(rife, "frames-interpolated", &interpolated, nullptr);
  std::printf("pulled %d frames (%lu interpolated), %d out of order\n", pulled, (unsigned long)interpolated,
              out_of_order);
  gst_object_unref(rife);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return failed || out_of_order ? 1 : 0;
}
