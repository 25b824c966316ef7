// GstRife: raises the frame rate of raw video with RIFE. The element is glue: the output schedule
// (output_schedule.h) decides which frames leave when, the engine (src/rife_engine.h) computes the
// interpolations, and this file connects them to GStreamer: caps, events, queries, QoS, buffer
// pools, properties and messages.
//
// Threads and locks: who touches what
//   settings_lock  guards `settings`, the properties: set from any thread (set_property); start()
//                  and the streaming thread copy what they need while holding it.
//   streaming      no lock: the streaming thread's own state (engine, caps, schedule, statistics).
//                  GstBaseTransform calls start, stop, set_caps, sink_event, submit_input_buffer and
//                  generate_output from the streaming thread or with the pads inactive, never two at
//                  once, so nothing else may read it.
//   qos_lock       guards `qos`: written by upstream-travelling QOS and LATENCY events and by the
//                  LATENCY query (downstream threads), read by the streaming thread.
//   atomics        the read-only counters and `latency_extra`: written by the streaming thread, read
//                  by get_property and the LATENCY query from any thread.
//   The object lock is taken only where GStreamer asks for it (the element's clock and base time).
//
// What GstBaseTransform does not do for rife, and how it is worked around (each is explained where
// it lives): rife emits several outputs per input (submit_input_buffer + generate_output, as
// d3d11deinterlace does), drains on events by pushing itself (gst_rife_drain), has a transform()
// that is never called (allocation), and keeps QOS events from the base class (which would drop
// inputs).

#include "gstrife.h"

#include <gst/video/gstvideopool.h>
#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "output_schedule.h"
#include "quality_controller.h"
#include "rife_engine.h"
#include "settings.h"
#include "stats_window.h"
#include "video_formats.h"

GST_DEBUG_CATEGORY_STATIC(gst_rife_debug);
#define GST_CAT_DEFAULT gst_rife_debug

using rife_gst::Settings;

enum {
  PROP_0,
  PROP_MODEL_PATH,
  PROP_MODEL_VERSION,
  PROP_DEVICE,
  PROP_PRECISION,
  PROP_SCALE,
  PROP_FRAMES_IN,
  PROP_FRAMES_OUT,
  PROP_FRAMES_INTERPOLATED,
  PROP_SCENE_DETECTION,
  PROP_SCENE_THRESHOLD,
  PROP_SCENE_CUTS,
  PROP_FRAMES_SKIPPED,
  PROP_STATS_INTERVAL,
  PROP_FP32_WARP,
  PROP_ENSEMBLE,
  PROP_ENSEMBLE_SWITCHES,
};

namespace {

// The streaming thread's state (see the locking notes at the top).
struct Streaming {
  std::unique_ptr<rife::Engine> engine;
  GstVideoInfo in_info{}, out_info{};
  rife_gst::OutputSchedule schedule;
  bool warned_no_timestamps = false;
  double inference_ns_avg = 0;  // running mean per interpolated frame, to predict lateness
  bool warm = false;            // a batch has run since the last caps: the next one's time is typical
  rife_gst::QualityController quality;  // ensemble=auto: the mode for each batch
  StatsWindow stats;
};

// What QoS knows about downstream timing.
struct QosState {
  GstClockTime earliest = GST_CLOCK_TIME_NONE;  // from QOS events: outputs before this are too late
  gdouble proportion = 1.0;
  GstClockTime latency = GST_CLOCK_TIME_NONE;  // the pipeline latency, from the LATENCY event
  bool live = false;                           // upstream is live (from the latency query)
  bool syncing = false;                        // QOS events arrived: a sink downstream renders on time
};

struct Counters {
  std::atomic<guint64> in{0}, out{0}, interpolated{0}, skipped{0}, scene_cuts{0}, ensemble_switches{0};
  void reset() { in = out = interpolated = skipped = scene_cuts = ensemble_switches = 0; }
};

gint64 now_us() { return g_get_monotonic_time(); }

}  // namespace

struct GstRifePrivate {
  std::mutex settings_lock;
  Settings settings;
  Streaming streaming;
  std::mutex qos_lock;
  QosState qos;
  Counters counters;
  std::atomic<GstClockTime> latency_extra{0};  // what rife adds to upstream's latency
};

struct _GstRife {
  GstBaseTransform parent;
  GstRifePrivate* priv;
};

G_DEFINE_TYPE(GstRife, gst_rife, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE(rife, "rife", GST_RANK_NONE, GST_TYPE_RIFE,
                                      GST_DEBUG_CATEGORY_INIT(gst_rife_debug, "rife", 0, "RIFE frame interpolation"));

GType gst_rife_precision_get_type(void) { return rife_gst::precision_enum_type(); }
GType gst_rife_model_version_get_type(void) { return rife_gst::model_version_enum_type(); }
GType gst_rife_ensemble_get_type(void) { return rife_gst::ensemble_enum_type(); }

// Sizes the engine accepts (2..16384 per side); any frame rate.
#define RIFE_CAPS                                \
  "video/x-raw, format = (string) " RIFE_FORMATS \
  ", width = (int) [ 2, 16384 ], "               \
  "height = (int) [ 2, 16384 ], framerate = (fraction) [ 0/1, 2147483647/1 ]"
static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(RIFE_CAPS));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(RIFE_CAPS));

static Streaming& streaming_of(GstRife* self) { return self->priv->streaming; }

// ---------------------------------------------------------------------------------------------
// Properties

