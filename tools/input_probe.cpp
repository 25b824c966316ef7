#include "input_probe.h"

#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace rife_convert {
namespace {

constexpr GstClockTime kDiscoverTimeout = 30 * GST_SECOND;

bool is_high_depth(const GstCaps* caps) {
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  if (gst_structure_has_name(s, "video/x-raw")) {
    const gchar* format = gst_structure_get_string(s, "format");
    const GstVideoFormatInfo* info = format ? gst_video_format_get_info(gst_video_format_from_string(format)) : nullptr;
    return info && GST_VIDEO_FORMAT_INFO_DEPTH(info, 0) > 8;
  }
  // Parsers state it for H.264, H.265, VP9 and AV1.
  guint depth = 0;
  return gst_structure_get_uint(s, "bit-depth-luma", &depth) && depth > 8;
}

std::string description_of(const GstCaps* caps) {
  GCharPtr text(gst_caps_is_fixed(caps) ? gst_pb_utils_get_codec_description(caps) : nullptr);
  return text ? text.get() : caps_string(caps);
}

std::string readable_or_reason(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::strerror(errno);
  if (S_ISDIR(st.st_mode)) return "it is a folder";
  if (access(path.c_str(), R_OK) != 0) return std::strerror(errno);
  return "";
}

}  // namespace

std::string uri_for(const std::string& path) {
  if (gst_uri_is_valid(path.c_str())) return path;
  GError* error = nullptr;
  GCharPtr uri(gst_filename_to_uri(path.c_str(), &error));
  if (error) g_error_free(error);
  return uri ? uri.get() : path;
}

uint64_t expected_output_frames(GstClockTime duration, Fraction in_rate, Fraction out_rate) {
  if (!GST_CLOCK_TIME_IS_VALID(duration) || in_rate.num <= 0 || out_rate.num <= 0) return 0;
  const double inputs = std::round(double(duration) / GST_SECOND * in_rate.value());
  if (inputs < 1) return 0;
  // Every output time from the first input to the last one, on the output grid.
  return uint64_t(std::floor((inputs - 1) * out_rate.value() / in_rate.value() + 1e-6)) + 1;
}

bool probe_input(const std::string& path, InputFacts* facts, std::string* error) {
  const bool is_uri = gst_uri_is_valid(path.c_str());
  if (!is_uri) {
    const std::string reason = readable_or_reason(path);
    if (!reason.empty()) {
      *error = "cannot read " + path + ": " + reason;
      return false;
    }
  }
  facts->uri = uri_for(path);
  GError* gerror = nullptr;
  GObjectPtr<GstDiscoverer> discoverer(gst_discoverer_new(kDiscoverTimeout, &gerror));
  if (!discoverer) {
    *error = std::string("cannot start GStreamer's discoverer: ") + (gerror ? gerror->message : "?");
    if (gerror) g_error_free(gerror);
    return false;
  }
  GObjectPtr<GstDiscovererInfo> info(gst_discoverer_discover_uri(discoverer.get(), facts->uri.c_str(), &gerror));
  const GstDiscovererResult result = info ? gst_discoverer_info_get_result(info.get()) : GST_DISCOVERER_ERROR;
  const std::string message = gerror ? gerror->message : "";
  if (gerror) g_error_free(gerror);
  switch (result) {
    case GST_DISCOVERER_OK:
      break;
    case GST_DISCOVERER_URI_INVALID:
      *error = path + ": not a file or URI GStreamer can open";
      return false;
    case GST_DISCOVERER_TIMEOUT:
      *error = path + ": no answer from GStreamer within 30 s while reading it";
      return false;
    case GST_DISCOVERER_MISSING_PLUGINS: {
      const gchar** details = gst_discoverer_info_get_missing_elements_installer_details(info.get());
      std::string what;
      // Installer details read "gstreamer|1.0|app|H.264 (High Profile) decoder|decoder-video/x-h264...":
      // the fourth field is the description.
      for (int i = 0; details && details[i]; ++i) {
        gchar** fields = g_strsplit(details[i], "|", 5);
        what += (i ? ", " : "") + std::string(g_strv_length(fields) > 3 ? fields[3] : details[i]);
        g_strfreev(fields);
      }
      *error = path + ": GStreamer lacks a plugin to read it (" + (what.empty() ? message : what) + ")";
      return false;
    }
    default:
      *error = path + ": not a media file GStreamer can read" + (message.empty() ? "" : " (" + message + ")");
      return false;
  }
  facts->duration = gst_discoverer_info_get_duration(info.get());
  if (GstDiscovererStreamInfo* top = gst_discoverer_info_get_stream_info(info.get())) {
    if (GST_IS_DISCOVERER_CONTAINER_INFO(top)) {
      CapsPtr caps(gst_discoverer_stream_info_get_caps(top));
      if (caps) facts->container = description_of(caps.get());
    }
    gst_discoverer_stream_info_unref(top);
  }
  bool only_images = false;
  GList* videos = gst_discoverer_info_get_video_streams(info.get());
  for (GList* l = videos; l; l = l->next) {
    auto* v = GST_DISCOVERER_VIDEO_INFO(l->data);
    if (gst_discoverer_video_info_is_image(v)) {
      only_images = true;
      continue;
    }
    if (facts->video_streams++ > 0) continue;
    facts->video.width = int(gst_discoverer_video_info_get_width(v));
    facts->video.height = int(gst_discoverer_video_info_get_height(v));
    facts->video.rate = {int(gst_discoverer_video_info_get_framerate_num(v)),
                         int(std::max(1u, gst_discoverer_video_info_get_framerate_denom(v)))};
    facts->video.caps.reset(gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(v)));
    if (facts->video.caps) {
      facts->video.high_depth = is_high_depth(facts->video.caps.get());
      facts->video.codec = description_of(facts->video.caps.get());
    }
  }
  gst_discoverer_stream_info_list_free(videos);
  GList* audios = gst_discoverer_info_get_audio_streams(info.get());
  for (GList* l = audios; l; l = l->next)
    facts->audio.emplace_back(gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(l->data)));
  gst_discoverer_stream_info_list_free(audios);
  GList* subtitles = gst_discoverer_info_get_subtitle_streams(info.get());
  for (GList* l = subtitles; l; l = l->next)
    facts->subtitles.emplace_back(gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(l->data)));
  gst_discoverer_stream_info_list_free(subtitles);

  if (facts->video_streams == 0) {
    *error = path + ": " + (only_images ? "a still image, not a video" : "no video stream") +
             (facts->audio.empty() ? "" : " (" + std::to_string(facts->audio.size()) + " audio)");
    return false;
  }
  if (facts->video.width <= 0 || facts->video.height <= 0) {
    *error = path + ": the video stream has no size GStreamer can read";
    return false;
  }
  return true;
}

}  // namespace rife_convert
