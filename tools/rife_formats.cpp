#include "rife_formats.h"

#include <algorithm>

#include "gst_ptr.h"

namespace rife_convert {
namespace {

int depth_of(GstVideoFormat f) { return GST_VIDEO_FORMAT_INFO_DEPTH(gst_video_format_get_info(f), 0); }

bool same_layout_family(const GstVideoFormatInfo* a, const GstVideoFormatInfo* b) {
  return GST_VIDEO_FORMAT_INFO_IS_YUV(a) == GST_VIDEO_FORMAT_INFO_IS_YUV(b) &&
         GST_VIDEO_FORMAT_INFO_IS_RGB(a) == GST_VIDEO_FORMAT_INFO_IS_RGB(b);
}

bool same_subsampling(const GstVideoFormatInfo* a, const GstVideoFormatInfo* b) {
  if (!GST_VIDEO_FORMAT_INFO_IS_YUV(a)) return true;
  return GST_VIDEO_FORMAT_INFO_W_SUB(a, 1) == GST_VIDEO_FORMAT_INFO_W_SUB(b, 1) &&
         GST_VIDEO_FORMAT_INFO_H_SUB(a, 1) == GST_VIDEO_FORMAT_INFO_H_SUB(b, 1);
}

}  // namespace

std::vector<GstVideoFormat> rife_input_formats() {
  std::vector<GstVideoFormat> formats;
  GstPtr<GstElementFactory> factory(gst_element_factory_find("rife"));
  if (!factory) return formats;
  for (const GList* l = gst_element_factory_get_static_pad_templates(factory.get()); l; l = l->next) {
    auto* t = static_cast<GstStaticPadTemplate*>(l->data);
    if (t->direction != GST_PAD_SINK) continue;
    CapsPtr caps(gst_static_pad_template_get_caps(t));
    for (guint i = 0; i < gst_caps_get_size(caps.get()); ++i) {
      const GValue* value = gst_structure_get_value(gst_caps_get_structure(caps.get(), i), "format");
      if (!value) continue;
      auto add = [&](const GValue* v) {
        if (!G_VALUE_HOLDS_STRING(v)) return;
        const GstVideoFormat f = gst_video_format_from_string(g_value_get_string(v));
        if (f != GST_VIDEO_FORMAT_UNKNOWN && std::find(formats.begin(), formats.end(), f) == formats.end())
          formats.push_back(f);
      };
      if (GST_VALUE_HOLDS_LIST(value))
        for (guint k = 0; k < gst_value_list_get_size(value); ++k) add(gst_value_list_get_value(value, k));
      else
        add(value);
    }
  }
  return formats;
}

bool rife_takes_high_depth(const std::vector<GstVideoFormat>& formats) {
  return std::any_of(formats.begin(), formats.end(), [](GstVideoFormat f) { return depth_of(f) > 8; });
}

GstVideoFormat format_for_rife(GstVideoFormat decoded, const std::vector<GstVideoFormat>& formats,
                               std::string* notice) {
  if (std::find(formats.begin(), formats.end(), decoded) != formats.end()) return decoded;
  const GstVideoFormatInfo* from = gst_video_format_get_info(decoded);
  const int depth = depth_of(decoded);
  // Best: same depth, same kind (YUV/RGB), same chroma subsampling; then lose depth before
  // subsampling; the template's order breaks ties.
  GstVideoFormat best = GST_VIDEO_FORMAT_UNKNOWN;
  int best_score = -1;
  for (GstVideoFormat f : formats) {
    const GstVideoFormatInfo* to = gst_video_format_get_info(f);
    const bool keeps_depth = depth_of(f) >= std::min(depth, 10) && (depth > 8) == (depth_of(f) > 8);
    const bool alpha_matches = GST_VIDEO_FORMAT_INFO_HAS_ALPHA(from) == GST_VIDEO_FORMAT_INFO_HAS_ALPHA(to);
    const int score =
        8 * keeps_depth + 4 * same_layout_family(from, to) + 2 * same_subsampling(from, to) + alpha_matches;
    if (score > best_score) {
      best = f;
      best_score = score;
    }
  }
  if (depth > 8 && best != GST_VIDEO_FORMAT_UNKNOWN && depth_of(best) <= 8)
    *notice = std::string("the video is ") + std::to_string(depth) + "-bit (" + gst_video_format_to_string(decoded) +
              ") and this rife element takes 8-bit frames only: it is converted to " + gst_video_format_to_string(best);
  return best;
}

}  // namespace rife_convert