static void gst_rife_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  GstRifePrivate* priv = GST_RIFE(object)->priv;
  std::lock_guard<std::mutex> lock(priv->settings_lock);
  Settings& s = priv->settings;
  switch (prop_id) {
    case PROP_MODEL_PATH: {
      const gchar* path = g_value_get_string(value);
      s.model_path = path ? path : Settings::default_model_path();
      break;
    }
    case PROP_MODEL_VERSION:
      s.model_version = rife::ModelVersion(g_value_get_enum(value));
      break;
    case PROP_DEVICE: {
      const gchar* dev = g_value_get_string(value);
      s.device = dev ? dev : "auto";
      break;
    }
    case PROP_PRECISION:
      s.precision = rife::Precision(g_value_get_enum(value));
      break;
    case PROP_SCALE:
      s.scale = g_value_get_double(value);
      break;
    case PROP_SCENE_DETECTION:
      s.scene_detection = g_value_get_boolean(value);
      break;
    case PROP_SCENE_THRESHOLD:
      s.scene_threshold = g_value_get_double(value);
      break;
    case PROP_STATS_INTERVAL:
      s.stats_interval = g_value_get_double(value);
      break;
    case PROP_FP32_WARP:
      s.fp32_warp = g_value_get_boolean(value);
      break;
    case PROP_ENSEMBLE:
      s.ensemble = rife_gst::EnsembleSetting(g_value_get_enum(value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static const std::atomic<guint64>* gst_rife_counter(GstRifePrivate* priv, guint prop_id) {
  switch (prop_id) {
    case PROP_FRAMES_IN:
      return &priv->counters.in;
    case PROP_FRAMES_OUT:
      return &priv->counters.out;
    case PROP_FRAMES_INTERPOLATED:
      return &priv->counters.interpolated;
    case PROP_FRAMES_SKIPPED:
      return &priv->counters.skipped;
    case PROP_SCENE_CUTS:
      return &priv->counters.scene_cuts;
    case PROP_ENSEMBLE_SWITCHES:
      return &priv->counters.ensemble_switches;
    default:
      return nullptr;
  }
}

static void gst_rife_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  GstRifePrivate* priv = GST_RIFE(object)->priv;
  if (const auto* counter = gst_rife_counter(priv, prop_id)) {
    g_value_set_uint64(value, counter->load());
    return;
  }
  std::lock_guard<std::mutex> lock(priv->settings_lock);
  const Settings& s = priv->settings;
  switch (prop_id) {
    case PROP_MODEL_PATH:
      g_value_set_string(value, s.model_path.c_str());
      break;
    case PROP_MODEL_VERSION:
      g_value_set_enum(value, int(s.model_version));
      break;
    case PROP_DEVICE:
      g_value_set_string(value, s.device.c_str());
      break;
    case PROP_PRECISION:
      g_value_set_enum(value, int(s.precision));
      break;
    case PROP_SCALE:
      g_value_set_double(value, s.scale);
      break;
    case PROP_SCENE_DETECTION:
      g_value_set_boolean(value, s.scene_detection);
      break;
    case PROP_SCENE_THRESHOLD:
      g_value_set_double(value, s.scene_threshold);
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_double(value, s.stats_interval);
      break;
    case PROP_FP32_WARP:
      g_value_set_boolean(value, s.fp32_warp);
      break;
    case PROP_ENSEMBLE:
      g_value_set_enum(value, int(s.ensemble));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Start / stop: the model is loaded in start() so that a bad file fails the state change cleanly.

static void gst_rife_forget_qos_observations(GstRife* self) {
  std::lock_guard<std::mutex> lock(self->priv->qos_lock);
  self->priv->qos.earliest = GST_CLOCK_TIME_NONE;  // they belong to the old segment
}

static gboolean gst_rife_start(GstBaseTransform* trans) {
  GstRife* self = GST_RIFE(trans);
  Streaming& st = streaming_of(self);
  rife::EngineOptions options;
  {
    std::lock_guard<std::mutex> lock(self->priv->settings_lock);
    options = self->priv->settings.engine_options();
  }
  try {
    st.engine = std::make_unique<rife::Engine>(options);
  } catch (const rife::Error& e) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot load the RIFE model %s", options.model_path.c_str()),
                      ("%s", e.what()));
    return FALSE;
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(self, RESOURCE, FAILED, ("Cannot start the RIFE engine with %s", options.model_path.c_str()),
                      ("%s", e.what()));
    return FALSE;
  }
  GST_INFO_OBJECT(self, "RIFE %s (model-version=%s) from %s on %s, %s", st.engine->model_version().c_str(),
                  rife::to_string(options.model_version), options.model_path.c_str(),
                  st.engine->device_name().c_str(), rife::to_string(st.engine->precision()));
  GST_INFO_OBJECT(self, "speed switches: %s", st.engine->optimisations().c_str());
  if (st.engine->ignored_tensors() > 0)
    GST_INFO_OBJECT(self, "%s: %zu training-only tensors (teacher.*, caltime.*) ignored", options.model_path.c_str(),
                    st.engine->ignored_tensors());
  self->priv->counters.reset();
  st.inference_ns_avg = 0;
  st.quality.reset(rife::Ensemble::TimeFlip);
  st.stats.restart(now_us());
  st.schedule.restart();
  std::lock_guard<std::mutex> lock(self->priv->qos_lock);
  self->priv->qos = QosState{};
  return TRUE;
}

static gboolean gst_rife_stop(GstBaseTransform* trans) {
  GstRife* self = GST_RIFE(trans);
  streaming_of(self).schedule.restart();
  streaming_of(self).engine.reset();
  gst_rife_forget_qos_observations(self);
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// Caps: same size and format; the src framerate is any rate at least the sink rate, 2x by default.

static GstCaps* gst_rife_transform_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                        GstCaps* filter) {
  GstCaps* result = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(caps); ++i) {
    GstStructure* s = gst_structure_copy(gst_caps_get_structure(caps, i));
    const GValue* rate = gst_structure_get_value(s, "framerate");
    gint n = 0, d = 1;
    const bool fixed = rate && GST_VALUE_HOLDS_FRACTION(rate);
    if (fixed) {
      n = gst_value_get_fraction_numerator(rate);
      d = gst_value_get_fraction_denominator(rate);
    }
    if (fixed && n == 0) {
      // Variable rate in, variable rate out (midpoints).
    } else if (!fixed) {
      gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE, 0, 1, G_MAXINT, 1, nullptr);
    } else if (direction == GST_PAD_SINK) {
      gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE, n, d, G_MAXINT, 1, nullptr);
    } else {
      gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE, 1, G_MAXINT, n, d, nullptr);
    }
    gst_caps_append_structure(result, s);
  }
  if (filter) {
    GstCaps* tmp = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = tmp;
  }
  GST_DEBUG_OBJECT(trans, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT, direction == GST_PAD_SINK ? "sink" : "src",
                   caps, result);
  return result;
}

