// Everything decided before the pipeline is built: the container, the output rate, the video
// encoder and its quality settings, what happens to each audio stream, and the encoding profile
// that tells encodebin all of it.
#pragma once

#include <gst/pbutils/encoding-profile.h>
#include <gst/video/video.h>

#include <string>
#include <vector>

#include "container.h"
#include "encoders.h"
#include "input_probe.h"
#include "options.h"

namespace rife_convert {

struct Plan {
  Options options;
  InputFacts input;
  Container container;
  VideoEncoder encoder;
  Fraction output_rate;  // 0/1: variable-rate input, rife places each output between its inputs
  std::vector<GstVideoFormat> rife_formats;
  bool high_depth_flows = false;            // a 10-bit source stays 10-bit through rife and the encoder
  std::vector<CapsPtr> audio_copy_formats;  // one encoding profile "audio-copy-K" each
  CapsPtr audio_encode_format;              // the profile "audio-encode", or null
  std::vector<std::string> lines;           // what the user is told before the conversion starts
};

// 0 and a filled plan, or the exit status (1 input/encoder problems, 2 bad arguments) and a
// one-line error.
int make_plan(const Options& options, Plan* plan, std::string* error);

// The profile for encodebin: the container with the chosen muxer, the video stream (constant
// rate off: rife's timestamps are kept, encodebin adds no videorate) and the audio profiles.
GstEncodingProfile* build_profile(const Plan& plan);

std::string fraction_text(Fraction f);  // "25", "30000/1001"

}  // namespace rife_convert
