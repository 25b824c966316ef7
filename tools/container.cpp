#include "container.h"

#include <gst/pbutils/pbutils.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

namespace rife_convert {
namespace {

// GStreamer's type finders give one caps for several extensions (video/quicktime: mov and mp4;
// video/x-matroska: mkv and webm), so the variant each of these names means is stated here. Any
// other extension is looked up among the installed type finders.
const struct {
  const char* extension;
  const char* caps;
  const char* description;
} kVariantOfExtension[] = {
    {"mp4", "video/quicktime, variant=(string)iso", "MP4"},
    {"m4v", "video/quicktime, variant=(string)iso", "MP4"},
    {"mov", "video/quicktime, variant=(string)apple", "QuickTime"},
    {"mkv", "video/x-matroska", "Matroska"},
    {"webm", "video/webm", "WebM"},
};

CapsPtr src_caps_of(GstElementFactory* factory) {
  CapsPtr all(gst_caps_new_empty());
  for (const GList* l = gst_element_factory_get_static_pad_templates(factory); l; l = l->next) {
    auto* t = static_cast<GstStaticPadTemplate*>(l->data);
    if (t->direction == GST_PAD_SRC) all.reset(gst_caps_merge(all.release(), gst_static_pad_template_get_caps(t)));
  }
  return all;
}

// The caps the type finders give files with this extension.
CapsPtr typefinder_caps_for(const std::string& extension) {
  CapsPtr caps(gst_caps_new_empty());
  GList* finders = gst_type_find_factory_get_list();
  for (GList* l = finders; l; l = l->next) {
    auto* finder = GST_TYPE_FIND_FACTORY(l->data);
    const gchar* const* extensions = gst_type_find_factory_get_extensions(finder);
    GstCaps* found = gst_type_find_factory_get_caps(finder);
    for (int i = 0; extensions && extensions[i] && found; ++i)
      if (extension == extensions[i]) caps.reset(gst_caps_merge(caps.release(), gst_caps_ref(found)));
  }
  gst_plugin_feature_list_free(finders);
  return caps;
}

bool writes_only(GstElementFactory* muxer, const GstCaps* wanted) {
  CapsPtr src = src_caps_of(muxer);
  for (guint i = 0; i < gst_caps_get_size(src.get()); ++i) {
    CapsPtr one(gst_caps_copy_nth(src.get(), i));
    if (gst_caps_is_subset(one.get(), wanted)) return true;
  }
  return false;
}

// The muxer's name says what it writes (matroskamux for video/x-matroska, mpegtsmux for video/mpegts).
bool named_after(GstElementFactory* muxer, const GstCaps* wanted) {
  std::string type = gst_structure_get_name(gst_caps_get_structure(wanted, 0));
  type = type.substr(type.find('/') + 1);
  if (type.rfind("x-", 0) == 0) type = type.substr(2);
  return std::string(GST_OBJECT_NAME(muxer)) == type + "mux";
}

// The best installed muxer for `wanted`: one that writes exactly that (not a wider family), then
// GStreamer's rank, then the one named after the format.
GstElementFactory* best_muxer_for(const GstCaps* wanted) {
  GList* muxers = gst_element_factory_list_get_elements(GST_ELEMENT_FACTORY_TYPE_MUXER, GST_RANK_MARGINAL);
  GstElementFactory* best = nullptr;
  auto key = [&](GstElementFactory* f) {
    return std::make_tuple(writes_only(f, wanted), gst_plugin_feature_get_rank(GST_PLUGIN_FEATURE(f)),
                           named_after(f, wanted));
  };
  for (GList* l = muxers; l; l = l->next) {
    auto* f = GST_ELEMENT_FACTORY(l->data);
    CapsPtr src = src_caps_of(f);
    if (!gst_caps_can_intersect(src.get(), wanted)) continue;
    if (!best || key(f) > key(best)) best = f;
  }
  if (best) gst_object_ref(best);
  gst_plugin_feature_list_free(muxers);
  return best;
}

std::string extensions_that_work() {
  std::set<std::string> known;
  for (const auto& v : kVariantOfExtension) {
    CapsPtr caps(gst_caps_from_string(v.caps));
    if (GstPtr<GstElementFactory>(best_muxer_for(caps.get()))) known.insert(v.extension);
  }
  GList* finders = gst_type_find_factory_get_list();
  for (GList* l = finders; l; l = l->next) {
    auto* finder = GST_TYPE_FIND_FACTORY(l->data);
    const gchar* const* extensions = gst_type_find_factory_get_extensions(finder);
    GstCaps* caps = gst_type_find_factory_get_caps(finder);
    if (!extensions || !caps || !g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/"))
      continue;
    if (!GstPtr<GstElementFactory>(best_muxer_for(caps))) continue;
    for (int i = 0; extensions[i]; ++i) known.insert(extensions[i]);
  }
  gst_plugin_feature_list_free(finders);
  std::string list;
  for (const auto& e : known) list += (list.empty() ? "" : ", ") + e;
  return list;
}

}  // namespace

std::string extension_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

bool container_for(const std::string& output_path, Container* container, std::string* error) {
  const std::string ext = extension_of(output_path);
  CapsPtr wanted;
  std::string description;
  for (const auto& v : kVariantOfExtension)
    if (ext == v.extension) {
      wanted.reset(gst_caps_from_string(v.caps));
      description = v.description;
    }
  if (!wanted && !ext.empty()) wanted = typefinder_caps_for(ext);
  GstPtr<GstElementFactory> muxer(wanted && !gst_caps_is_empty(wanted.get()) ? best_muxer_for(wanted.get()) : nullptr);
  if (!muxer) {
    *error = "cannot tell the container from " + output_path +
             (ext.empty() ? " (no extension)" : ": no installed muxer writes ." + ext + " files") +
             "; extensions that work here: " + extensions_that_work();
    return false;
  }
  CapsPtr written(gst_caps_intersect(src_caps_of(muxer.get()).get(), wanted.get()));
  container->extension = ext;
  // Fixed caps for the profile (MPEG-TS muxers offer packet sizes 188 and 192: the first is taken).
  container->caps.reset(gst_caps_fixate(gst_caps_copy_nth(written.get(), 0)));
  container->muxer = std::move(muxer);
  if (description.empty()) {
    GCharPtr text(gst_pb_utils_get_codec_description(container->caps.get()));
    description = text ? text.get() : ext;
  }
  container->description = description;
  return true;
}

bool Container::accepts(const GstCaps* caps) const {
  for (const GList* l = gst_element_factory_get_static_pad_templates(muxer.get()); l; l = l->next) {
    auto* t = static_cast<GstStaticPadTemplate*>(l->data);
    if (t->direction != GST_PAD_SINK) continue;
    CapsPtr sink(gst_static_pad_template_get_caps(t));
    if (gst_caps_can_intersect(sink.get(), caps)) return true;
  }
  return false;
}

CapsPtr Container::sink_caps(const char* media_prefix) const {
  CapsPtr result(gst_caps_new_empty());
  for (const GList* l = gst_element_factory_get_static_pad_templates(muxer.get()); l; l = l->next) {
    auto* t = static_cast<GstStaticPadTemplate*>(l->data);
    if (t->direction != GST_PAD_SINK) continue;
    CapsPtr sink(gst_static_pad_template_get_caps(t));
    for (guint i = 0; i < gst_caps_get_size(sink.get()); ++i)
      if (g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(sink.get(), i)), media_prefix))
        result.reset(gst_caps_merge(result.release(), gst_caps_copy_nth(sink.get(), i)));
  }
  return result;
}

}  // namespace rife_convert