static GstCaps* gst_rife_fixate_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                     GstCaps* othercaps) {
  othercaps = gst_caps_truncate(gst_caps_make_writable(othercaps));
  if (direction == GST_PAD_SINK) {
    gint n = 0, d = 1;
    if (gst_structure_get_fraction(gst_caps_get_structure(caps, 0), "framerate", &n, &d) && n > 0) {
      // Twice the input rate unless downstream asks otherwise.
      gint dn = 0, dd = 1;
      gst_util_fraction_multiply(n, d, 2, 1, &dn, &dd);
      gst_structure_fixate_field_nearest_fraction(gst_caps_get_structure(othercaps, 0), "framerate", dn, dd);
    }
  }
  return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->fixate_caps(trans, direction, caps, othercaps);
}

static GstFlowReturn gst_rife_drain(GstRife* self);

// Whether rife can turn `in` into `out`; posts the error when the rates are the problem.
static bool gst_rife_check_conversion(GstRife* self, const GstVideoInfo& in, const GstVideoInfo& out,
                                      rife::FrameGeometry* geometry) {
  if (GST_VIDEO_INFO_FORMAT(&in) != GST_VIDEO_INFO_FORMAT(&out) || in.width != out.width || in.height != out.height ||
      !rife_gst::geometry_of(in, geometry))
    return false;
  const bool in_variable = in.fps_n == 0, out_variable = out.fps_n == 0;
  if (in_variable == out_variable &&
      (in_variable || gst_util_fraction_compare(out.fps_n, out.fps_d, in.fps_n, in.fps_d) >= 0))
    return true;
  GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                    ("rife cannot produce %d/%d fps from %d/%d fps", out.fps_n, out.fps_d, in.fps_n, in.fps_d),
                    ("the output rate must be at least the input rate (or both variable, 0/1)"));
  return false;
}

static gboolean gst_rife_set_caps(GstBaseTransform* trans, GstCaps* incaps, GstCaps* outcaps) {
  GstRife* self = GST_RIFE(trans);
  Streaming& st = streaming_of(self);
  GstVideoInfo in, out;
  rife::FrameGeometry geometry;
  if (!gst_video_info_from_caps(&in, incaps) || !gst_video_info_from_caps(&out, outcaps) ||
      !gst_rife_check_conversion(self, in, out, &geometry)) {
    GST_ERROR_OBJECT(self, "rife cannot convert %" GST_PTR_FORMAT " into %" GST_PTR_FORMAT, incaps, outcaps);
    return FALSE;
  }
  // Renegotiation mid-stream: the cached frame leaves under the old caps, before the new ones.
  if (st.schedule.has_cached() && gst_rife_drain(self) != GST_FLOW_OK) GST_DEBUG_OBJECT(self, "drain failed");
  try {
    st.engine->configure(geometry);
  } catch (const std::exception& e) {  // rife::Error, e.g. out of memory for the work buffers
    GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT, ("rife cannot process %dx%d frames", in.width, in.height),
                      ("%s", e.what()));
    return FALSE;
  }
  st.schedule.flush();  // frames prepared under the old caps cannot be mixed with new ones
  gst_rife_forget_qos_observations(self);
  st.in_info = in;
  st.out_info = out;
  st.schedule.set_rates(in.fps_n, in.fps_d, out.fps_n, out.fps_d);
  st.quality.reset(rife::Ensemble::TimeFlip);  // costs differ with the size: learn them again
  st.warm = false;
  // An output waits for the next input (one input frame), and the interpolated frames of a pair
  // are due within it: one more output frame covers their computation.
  const GstClockTime in_frame = st.schedule.input_frame_duration(), out_frame = st.schedule.output_frame_duration();
  self->priv->latency_extra = (GST_CLOCK_TIME_IS_VALID(in_frame) ? in_frame : 0) +
                              (GST_CLOCK_TIME_IS_VALID(out_frame) ? out_frame : 0);
  GST_INFO_OBJECT(self, "%dx%d %s, %d/%d -> %d/%d fps, flow scale %.2f, padded %dx%d", in.width, in.height,
                  gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&in)), in.fps_n, in.fps_d, out.fps_n, out.fps_d,
                  st.engine->scale(), st.engine->padded_width(), st.engine->padded_height());
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// Buffers: interpolated frames come from a pool; inputs are held one pair at a time.

// Upstream is told that rife keeps one input (the previous frame) while it waits for the next, so
// that a source with a fixed set of buffers (v4l2src) allocates one more, and that strided frames
// (GstVideoMeta) are read as they are, without a copy.
static gboolean gst_rife_propose_allocation(GstBaseTransform* trans, GstQuery* decide_query, GstQuery* query) {
  if (!GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->propose_allocation(trans, decide_query, query)) return FALSE;
  if (decide_query == nullptr) return TRUE;  // passthrough: downstream has answered
  GstCaps* caps = nullptr;
  gst_query_parse_allocation(query, &caps, nullptr);
  GstVideoInfo info;
  if (!caps || !gst_video_info_from_caps(&info, caps)) return FALSE;
  if (!gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, nullptr))
    gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, nullptr);
  if (gst_query_get_n_allocation_pools(query) > 0) return TRUE;
  GstBufferPool* pool = gst_video_buffer_pool_new();
  GstStructure* config = gst_buffer_pool_get_config(pool);
  gst_buffer_pool_config_set_params(config, caps, guint(info.size), 2, 0);
  gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  const bool configured = gst_buffer_pool_set_config(pool, config);
  if (configured) gst_query_add_allocation_pool(query, pool, guint(info.size), 2, 0);
  gst_object_unref(pool);
  return configured;
}

