#include "plan.h"

#include <gst/pbutils/pbutils.h>

#include <cmath>
#include <cstdio>
#include <numeric>

#include "rife_formats.h"

namespace rife_convert {
namespace {

std::string describe(const GstCaps* caps) {
  GCharPtr text(gst_caps_is_fixed(caps) ? gst_pb_utils_get_codec_description(caps) : nullptr);
  return text ? text.get() : caps_string(caps);
}

std::string settings_text(const PropertySettings& settings) {
  std::string text;
  for (const auto& [name, value] : settings) text += (text.empty() ? "" : " ") + name + "=" + value;
  return text;
}

Fraction times(Fraction rate, double factor) {
  gint n = 0, d = 1;
  gst_util_double_to_fraction(factor, &n, &d);
  const long long num = 1LL * rate.num * n, den = 1LL * rate.den * d;
  const long long g = std::gcd(num, den);
  return {int(num / g), int(den / g)};
}

bool below(Fraction a, Fraction b) { return 1LL * a.num * b.den < 1LL * b.num * a.den; }

}  // namespace

std::string fraction_text(Fraction f) {
  return f.den == 1 ? std::to_string(f.num) : std::to_string(f.num) + "/" + std::to_string(f.den);
}

int make_plan(const Options& options, Plan* plan, std::string* error) {
  plan->options = options;
  if (!container_for(options.output, &plan->container, error)) return 2;
  if (!probe_input(options.input, &plan->input, error)) return 1;
  const VideoFacts& video = plan->input.video;

  if (video.rate.num == 0) {
    if (options.rate_given || options.factor != 2.0) {
      *error = options.input +
               " has a variable frame rate: rife places one frame between each pair of its frames, "
               "so --rate and --factor do not apply";
      return 2;
    }
    plan->output_rate = {0, 1};
  } else {
    plan->output_rate = options.rate_given ? options.rate : times(video.rate, options.factor);
    if (below(plan->output_rate, video.rate)) {
      *error = "--rate " + fraction_text(plan->output_rate) + " is below the input's " + fraction_text(video.rate) +
               " fps: rife only raises the frame rate";
      return 2;
    }
  }

  plan->rife_formats = rife_input_formats();
  if (plan->rife_formats.empty()) {
    *error = "the rife element is not installed where GStreamer looks (set GST_PLUGIN_PATH, see README, Install)";
    return 1;
  }
  plan->high_depth_flows = video.high_depth && rife_takes_high_depth(plan->rife_formats);

  VideoNeeds needs;
  needs.width = video.width;
  needs.height = video.height;
  needs.high_depth = plan->high_depth_flows;
  needs.quality = options.quality;
  needs.user_settings = options.encoder_settings;
  if (!choose_video_encoder(options.encoder, plan->container, needs, &plan->encoder, error)) return 1;

  char line[512];
  std::snprintf(line, sizeof line, "input:  %s: %dx%d %s at %s fps, %.2f s%s%s", options.input.c_str(), video.width,
                video.height, video.codec.c_str(), video.rate.num ? fraction_text(video.rate).c_str() : "variable",
                GST_CLOCK_TIME_IS_VALID(plan->input.duration) ? double(plan->input.duration) / GST_SECOND : 0.0,
                plan->input.container.empty() ? "" : ", ", plan->input.container.c_str());
  plan->lines.push_back(line);
  const std::string quality =
      constant_quality_settings(plan->encoder.name(), options.quality).empty()
          ? "the encoder's own rate control"
          : "constant quality " + std::to_string(options.quality) + " (" + settings_text(plan->encoder.settings) + ")";
  std::snprintf(line, sizeof line, "output: %s: %s (%s), video %s by %s%s at %s fps, %s", options.output.c_str(),
                plan->container.description.c_str(), plan->container.muxer_name(),
                describe(plan->encoder.format.get()).c_str(), plan->encoder.name(),
                plan->encoder.hardware ? " (hardware)" : "",
                plan->output_rate.num ? fraction_text(plan->output_rate).c_str() : "variable", quality.c_str());
  plan->lines.push_back(line);
  if (!plan->encoder.note.empty()) plan->lines.push_back("note:   " + plan->encoder.note);
  if (video.high_depth && !plan->high_depth_flows)
    plan->lines.push_back(
        "note:   the video is more than 8-bit and this rife element takes 8-bit frames only: "
        "it is converted to 8-bit");

  plan->audio_encode_format = audio_encoding_format(plan->container);
  for (size_t i = 0; i < plan->input.audio.size(); ++i) {
    const GstCaps* caps = plan->input.audio[i].get();
    CapsPtr copy = copy_format(caps);
    std::string what;
    if (plan->container.accepts(copy.get())) {
      bool known = false;
      for (const auto& c : plan->audio_copy_formats) known = known || gst_caps_is_equal(c.get(), copy.get());
      if (!known) plan->audio_copy_formats.push_back(std::move(copy));
      what = "copied";
    } else if (plan->audio_encode_format) {
      what = "re-encoded to " + describe(plan->audio_encode_format.get()) + " (" + plan->container.description +
             " does not take " + describe(caps) + ")";
    } else {
      what = "left out: " + plan->container.description + " takes no audio that can be encoded here";
    }
    plan->lines.push_back("audio " + std::to_string(i + 1) + ": " + describe(caps) + ", " + what);
  }
  for (size_t i = 0; i < plan->input.subtitles.size(); ++i)
    plan->lines.push_back("subtitles " + std::to_string(i + 1) + ": " + describe(plan->input.subtitles[i].get()) +
                          ", left out (not carried yet)");
  return 0;
}

GstEncodingProfile* build_profile(const Plan& plan) {
  GstEncodingContainerProfile* container = gst_encoding_container_profile_new(
      "rife-convert", plan.container.description.c_str(), plan.container.caps.get(), nullptr);
  gst_encoding_profile_set_preset_name(GST_ENCODING_PROFILE(container), plan.container.muxer_name());

  GstEncodingVideoProfile* video =
      gst_encoding_video_profile_new(plan.encoder.format.get(), nullptr, plan.encoder.restriction.get(), 0);
  gst_encoding_profile_set_name(GST_ENCODING_PROFILE(video), "video");
  gst_encoding_profile_set_preset_name(GST_ENCODING_PROFILE(video), plan.encoder.name());
  // rife's output times are the grid already; a videorate would only risk duplicating the last frame.
  gst_encoding_video_profile_set_variableframerate(video, TRUE);
  gst_encoding_container_profile_add_profile(container, GST_ENCODING_PROFILE(video));

  // Presence 0 everywhere: encodebin makes a stream only for the pads requested (one video; one per
  // audio stream); copied streams keep their codec (encodebin passes encoded input through when it
  // matches the profile's format).
  for (size_t k = 0; k < plan.audio_copy_formats.size(); ++k) {
    GstEncodingAudioProfile* copy =
        gst_encoding_audio_profile_new(plan.audio_copy_formats[k].get(), nullptr, nullptr, 0);
    gst_encoding_profile_set_name(GST_ENCODING_PROFILE(copy), ("audio-copy-" + std::to_string(k)).c_str());
    gst_encoding_container_profile_add_profile(container, GST_ENCODING_PROFILE(copy));
  }
  if (plan.audio_encode_format) {
    GstEncodingAudioProfile* encode =
        gst_encoding_audio_profile_new(plan.audio_encode_format.get(), nullptr, nullptr, 0);
    gst_encoding_profile_set_name(GST_ENCODING_PROFILE(encode), "audio-encode");
    gst_encoding_container_profile_add_profile(container, GST_ENCODING_PROFILE(encode));
  }
  return GST_ENCODING_PROFILE(container);
}

}  // namespace rife_convert
