#include "encoders.h"

#include <gst/video/video.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

namespace rife_convert {
namespace {

std::string num(long v) { return std::to_string(v); }
// H.264/H.265 quantisers run 0-51 like the scale; VPx and AV1 run 0-63.
long on_63(int q) { return std::lround(q * 63.0 / 51.0); }

// Constant quality per encoder. The hardware encoders get constant QP (the mode all of them have);
// x264 CRF (`pass=qual`), x265 CRF, VP8/VP9 constrained quality with a ceiling far above what the
// level needs, AV1 constant quality. Table order is the preference among encoders of one codec.
struct RateControl {
  const char* encoder;
  PropertySettings (*settings)(int q);
};
PropertySettings nvenc_constqp(int q) { return {{"rc-mode", "constqp"}, {"qp-const", num(q)}}; }
PropertySettings nvcuda_cqp(int q) {
  return {{"rc-mode", "cqp"}, {"qp-i", num(q)}, {"qp-p", num(q)}, {"qp-b", num(q)}};
}
PropertySettings va_cqp(int q) { return {{"rate-control", "cqp"}, {"qpi", num(q)}, {"qpp", num(q)}, {"qpb", num(q)}}; }
PropertySettings vaapi_cqp(int q) { return {{"rate-control", "cqp"}, {"init-qp", num(std::max(q, 1))}}; }
PropertySettings qsv_cqp(int q) {
  return {{"rate-control", "cqp"}, {"qp-i", num(q)}, {"qp-p", num(q)}, {"qp-b", num(q)}};
}
PropertySettings x264_crf(int q) { return {{"pass", "qual"}, {"quantizer", num(std::min(q, 50))}}; }
PropertySettings x265_crf(int q) { return {{"option-string", "crf=" + num(q)}}; }
// lag-in-frames=0: with a lookahead, GStreamer 1.22's vp9enc loses frames when it drains at EOS
// (measured: 157 of 162 frames written, at every cpu-used tried; all of them with no lookahead).
PropertySettings vpx_cq(int q) {
  return {{"end-usage", "cq"}, {"cq-level", num(on_63(q))}, {"target-bitrate", "200000000"},
          {"deadline", "1"},   {"cpu-used", "4"},           {"lag-in-frames", "0"}};
}
PropertySettings aom_q(int q) { return {{"end-usage", "q"}, {"cq-level", num(on_63(q))}, {"cpu-used", "6"}}; }

const RateControl kRateControl[] = {
    {"nvh265enc", nvenc_constqp},
    {"nvh264enc", nvenc_constqp},
    {"nvcudah265enc", nvcuda_cqp},
    {"nvcudah264enc", nvcuda_cqp},
    {"vah265enc", va_cqp},
    {"vah264enc", va_cqp},
    {"vaapih265enc", vaapi_cqp},
    {"vaapih264enc", vaapi_cqp},
    {"qsvh265enc", qsv_cqp},
    {"qsvh264enc", qsv_cqp},
    {"x264enc", x264_crf},
    {"x265enc", x265_crf},
    {"vp9enc", vpx_cq},
    {"vp8enc", vpx_cq},
    {"av1enc", aom_q},
};

// Codecs in order of preference: H.264 plays everywhere; for >8-bit frames H.265 (Main 10 is what
// players decode in hardware; H.264 High 10 rarely is).
const char* const kCodecs8Bit[] = {"video/x-h264", "video/x-h265", "video/x-vp9", "video/x-av1", "video/x-vp8"};
const char* const kCodecsHighDepth[] = {"video/x-h265", "video/x-vp9", "video/x-av1", "video/x-h264", "video/x-vp8"};

CapsPtr template_caps(GstElementFactory* factory, GstPadDirection direction) {
  CapsPtr all(gst_caps_new_empty());
  for (const GList* l = gst_element_factory_get_static_pad_templates(factory); l; l = l->next) {
    auto* t = static_cast<GstStaticPadTemplate*>(l->data);
    if (t->direction == direction) all.reset(gst_caps_merge(all.release(), gst_static_pad_template_get_caps(t)));
  }
  return all;
}

bool is_hardware(GstElementFactory* factory) {
  const gchar* klass = gst_element_factory_get_metadata(factory, GST_ELEMENT_METADATA_KLASS);
  return klass && std::strstr(klass, "Hardware");
}

// The >8-bit raw formats the encoder takes ("video/x-raw, format={...}"), or null.
CapsPtr high_depth_input(GstElementFactory* factory) {
  CapsPtr sink = template_caps(factory, GST_PAD_SINK);
  GValue formats = G_VALUE_INIT;
  gst_value_list_init(&formats, 0);
  for (guint i = 0; i < gst_caps_get_size(sink.get()); ++i) {
    const GstStructure* s = gst_caps_get_structure(sink.get(), i);
    const GValue* f = gst_structure_get_value(s, "format");
    if (!gst_structure_has_name(s, "video/x-raw") || !f) continue;
    auto consider = [&](const GValue* v) {
      if (!G_VALUE_HOLDS_STRING(v)) return;
      const GstVideoFormatInfo* info = gst_video_format_get_info(gst_video_format_from_string(g_value_get_string(v)));
      if (info && GST_VIDEO_FORMAT_INFO_DEPTH(info, 0) > 8) gst_value_list_append_value(&formats, v);
    };
    if (GST_VALUE_HOLDS_LIST(f))
      for (guint k = 0; k < gst_value_list_get_size(f); ++k) consider(gst_value_list_get_value(f, k));
    else
      consider(f);
  }
  CapsPtr result;
  if (gst_value_list_get_size(&formats) > 0) {
    result.reset(gst_caps_new_empty_simple("video/x-raw"));
    gst_caps_set_value(result.get(), "format", &formats);
  }
  g_value_unset(&formats);
  return result;
}

int codec_rank(const GstCaps* encoder_output, bool high_depth) {
  const auto& order = high_depth ? kCodecsHighDepth : kCodecs8Bit;
  for (size_t i = 0; i < std::size(order); ++i) {
    CapsPtr codec(gst_caps_new_empty_simple(order[i]));
    if (gst_caps_can_intersect(encoder_output, codec.get())) return int(std::size(order) - i);
  }
  return 0;
}

// The profile's format: the codec the encoder writes that the muxer takes. Compared by media type
// only: stream-format and alignment are converted by the parser encodebin puts between them
// (x265enc writes byte-stream, Matroska and MP4 store hvc1).
CapsPtr output_format(GstElementFactory* factory, const Container& container) {
  CapsPtr written = template_caps(factory, GST_PAD_SRC), taken = container.sink_caps("video/");
  for (guint i = 0; i < gst_caps_get_size(written.get()); ++i) {
    const gchar* type = gst_structure_get_name(gst_caps_get_structure(written.get(), i));
    for (guint k = 0; k < gst_caps_get_size(taken.get()); ++k)
      if (gst_structure_has_name(gst_caps_get_structure(taken.get(), k), type))
        return CapsPtr(gst_caps_new_empty_simple(type));
  }
  return nullptr;
}

std::string last_line(const gchar* text) {
  std::string s = text ? text : "";
  while (!s.empty() && s.back() == '\n') s.pop_back();
  const size_t nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

// Whether the encoder really works here: two frames of the real size through it. A hardware
// encoder can be installed without the device or driver it needs; this is where that shows.
bool encodes_two_frames(const VideoEncoder& e, const VideoNeeds& needs, std::string* reason) {
  GstPtr<GstElement> pipeline(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("encoder-probe"))));
  GstElement* source = gst_element_factory_make("videotestsrc", nullptr);
  GstElement* size = gst_element_factory_make("capsfilter", nullptr);
  GstElement* convert = gst_element_factory_make("videoconvert", nullptr);
  GstElement* format = gst_element_factory_make("capsfilter", nullptr);
  GstElement* encoder = gst_element_factory_create(e.factory.get(), nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  if (!source || !size || !convert || !format || !encoder || !sink) {
    *reason = "cannot be created";
    for (GstElement* el : {source, size, convert, format, encoder, sink})
      if (el) gst_object_unref(gst_object_ref_sink(el));
    return false;
  }
  gst_bin_add_many(GST_BIN(pipeline.get()), source, size, convert, format, encoder, sink, nullptr);
  g_object_set(source, "num-buffers", 2, nullptr);
  CapsPtr size_caps(gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, needs.width, "height", G_TYPE_INT,
                                        needs.height, "framerate", GST_TYPE_FRACTION, 25, 1, nullptr));
  g_object_set(size, "caps", size_caps.get(), nullptr);
  if (e.restriction) g_object_set(format, "caps", e.restriction.get(), nullptr);
  if (!apply_settings(G_OBJECT(encoder), e.settings, reason)) return false;
  if (!gst_element_link_many(source, size, convert, format, encoder, sink, nullptr)) {
    *reason = "does not take raw video of this size";
    return false;
  }
  bool ok = gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
  GstPtr<GstBus> bus(gst_element_get_bus(pipeline.get()));
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus.get(), 10 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  if (!msg) {
    ok = false;
    *reason = "gave no frame within 10 s";
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* err = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(msg, &err, &debug);
    *reason = std::string(err ? err->message : "failed") + (debug ? " (" + last_line(debug) + ")" : "");
    if (err) g_error_free(err);
    g_free(debug);
    ok = false;
  }
  if (msg) gst_message_unref(msg);
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  return ok;
}

bool starts(const VideoEncoder& e, std::string* reason) {
  GstPtr<GstElement> element(GST_ELEMENT(gst_object_ref_sink(gst_element_factory_create(e.factory.get(), nullptr))));
  if (!element) {
    *reason = "cannot be created";
    return false;
  }
  if (!apply_settings(G_OBJECT(element.get()), e.settings, reason)) return false;
  const bool ok = gst_element_set_state(element.get(), GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
  if (!ok) *reason = "cannot be started (READY failed)";
  gst_element_set_state(element.get(), GST_STATE_NULL);
  return ok;
}

// Fills what follows from the factory; false when the container cannot take its output.
bool describe(GstElementFactory* factory, const Container& container, const VideoNeeds& needs, VideoEncoder* e) {
  e->factory.reset(GST_ELEMENT_FACTORY(gst_object_ref(factory)));
  e->format = output_format(factory, container);
  if (!e->format) return false;
  e->hardware = is_hardware(factory);
  e->settings = constant_quality_settings(GST_OBJECT_NAME(factory), needs.quality);
  e->settings.insert(e->settings.end(), needs.user_settings.begin(), needs.user_settings.end());
  e->restriction = needs.high_depth ? high_depth_input(factory) : nullptr;
  e->keeps_high_depth = bool(e->restriction);
  return true;
}

}  // namespace

PropertySettings constant_quality_settings(const std::string& encoder, int quality) {
  for (const auto& rc : kRateControl)
    if (encoder == rc.encoder) return rc.settings(quality);
  return {};
}

bool apply_settings(GObject* object, const PropertySettings& settings, std::string* error) {
  for (const auto& [name, text] : settings) {
    GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(object), name.c_str());
    if (!spec || !(spec->flags & G_PARAM_WRITABLE)) {
      *error = std::string(G_OBJECT_TYPE_NAME(object)) + " has no settable property '" + name + "'";
      return false;
    }
    GValue value = G_VALUE_INIT;
    g_value_init(&value, spec->value_type);
    if (!gst_value_deserialize_with_pspec(&value, text.c_str(), spec)) {
      *error = std::string(G_OBJECT_TYPE_NAME(object)) + ": '" + text + "' is not a value of " + name + " (" +
               g_type_name(spec->value_type) + ")";
      g_value_unset(&value);
      return false;
    }
    g_object_set_property(object, name.c_str(), &value);
    g_value_unset(&value);
  }
  return true;
}