// Interpolated frames go into pooled buffers: at 4K a fresh 12 MB allocation per frame costs page
// faults on every frame. Downstream's pool is used when it offers one (a display sink's, say),
// otherwise a video buffer pool; either way unbounded, because a pair's batch is held at once.
static gboolean gst_rife_decide_allocation(GstBaseTransform* trans, GstQuery* query) {
  GstRife* self = GST_RIFE(trans);
  GstCaps* caps = nullptr;
  gst_query_parse_allocation(query, &caps, nullptr);
  GstVideoInfo info;
  if (!caps || !gst_video_info_from_caps(&info, caps)) return FALSE;
  GstBufferPool* pool = nullptr;
  guint size = guint(info.size), min = 0;  // downstream's maximum is ignored: rife's pool is unbounded
  const bool offered = gst_query_get_n_allocation_pools(query) > 0;
  if (offered) gst_query_parse_nth_allocation_pool(query, 0, &pool, &size, &min, nullptr);
  size = std::max(size, guint(info.size));
  min += streaming_of(self).schedule.outputs_per_pair();
  const bool video_meta = gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, nullptr);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!pool) pool = gst_video_buffer_pool_new();
    GstStructure* config = gst_buffer_pool_get_config(pool);
    gst_buffer_pool_config_set_params(config, caps, size, min, 0);
    if (video_meta && gst_buffer_pool_has_option(pool, GST_BUFFER_POOL_OPTION_VIDEO_META))
      gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
    if (gst_buffer_pool_set_config(pool, config)) break;
    GST_DEBUG_OBJECT(self, "pool %" GST_PTR_FORMAT " refuses an unbounded configuration, using our own", pool);
    gst_clear_object(&pool);
  }
  if (!pool) return FALSE;
  if (offered)
    gst_query_set_nth_allocation_pool(query, 0, pool, size, min, 0);
  else
    gst_query_add_allocation_pool(query, pool, size, min, 0);
  gst_object_unref(pool);
  return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->decide_allocation(trans, query);
}

// Never called: generate_output() produces every output. Its presence is what tells
// GstBaseTransform that rife is neither in place nor passthrough (without a transform function the
// base class assumes both, forwards ALLOCATION queries downstream and never decides a pool).
static GstFlowReturn gst_rife_transform(GstBaseTransform* trans, GstBuffer*, GstBuffer*) {
  GST_ELEMENT_ERROR(trans, CORE, FAILED, ("rife: unexpected call of transform()"), (nullptr));
  return GST_FLOW_ERROR;
}

static GstFlowReturn gst_rife_new_output_buffer(GstRife* self, BufferRef* out) {
  GstBufferPool* pool = gst_base_transform_get_buffer_pool(GST_BASE_TRANSFORM(self));
  GstBuffer* buffer = nullptr;
  if (!pool) {  // no allocation query was answered (e.g. no downstream peer yet)
    buffer = gst_buffer_new_allocate(nullptr, streaming_of(self).out_info.size, nullptr);
    *out = BufferRef::adopt(buffer);
    return buffer ? GST_FLOW_OK : GST_FLOW_ERROR;
  }
  GstFlowReturn ret = GST_FLOW_OK;
  if (!gst_buffer_pool_is_active(pool) && !gst_buffer_pool_set_active(pool, TRUE)) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot activate the output buffer pool"), (nullptr));
    ret = GST_FLOW_ERROR;
  } else {
    ret = gst_buffer_pool_acquire_buffer(pool, &buffer, nullptr);
  }
  gst_object_unref(pool);
  *out = BufferRef::adopt(buffer);
  return ret;
}

// The output buffers of one batch, mapped for writing while the engine fills them.
class MappedOutputs {
 public:
  MappedOutputs(GstRife* self, size_t count) : self_(self) {
    frames_.reserve(count);  // mapped frames must not move while mapped
    buffers_.reserve(count);
  }
  ~MappedOutputs() {
    for (auto& f : frames_) gst_video_frame_unmap(&f);
  }
  GstFlowReturn add() {
    BufferRef buffer;
    const GstFlowReturn ret = gst_rife_new_output_buffer(self_, &buffer);
    if (ret != GST_FLOW_OK) return ret;
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &streaming_of(self_).out_info, buffer.get(), GST_MAP_WRITE)) {
      GST_ELEMENT_ERROR(self_, RESOURCE, WRITE, ("Cannot map an output buffer"), (nullptr));
      return GST_FLOW_ERROR;
    }
    frames_.push_back(frame);
    planes_.push_back(rife_gst::output_planes(frames_.back()));
    buffers_.push_back(std::move(buffer));
    return GST_FLOW_OK;
  }
  const std::vector<rife::OutputPlanes>& planes() const { return planes_; }
  std::vector<BufferRef> take() {
    for (auto& f : frames_) gst_video_frame_unmap(&f);
    frames_.clear();
    return std::move(buffers_);
  }

 private:
  GstRife* self_;
  std::vector<GstVideoFrame> frames_;
  std::vector<rife::OutputPlanes> planes_;
  std::vector<BufferRef> buffers_;
};

// ---------------------------------------------------------------------------------------------
// QoS: interpolations that would reach the sink too late are skipped, never the inputs.

// Whether an output at `pts` would be late: the sink's QOS events say it is already behind, or (live
// upstream) the clock says it could not be computed before its render time (running time +
// pipeline latency), going by the mean inference time so far.
static bool gst_rife_is_late(GstRife* self, GstClockTime pts) {
  GstBaseTransform* trans = GST_BASE_TRANSFORM(self);
  if (!gst_base_transform_is_qos_enabled(trans) || trans->segment.format != GST_FORMAT_TIME) return false;
  const GstClockTime rt = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, pts);
  if (!GST_CLOCK_TIME_IS_VALID(rt)) return false;
  QosState qos;
  {
    std::lock_guard<std::mutex> lock(self->priv->qos_lock);
    qos = self->priv->qos;
  }
  if (GST_CLOCK_TIME_IS_VALID(qos.earliest) && rt <= qos.earliest) return true;
  if (!qos.live || !GST_CLOCK_TIME_IS_VALID(qos.latency)) return false;
  GstClock* clock = gst_element_get_clock(GST_ELEMENT_CAST(self));
  if (!clock) return false;
  const GstClockTime base_time = gst_element_get_base_time(GST_ELEMENT_CAST(self));
  const GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  const GstClockTime ready = now + GstClockTime(streaming_of(self).inference_ns_avg);
  GST_LOG_OBJECT(self, "deadline check: ready at %" GST_TIME_FORMAT ", due at %" GST_TIME_FORMAT " + latency %" GST_TIME_FORMAT,
                 GST_TIME_ARGS(ready - base_time), GST_TIME_ARGS(rt), GST_TIME_ARGS(qos.latency));
  return now > base_time && ready - base_time > rt + qos.latency;
}

