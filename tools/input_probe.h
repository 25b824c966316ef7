// What the input holds, read once with GstDiscoverer before the pipeline is built: its streams (the
// parsed caps of each: what a muxer would be given when a stream is copied), the duration, the
// video's size, rate and bit depth. Every reason an input cannot be converted becomes one line.
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

#include "gst_ptr.h"
#include "options.h"

namespace rife_convert {

struct VideoFacts {
  int width = 0, height = 0;
  Fraction rate;            // 0/1: variable rate
  bool high_depth = false;  // more than 8 bits per component
  CapsPtr caps;             // as parsed (video/x-h264, ...) or raw
  std::string codec;        // "H.264 (High Profile)"
};

struct InputFacts {
  std::string uri;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
  std::string container;  // "Quicktime", "Matroska", ...
  VideoFacts video;
  int video_streams = 0;
  std::vector<CapsPtr> audio;      // one per audio stream
  std::vector<CapsPtr> subtitles;  // one per subtitle stream
};

// false and a one-line `error` naming the input and the problem: unreadable, not a media file,
// a plugin missing, no video stream, a still image.
bool probe_input(const std::string& path, InputFacts* facts, std::string* error);

// The URI for a path (or the text itself when it already is a URI).
std::string uri_for(const std::string& path);

// Expected output frames for N input frames: (N - 1) * R / r + 1 (0 when unknown).
uint64_t expected_output_frames(GstClockTime duration, Fraction in_rate, Fraction out_rate);

}  // namespace rife_convert