bool choose_video_encoder(const std::string& requested, const Container& container, const VideoNeeds& needs,
                          VideoEncoder* chosen, std::string* error) {
  if (requested != "auto") {
    GstPtr<GstElementFactory> factory(gst_element_factory_find(requested.c_str()));
    if (!factory) {
      *error = "unknown encoder '" + requested + "': no GStreamer element of that name is installed";
      return false;
    }
    if (!gst_element_factory_list_is_type(factory.get(), GST_ELEMENT_FACTORY_TYPE_VIDEO_ENCODER)) {
      *error = "'" + requested + "' is not a video encoder";
      return false;
    }
    if (!describe(factory.get(), container, needs, chosen)) {
      *error = "the " + container.description + " container (" + container.muxer_name() + ") takes nothing " +
               requested + " writes";
      return false;
    }
    std::string reason;
    if (!(chosen->hardware ? encodes_two_frames(*chosen, needs, &reason) : starts(*chosen, &reason))) {
      *error = requested + ": " + reason;
      return false;
    }
    if (constant_quality_settings(requested, needs.quality).empty())
      chosen->note = requested +
                     " has no constant-quality setting known to rife-convert: its own rate control is "
                     "used and --quality is ignored";
    return true;
  }

  // Every encoder of the table that is installed and whose output the container takes, best first:
  // keeps a 10-bit source 10-bit, hardware, the codec's preference, then table order.
  std::vector<std::tuple<std::tuple<bool, bool, int, int>, VideoEncoder>> candidates;
  for (size_t i = 0; i < std::size(kRateControl); ++i) {
    GstPtr<GstElementFactory> factory(gst_element_factory_find(kRateControl[i].encoder));
    VideoEncoder e;
    if (!factory || !describe(factory.get(), container, needs, &e)) continue;
    const bool depth_ok = !needs.high_depth || e.keeps_high_depth;
    const int codec = codec_rank(e.format.get(), needs.high_depth);
    candidates.emplace_back(std::make_tuple(depth_ok, e.hardware, codec, -int(i)), std::move(e));
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::string hardware_failures;
  for (auto& [key, e] : candidates) {
    std::string reason;
    const bool works = e.hardware ? encodes_two_frames(e, needs, &reason) : starts(e, &reason);
    if (!works) {
      if (e.hardware)
        hardware_failures += (hardware_failures.empty() ? "" : "; ") + std::string(e.name()) + " " + reason;
      continue;
    }
    *chosen = std::move(e);
    if (!chosen->hardware)
      chosen->note = hardware_failures.empty() ? "no hardware encoder for this container is installed"
                                               : "no hardware encoder works here: " + hardware_failures;
    if (needs.high_depth && !chosen->keeps_high_depth)
      chosen->note += std::string(chosen->note.empty() ? "" : "; ") + chosen->name() +
                      " takes 8-bit frames only: the 10-bit video is encoded as 8-bit";
    return true;
  }
  *error = "no video encoder for the " + container.description + " container (" + container.muxer_name() +
           ") works here" + (hardware_failures.empty() ? "" : ": " + hardware_failures);
  return false;
}

CapsPtr audio_encoding_format(const Container& container) {
  static const char* const kPreferred[] = {"audio/mpeg, mpegversion=(int)4",
                                           "audio/x-opus",
                                           "audio/x-vorbis",
                                           "audio/mpeg, mpegversion=(int)1, layer=(int)3",
                                           "audio/x-flac",
                                           "audio/x-ac3"};
  CapsPtr accepted = container.sink_caps("audio/");
  GList* encoders = gst_element_factory_list_get_elements(
      GstElementFactoryListType(GST_ELEMENT_FACTORY_TYPE_ENCODER | GST_ELEMENT_FACTORY_TYPE_MEDIA_AUDIO),
      GST_RANK_MARGINAL);
  auto encodable = [&](const GstCaps* codec) {
    GList* writers = gst_element_factory_list_filter(encoders, codec, GST_PAD_SRC, FALSE);
    const bool any = writers != nullptr;
    gst_plugin_feature_list_free(writers);
    return any && gst_caps_can_intersect(accepted.get(), codec);
  };
  CapsPtr result;
  for (const char* preferred : kPreferred) {
    CapsPtr codec(gst_caps_from_string(preferred));
    if (encodable(codec.get())) {
      result = std::move(codec);
      break;
    }
  }
  // A container outside the usual ones: the first audio format it takes that something encodes.
  for (guint i = 0; !result && i < gst_caps_get_size(accepted.get()); ++i) {
    CapsPtr codec(gst_caps_new_empty_simple(gst_structure_get_name(gst_caps_get_structure(accepted.get(), i))));
    if (!gst_structure_has_name(gst_caps_get_structure(codec.get(), 0), "audio/x-raw") && encodable(codec.get()))
      result = std::move(codec);
  }
  gst_plugin_feature_list_free(encoders);
  return result;
}

CapsPtr copy_format(const GstCaps* stream_caps) {
  CapsPtr caps(gst_caps_copy(stream_caps));
  for (guint i = 0; i < gst_caps_get_size(caps.get()); ++i)
    gst_structure_remove_fields(gst_caps_get_structure(caps.get(), i), "codec_data", "streamheader", "parsed", "framed",
                                "stream-format", "alignment", nullptr);
  return caps;
}

}  // namespace rife_convert