static void gst_rife_post_qos(GstRife* self, GstClockTime pts) {
  GstBaseTransform* trans = GST_BASE_TRANSFORM(self);
  const GstClockTime rt = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, pts);
  QosState qos;
  {
    std::lock_guard<std::mutex> lock(self->priv->qos_lock);
    qos = self->priv->qos;
  }
  GstMessage* msg =
      gst_message_new_qos(GST_OBJECT_CAST(self), qos.live, rt, gst_segment_to_stream_time(&trans->segment, GST_FORMAT_TIME, pts),
                          pts, streaming_of(self).schedule.output_frame_duration());
  const gint64 jitter = GST_CLOCK_TIME_IS_VALID(qos.earliest) ? GST_CLOCK_DIFF(rt, qos.earliest) : 0;
  gst_message_set_qos_values(msg, jitter, qos.proportion, 1000000);
  gst_message_set_qos_stats(msg, GST_FORMAT_BUFFERS, self->priv->counters.interpolated.load(),
                            self->priv->counters.skipped.load());
  gst_element_post_message(GST_ELEMENT_CAST(self), msg);
}

// When the next batch would be late it is not computed (the schedule shows inputs in its place).
static void gst_rife_skip_late_interpolations(GstRife* self) {
  Streaming& st = streaming_of(self);
  const GstClockTime next = st.schedule.upcoming_interpolation();
  if (!GST_CLOCK_TIME_IS_VALID(next) || !gst_rife_is_late(self, next)) return;
  // Forget the slow past a little with each skip, so that the element tries again once it might
  // keep up (a slow first frame on a cold GPU must not disable interpolation for good).
  st.inference_ns_avg *= 0.95;
  self->priv->counters.skipped += st.schedule.skip_upcoming();
  GST_DEBUG_OBJECT(self, "QoS: interpolation at %" GST_TIME_FORMAT " would be late, skipped", GST_TIME_ARGS(next));
  gst_rife_post_qos(self, next);
}

// ---------------------------------------------------------------------------------------------
// Producing outputs

static void gst_rife_record_inference(GstRife* self, double ns, size_t frames, rife::Ensemble ensemble) {
  Streaming& st = streaming_of(self);
  const double per_frame = ns / double(frames);
  st.stats.add_inference(per_frame / 1e6, int(frames), ensemble);
  // The first batch at a new size runs cold (the CPU's and cuDNN's kernels for that shape are made
  // then; 5-10x a warm batch at small sizes on a CPU): it would make live QoS skip for a while and
  // ensemble=auto start from a wrong cost.
  if (!st.warm) {
    st.warm = true;
    return;
  }
  // Running mean, weighted towards recent frames (the device warms up, the load changes).
  st.inference_ns_avg = st.inference_ns_avg == 0 ? per_frame : 0.8 * st.inference_ns_avg + 0.2 * per_frame;
  st.quality.record(ensemble, ns, int(frames));
}

// The ensemble for a batch: the one the property names, or with `auto` the best the time allows.
// There is a deadline when upstream is live or a sink downstream syncs (it sends QOS events): the
// next pair's batch is due one input interval later. Without one (offline), time+flip.
static rife::Ensemble gst_rife_choose_ensemble(GstRife* self, const rife_gst::OutputSchedule::Batch& batch) {
  rife_gst::EnsembleSetting setting;
  {
    std::lock_guard<std::mutex> lock(self->priv->settings_lock);
    setting = self->priv->settings.ensemble;
  }
  if (setting != rife_gst::EnsembleSetting::Auto) return rife::Ensemble(int(setting));
  bool deadline;
  {
    std::lock_guard<std::mutex> lock(self->priv->qos_lock);
    deadline = self->priv->qos.live || self->priv->qos.syncing;
  }
  rife_gst::QualityController& quality = streaming_of(self).quality;
  const rife::Ensemble before = quality.current();
  const guint64 switches_before = quality.switches();
  const GstClockTime span = batch.pair_span();
  const rife::Ensemble mode =
      quality.choose(deadline && GST_CLOCK_TIME_IS_VALID(span) ? double(span) : 0.0, int(batch.size()));
  if (quality.switches() != switches_before) {  // the controller restarts its count at caps; ours runs on
    ++self->priv->counters.ensemble_switches;
    GST_INFO_OBJECT(self, "ensemble %s -> %s (budget %" GST_TIME_FORMAT ", estimate %.1f ms)",
                    rife::to_string(before), rife::to_string(mode), GST_TIME_ARGS(span),
                    quality.estimate_ns(mode, int(batch.size())) / 1e6);
  }
  return mode;
}

// Runs the next batch of interpolations (one pair's outputs) as one forward pass of the engine.
static GstFlowReturn gst_rife_interpolate_batch(GstRife* self) {
  Streaming& st = streaming_of(self);
  auto batch = st.schedule.take_batch();
  MappedOutputs outputs(self, batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const GstFlowReturn ret = outputs.add();
    if (ret != GST_FLOW_OK) return ret;
  }
  const rife::Ensemble ensemble = gst_rife_choose_ensemble(self, batch);
  const auto start = std::chrono::steady_clock::now();
  try {
    st.engine->interpolate(batch.before(), batch.after(), batch.timesteps(), outputs.planes(), ensemble);
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("RIFE interpolation failed"), ("%s", e.what()));
    return GST_FLOW_ERROR;
  }
  gst_rife_record_inference(
      self, std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count(), batch.size(),
      ensemble);
  self->priv->counters.interpolated += batch.size();
  st.schedule.complete(std::move(batch), outputs.take());
  return GST_FLOW_OK;
}

static void gst_rife_post_stats_if_due(GstRife* self) {
  double interval;
  {
    std::lock_guard<std::mutex> lock(self->priv->settings_lock);
    interval = self->priv->settings.stats_interval;
  }
  StatsWindow& stats = streaming_of(self).stats;
  const gint64 now = now_us();
  if (!stats.due(now, interval)) return;
  const Counters& c = self->priv->counters;
  GstStructure* s = stats.summary(now, c.skipped.load(), c.scene_cuts.load(), c.ensemble_switches.load());
  GST_LOG_OBJECT(self, "%" GST_PTR_FORMAT, s);
  gst_element_post_message(GST_ELEMENT_CAST(self), gst_message_new_element(GST_OBJECT_CAST(self), s));
  stats.restart(now);
}

// One output per call, in time order: the producer of every buffer rife pushes. GstBaseTransform
// calls it after each input until it gives none; gst_rife_drain() calls it at boundaries.
static GstFlowReturn gst_rife_generate_output(GstBaseTransform* trans, GstBuffer** outbuf) {
  GstRife* self = GST_RIFE(trans);
  Streaming& st = streaming_of(self);
  *outbuf = nullptr;
  if (st.schedule.empty()) return GST_FLOW_OK;
  gst_rife_skip_late_interpolations(self);
  if (st.schedule.needs_interpolation()) {
    const GstFlowReturn ret = gst_rife_interpolate_batch(self);
    if (ret != GST_FLOW_OK) return ret;
  }
  rife_gst::Ready output = st.schedule.pop();
  ++self->priv->counters.out;
  st.stats.count_out();
  gst_rife_post_stats_if_due(self);
  *outbuf = output.buffer.release();
  return GST_FLOW_OK;
}

// The cached frame leaves once more and everything queued is pushed (EOS, GAP, caps change, a
// break in the input). Pushed here, not by GstBaseTransform's loop after submit_input_buffer: that
// loop sets DISCONT on its first buffer after a DISCONT input, and that would be this old frame,
// while the discontinuity belongs to the frame after it.
static GstFlowReturn gst_rife_drain(GstRife* self) {
  Streaming& st = streaming_of(self);
  st.schedule.end_segment();
  GstFlowReturn ret = GST_FLOW_OK;
  while (ret == GST_FLOW_OK && !st.schedule.empty()) {
    GstBuffer* out = nullptr;
    ret = gst_rife_generate_output(GST_BASE_TRANSFORM(self), &out);
    if (out) ret = gst_pad_push(GST_BASE_TRANSFORM_SRC_PAD(self), out);
  }
  if (ret != GST_FLOW_OK) st.schedule.flush();  // what could not be pushed is dropped with the segment
  return ret;
}

// ---------------------------------------------------------------------------------------------
// Inputs

// Whether the cached input and the new one (at `pts`) are on two sides of a scene cut.
static bool gst_rife_is_scene_cut(GstRife* self, const rife::FrameHandle& next, GstClockTime pts) {
  bool enabled;
  double threshold;
  {
    std::lock_guard<std::mutex> lock(self->priv->settings_lock);
    enabled = self->priv->settings.scene_detection;
    threshold = self->priv->settings.scene_threshold;
  }
  Streaming& st = streaming_of(self);
  if (!enabled || !st.schedule.has_cached()) return false;
  float score;
  try {
    score = st.engine->difference(st.schedule.cached(), next);
  } catch (const std::exception& e) {  // not worth failing the stream: interpolate as if no cut
    GST_WARNING_OBJECT(self, "scene-cut measure failed: %s", e.what());
    return false;
  }
  if (score <= threshold) return false;
  ++self->priv->counters.scene_cuts;
  GST_INFO_OBJECT(self, "scene cut before %" GST_TIME_FORMAT " (difference %.3f > %.3f): holding frames",
                  GST_TIME_ARGS(pts), score, threshold);
  return true;
}

// The input uploaded and prepared once on the engine's device.
static GstFlowReturn gst_rife_prepare(GstRife* self, GstBuffer* input, rife::FrameHandle* prepared) {
  Streaming& st = streaming_of(self);
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &st.in_info, input, GST_MAP_READ)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Cannot map the input buffer as %dx%d video", st.in_info.width, st.in_info.height), (nullptr));
    return GST_FLOW_ERROR;
  }
  GstFlowReturn ret = GST_FLOW_OK;
  try {
    *prepared = st.engine->prepare(rife_gst::input_planes(frame));
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Cannot upload a frame to the RIFE engine"), ("%s", e.what()));
    ret = GST_FLOW_ERROR;
  }
  gst_video_frame_unmap(&frame);
  return ret;
}

// The input's time: its PTS, or (untimestamped) continuing from the previous input at its rate.
static GstClockTime gst_rife_input_time(GstRife* self, GstBuffer* input) {
  Streaming& st = streaming_of(self);
  if (!GST_BUFFER_PTS_IS_VALID(input) && !st.warned_no_timestamps) {
    GST_WARNING_OBJECT(self, "input without timestamps: continuing from the previous frame at the input rate");
    st.warned_no_timestamps = true;
  }
  return st.schedule.time_of(GST_BUFFER_PTS(input), GST_BUFFER_DURATION(input),
                             GST_BASE_TRANSFORM(self)->segment.start);
}

// The base class's submit_input_buffer renegotiates when downstream asked for it and then keeps the
// buffer as `queued_buf` for its default generate_output(); rife takes it from there instead and
// queues its outputs in the schedule.
static BufferRef gst_rife_take_queued(GstBaseTransform* trans) {
  return BufferRef::adopt(std::exchange(trans->queued_buf, nullptr));
}

static GstFlowReturn gst_rife_submit_input_buffer(GstBaseTransform* trans, gboolean is_discont, GstBuffer* buffer) {
  GstRife* self = GST_RIFE(trans);
  Streaming& st = streaming_of(self);
  GstFlowReturn ret = GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->submit_input_buffer(trans, is_discont, buffer);
  BufferRef input = gst_rife_take_queued(trans);
  if (ret != GST_FLOW_OK || !input) return ret;
  ++self->priv->counters.in;
  st.stats.count_in();
  if (!st.engine || st.in_info.width == 0) return GST_FLOW_NOT_NEGOTIATED;
  const GstClockTime pts = gst_rife_input_time(self, input.get());
  const GstClockTime duration = st.schedule.duration_of(GST_BUFFER_DURATION(input.get()));
  if (!GST_CLOCK_TIME_IS_VALID(pts)) {  // variable rate and nothing to go by: passes untouched
    const GstClockTime own_duration = GST_BUFFER_DURATION(input.get());
    st.schedule.add_untimed(std::move(input), own_duration);
    return GST_FLOW_OK;
  }
  // (`is_discont` is the base class's pending flag for its next output, not this buffer's.)
  const rife_gst::Break reason = st.schedule.break_before(pts, GST_BUFFER_IS_DISCONT(input.get()));
  if (reason != rife_gst::Break::None) {
    GST_DEBUG_OBJECT(self, "no interpolation across %s at %" GST_TIME_FORMAT, to_string(reason), GST_TIME_ARGS(pts));
    ret = gst_rife_drain(self);
    st.schedule.mark_discont();
    if (ret != GST_FLOW_OK) return ret;
  }
  rife::FrameHandle prepared;
  ret = gst_rife_prepare(self, input.get(), &prepared);
  if (ret != GST_FLOW_OK) return ret;
  const bool cut = gst_rife_is_scene_cut(self, prepared, pts);
  st.schedule.add({std::move(input), std::move(prepared), pts, duration}, cut);
  return GST_FLOW_OK;
}

// ---------------------------------------------------------------------------------------------
// Events and queries

static gboolean gst_rife_sink_event(GstBaseTransform* trans, GstEvent* event) {
  GstRife* self = GST_RIFE(trans);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_EOS:
    case GST_EVENT_GAP:
      gst_rife_drain(self);
      break;
    case GST_EVENT_CAPS: {
      GstCaps* caps = nullptr;
      gst_event_parse_caps(event, &caps);
      GstCaps* current = gst_pad_get_current_caps(GST_BASE_TRANSFORM_SINK_PAD(trans));
      if (current && !gst_caps_is_equal(current, caps)) gst_rife_drain(self);
      if (current) gst_caps_unref(current);
      break;
    }
    case GST_EVENT_FLUSH_STOP:
    case GST_EVENT_SEGMENT:
    case GST_EVENT_STREAM_START:
      streaming_of(self).schedule.flush();
      gst_rife_forget_qos_observations(self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->sink_event(trans, event);
}

// QOS events from downstream set how late outputs may be before their interpolation is skipped; the
// LATENCY event gives the pipeline latency the live deadline check uses. Both are passed on.
static gboolean gst_rife_src_event(GstBaseTransform* trans, GstEvent* event) {
  GstRife* self = GST_RIFE(trans);
  if (GST_EVENT_TYPE(event) == GST_EVENT_QOS) {
    GstQOSType type;
    gdouble proportion;
    GstClockTimeDiff diff;
    GstClockTime timestamp;
    gst_event_parse_qos(event, &type, &proportion, &diff, &timestamp);
    {
      std::lock_guard<std::mutex> lock(self->priv->qos_lock);
      QosState& qos = self->priv->qos;
      qos.proportion = proportion;
      qos.syncing = true;
      // As GstBaseTransform does: when late, aim ahead by the lateness once more.
      qos.earliest = !GST_CLOCK_TIME_IS_VALID(timestamp) ? GST_CLOCK_TIME_NONE
                     : diff > 0                          ? timestamp + 2 * diff
                                : GstClockTime(std::max<GstClockTimeDiff>(0, GstClockTimeDiff(timestamp) + diff));
    }
    // Passed upstream here, not through the base class: GstBaseTransform would record it too and
    // then drop whole input buffers in its submit_input_buffer; rife never drops an input.
    return gst_pad_push_event(GST_BASE_TRANSFORM_SINK_PAD(trans), event);
  }
  if (GST_EVENT_TYPE(event) == GST_EVENT_LATENCY) {
    GstClockTime latency;
    gst_event_parse_latency(event, &latency);
    std::lock_guard<std::mutex> lock(self->priv->qos_lock);
    self->priv->qos.latency = latency;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->src_event(trans, event);
}

static gboolean gst_rife_query(GstBaseTransform* trans, GstPadDirection direction, GstQuery* query) {
  GstRife* self = GST_RIFE(trans);
  if (direction != GST_PAD_SRC || GST_QUERY_TYPE(query) != GST_QUERY_LATENCY)
    return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->query(trans, direction, query);
  if (!gst_pad_peer_query(GST_BASE_TRANSFORM_SINK_PAD(trans), query)) return FALSE;
  gboolean live;
  GstClockTime min, max;
  gst_query_parse_latency(query, &live, &min, &max);
  const GstClockTime extra = self->priv->latency_extra.load();  // set by set_caps (see there)
  min += extra;
  if (GST_CLOCK_TIME_IS_VALID(max)) max += extra;
  {
    std::lock_guard<std::mutex> lock(self->priv->qos_lock);
    self->priv->qos.live = live;
  }
  GST_DEBUG_OBJECT(self, "latency: upstream + %" GST_TIME_FORMAT, GST_TIME_ARGS(extra));
  gst_query_set_latency(query, live, min, max);
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// GObject boilerplate

static void gst_rife_finalize(GObject* object) {
  delete GST_RIFE(object)->priv;
  G_OBJECT_CLASS(gst_rife_parent_class)->finalize(object);
}

static void gst_rife_init(GstRife* self) {
  self->priv = new GstRifePrivate();
  // GstBaseTransform's "qos" property switches rife's QoS handling; on by default for a live filter.
  // (The base class's own QoS dropping of inputs never runs: it never sees a QOS event.)
  gst_base_transform_set_qos_enabled(GST_BASE_TRANSFORM(self), TRUE);
}

static void gst_rife_install_model_properties(GObjectClass* gobject_class) {
  const auto flags = GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_MODEL_PATH,
      g_param_spec_string(
          "model-path", "Model path",
          "RIFE weights: a torch.save state dict of RIFE 4.25/4.26, 4.25-lite or 4.6 in the official layout "
          "(Practical-RIFE checkpoints as they are). Default: $RIFE_MODEL_PATH if set, else the real 4.25/4.26 "
          "checkpoint that models/get_weights.py places at " RIFE_DEFAULT_MODEL_PATH,
          nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_MODEL_VERSION,
      g_param_spec_enum("model-version", "Model version",
                        "RIFE version of the weights (auto: detected from the state dict's keys and shapes; a forced "
                        "version that does not match the file is an error)",
                        GST_TYPE_RIFE_MODEL_VERSION, int(rife::ModelVersion::Auto), flags));
  g_object_class_install_property(
      gobject_class, PROP_DEVICE,
      g_param_spec_string("device", "Device", "Where RIFE runs: auto (cuda:0 if usable, else cpu), cpu, cuda or cuda:N",
                          "auto", flags));
  g_object_class_install_property(gobject_class, PROP_PRECISION,
                                  g_param_spec_enum("precision", "Precision", "Arithmetic of the network",
                                                    GST_TYPE_RIFE_PRECISION, int(rife::Precision::Auto), flags));
  g_object_class_install_property(
      gobject_class, PROP_SCALE,
      g_param_spec_double("scale", "Flow scale",
                          "Resolution the flow pyramid works at: 0.25, 0.5, 1, 2 or 4 (2 = finer flow for small "
                          "frames, 0.5 = coarser for 4K); 0 = auto by frame size (README, Quality)",
                          0.0, 4.0, 0.0, flags));
  g_object_class_install_property(
      gobject_class, PROP_FP32_WARP,
      g_param_spec_boolean("fp32-warp", "FP32 warp",
                           "With fp16/bf16 precision, compute the warp (grid_sample) in FP32 while the convolutions "
                           "stay in reduced precision (guards against sampling artefacts at 4K)",
                           FALSE, flags));
}

static void gst_rife_install_stream_properties(GObjectClass* gobject_class) {
  const auto flags = GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property(
      gobject_class, PROP_SCENE_DETECTION,
      g_param_spec_boolean("scene-detection", "Scene-cut detection",
                           "Detect scene cuts between two inputs and hold the nearest input there instead of morphing "
                           "one scene into the other",
                           TRUE, flags));
  g_object_class_install_property(
      gobject_class, PROP_SCENE_THRESHOLD,
      g_param_spec_double("scene-threshold", "Scene-cut threshold",
                          "A pair is a cut when the mean absolute luma difference of 64x64 thumbnails exceeds this "
                          "(0..1; consecutive frames of a fast real pan score up to 0.05, cuts to unrelated real "
                          "pictures 0.18 and up)",
                          0.0, 1.0, rife_gst::kDefaultSceneThreshold, flags));
  g_object_class_install_property(
      gobject_class, PROP_STATS_INTERVAL,
      g_param_spec_double("stats-interval", "Statistics interval",
                          "Post a 'rife-stats' element message every this many seconds (fps-in, fps-out, "
                          "interpolated, inference-mean-ms, inference-p95-ms, skipped, scene-cuts, the share of "
                          "frames per ensemble mode, ensemble-switches); 0 = never",
                          0.0, 3600.0, 0.0, flags));
  g_object_class_install_property(
      gobject_class, PROP_ENSEMBLE,
      g_param_spec_enum("ensemble", "Ensemble",
                        "Forward passes averaged per interpolated frame: none (1), time (the pair in reverse too, 2), "
                        "time+flip (and the mirrored pair both ways, 4), or auto: live (or before a syncing sink) the "
                        "best whose measured cost fits the input interval, with hysteresis; otherwise time+flip",
                        GST_TYPE_RIFE_ENSEMBLE, int(rife_gst::EnsembleSetting::None), flags));
}

static void gst_rife_install_counters(GObjectClass* gobject_class) {
  const auto flags = GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  const struct {
    guint id;
    const char *name, *nick, *blurb;
  } counters[] = {
      {PROP_FRAMES_IN, "frames-in", "Frames in", "Input frames received since start"},
      {PROP_FRAMES_OUT, "frames-out", "Frames out", "Frames pushed since start (inputs and interpolated)"},
      {PROP_FRAMES_INTERPOLATED, "frames-interpolated", "Frames interpolated", "Frames computed by RIFE since start"},
      {PROP_SCENE_CUTS, "scene-cuts", "Scene cuts", "Scene cuts detected since start"},
      {PROP_FRAMES_SKIPPED, "frames-skipped", "Frames skipped",
       "Interpolations skipped by QoS since start (their time covered by an input instead)"},
      {PROP_ENSEMBLE_SWITCHES, "ensemble-switches", "Ensemble switches",
       "Times ensemble=auto changed mode since start (against a deadline)"},
  };
  for (const auto& c : counters)
    g_object_class_install_property(gobject_class, c.id,
                                    g_param_spec_uint64(c.name, c.nick, c.blurb, 0, G_MAXUINT64, 0, flags));
}

static void gst_rife_class_init(GstRifeClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass* trans_class = GST_BASE_TRANSFORM_CLASS(klass);

  gobject_class->set_property = gst_rife_set_property;
  gobject_class->get_property = gst_rife_get_property;
  gobject_class->finalize = gst_rife_finalize;
  gst_rife_install_model_properties(gobject_class);
  gst_rife_install_stream_properties(gobject_class);
  gst_rife_install_counters(gobject_class);

  gst_element_class_set_static_metadata(element_class, "RIFE frame interpolation", "Filter/Effect/Video",
                                        "Raises the frame rate of raw video with the RIFE neural network",
                                        "gst-rife developers");
  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);

  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->start = GST_DEBUG_FUNCPTR(gst_rife_start);
  trans_class->stop = GST_DEBUG_FUNCPTR(gst_rife_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR(gst_rife_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR(gst_rife_fixate_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR(gst_rife_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR(gst_rife_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR(gst_rife_query);
  trans_class->src_event = GST_DEBUG_FUNCPTR(gst_rife_src_event);
  trans_class->submit_input_buffer = GST_DEBUG_FUNCPTR(gst_rife_submit_input_buffer);
  trans_class->generate_output = GST_DEBUG_FUNCPTR(gst_rife_generate_output);
  trans_class->transform = GST_DEBUG_FUNCPTR(gst_rife_transform);
  trans_class->propose_allocation = GST_DEBUG_FUNCPTR(gst_rife_propose_allocation);
  trans_class->decide_allocation = GST_DEBUG_FUNCPTR(gst_rife_decide_allocation);

  gst_type_mark_as_plugin_api(GST_TYPE_RIFE_PRECISION, GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(GST_TYPE_RIFE_MODEL_VERSION, GstPluginAPIFlags(0));
  gst_type_mark_as_plugin_api(GST_TYPE_RIFE_ENSEMBLE, GstPluginAPIFlags(0));
}
