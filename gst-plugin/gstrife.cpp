// GstRife: a GstBaseTransform that keeps the previous frame prepared on the engine's device and,
// for each new input, emits every output-grid time between the previous input and the new one:
// t = 0 is the previous input itself (its buffer, bit-exact, no inference), other t are
// interpolated. The glue owns time; the engine (src/rife_engine.h) owns tensors.

#include "gstrife.h"

#include <gst/video/gstvideopool.h>
#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "output_grid.h"
#include "rife_engine.h"
#include "stats_window.h"
#include "video_formats.h"

GST_DEBUG_CATEGORY_STATIC(gst_rife_debug);
#define GST_CAT_DEFAULT gst_rife_debug

// Output times this close to an input time are that input (see submit_input_buffer).
constexpr GstClockTime kSnap = GST_USECOND;

// Default scene-cut threshold on Engine::difference(): consecutive frames of the real car-turn clip
// (a fast pan, 25 fps) score at most 0.047, a cut from it to any Middlebury picture at least 0.184
// (printed by test_streaming, SceneCuts.TheRealClipHasNoFalseCuts).
constexpr double kDefaultSceneThreshold = 0.12;

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
};

enum GstRifePrecision { PRECISION_AUTO, PRECISION_FP32, PRECISION_FP16, PRECISION_BF16 };
enum GstRifeModelVersion {
  MODEL_VERSION_AUTO,
  MODEL_VERSION_4_6,
  MODEL_VERSION_4_25,
  MODEL_VERSION_4_26,
  MODEL_VERSION_4_25_LITE
};

namespace {

std::string default_model_path() {
  const char* env = std::getenv("RIFE_MODEL_PATH");
  return env && *env ? env : RIFE_DEFAULT_MODEL_PATH;
}

// Properties, read by start() under the settings lock.
struct Settings {
  std::string model_path = default_model_path();
  GstRifeModelVersion model_version = MODEL_VERSION_AUTO;
  std::string device = "auto";
  GstRifePrecision precision = PRECISION_AUTO;
  double scale = 0.0;
  bool fp32_warp = false;
  // Read for every frame: may change while playing.
  bool scene_detection = true;
  double scene_threshold = kDefaultSceneThreshold;
  double stats_interval = 0.0;  // seconds; 0 = no rife-stats messages
};

// One output buffer to produce: an input again (t = 0) or an interpolation.
struct OutputJob {
  GstClockTime pts, duration;
  float t;                 // 0: push `source` itself
  GstBuffer* source;       // owned ref: the input pushed when t == 0; for t > 0 the nearest input, held
                           // instead of the interpolation when QoS says it would be late
  rife::FrameHandle a, b;  // set when t > 0
  guint64 pair;            // the input pair the output falls in (0: none); its interpolations form one batch
  bool discont;
  GstBuffer* result = nullptr;  // owned: the interpolation, once its batch has run
};

// The previous input, kept until the next one arrives.
struct CachedFrame {
  GstBuffer* buffer = nullptr;  // owned ref, for bit-exact pass-through
  rife::FrameHandle prepared;
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
};

// Streaming state: touched only from the streaming thread (and start/stop).
struct State {
  std::unique_ptr<rife::Engine> engine;
  GstVideoInfo in_info{}, out_info{};
  bool variable_rate = false;  // framerate 0/1: emit the midpoint of each pair
  GstClockTime in_frame_duration = GST_CLOCK_TIME_NONE;
  OutputGrid grid;
  CachedFrame prev;
  std::deque<OutputJob> jobs;
  bool next_discont = true;
  guint64 out_offset = 0;
  guint64 pair_count = 0;
  bool warned_no_timestamps = false;
  double inference_ns_avg = 0;  // running mean per interpolated frame, to predict lateness
  StatsWindow stats;
};

// What QoS knows about downstream timing; written from other threads, under the object lock.
struct QosState {
  GstClockTime earliest = GST_CLOCK_TIME_NONE;  // from QOS events: outputs before this are too late
  gdouble proportion = 1.0;
  GstClockTime latency = GST_CLOCK_TIME_NONE;  // the pipeline latency, from the LATENCY event
  bool live = false;                           // upstream is live (from the latency query)
};

const char* to_engine(GstRifeModelVersion v) {
  switch (v) {
    case MODEL_VERSION_4_6:
      return "4.6";
    case MODEL_VERSION_4_25:
      return "4.25";
    case MODEL_VERSION_4_26:
      return "4.26";
    case MODEL_VERSION_4_25_LITE:
      return "4.25-lite";
    default:
      return "auto";
  }
}

rife::Precision to_engine(GstRifePrecision p) {
  switch (p) {
    case PRECISION_FP32:
      return rife::Precision::FP32;
    case PRECISION_FP16:
      return rife::Precision::FP16;
    case PRECISION_BF16:
      return rife::Precision::BF16;
    default:
      return rife::Precision::Auto;
  }
}

void clear_cached(CachedFrame* f) {
  gst_clear_buffer(&f->buffer);
  f->prepared.reset();
  f->pts = f->duration = GST_CLOCK_TIME_NONE;
}

void clear_job(OutputJob* job) {
  gst_clear_buffer(&job->source);
  gst_clear_buffer(&job->result);
}

void clear_jobs(std::deque<OutputJob>* jobs) {
  for (auto& j : *jobs) clear_job(&j);
  jobs->clear();
}

gint64 now_us() { return g_get_monotonic_time(); }

}  // namespace

struct _GstRife {
  GstBaseTransform parent;
  std::mutex settings_lock;
  Settings* settings;
  State* state;
  QosState* qos;  // under the object lock
  std::atomic<guint64> frames_in, frames_out, frames_interpolated, frames_skipped, scene_cuts;
};

G_DEFINE_TYPE(GstRife, gst_rife, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE(rife, "rife", GST_RANK_NONE, GST_TYPE_RIFE,
                                      GST_DEBUG_CATEGORY_INIT(gst_rife_debug, "rife", 0, "RIFE frame interpolation"));

GType gst_rife_precision_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {{PRECISION_AUTO, "FP32 on the CPU, FP16 on CUDA", "auto"},
                                      {PRECISION_FP32, "32-bit float", "fp32"},
                                      {PRECISION_FP16, "16-bit float (CUDA only)", "fp16"},
                                      {PRECISION_BF16, "bfloat16 (CUDA only)", "bf16"},
                                      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRifePrecision", values));
  return type;
}

GType gst_rife_model_version_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {{MODEL_VERSION_AUTO, "Detect from the state dict's keys and shapes", "auto"},
                                      {MODEL_VERSION_4_6, "RIFE 4.6", "4.6"},
                                      {MODEL_VERSION_4_25, "RIFE 4.25", "4.25"},
                                      {MODEL_VERSION_4_26, "RIFE 4.26 (same architecture as 4.25)", "4.26"},
                                      {MODEL_VERSION_4_25_LITE, "RIFE 4.25-lite", "4.25-lite"},
                                      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRifeModelVersion", values));
  return type;
}

// Sizes the engine accepts (2..16384 per side); any frame rate.
#define RIFE_CAPS                                \
  "video/x-raw, format = (string) " RIFE_FORMATS \
  ", width = (int) [ 2, 16384 ], "               \
  "height = (int) [ 2, 16384 ], framerate = (fraction) [ 0/1, 2147483647/1 ]"
static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(RIFE_CAPS));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(RIFE_CAPS));

// ---------------------------------------------------------------------------------------------
// Properties

static void gst_rife_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  GstRife* self = GST_RIFE(object);
  std::lock_guard<std::mutex> lock(self->settings_lock);
  Settings& s = *self->settings;
  switch (prop_id) {
    case PROP_MODEL_PATH: {
      const gchar* path = g_value_get_string(value);
      s.model_path = path ? path : default_model_path();
      break;
    }
    case PROP_MODEL_VERSION:
      s.model_version = GstRifeModelVersion(g_value_get_enum(value));
      break;
    case PROP_DEVICE: {
      const gchar* dev = g_value_get_string(value);
      s.device = dev ? dev : "auto";
      break;
    }
    case PROP_PRECISION:
      s.precision = GstRifePrecision(g_value_get_enum(value));
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void gst_rife_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  GstRife* self = GST_RIFE(object);
  std::lock_guard<std::mutex> lock(self->settings_lock);
  const Settings& s = *self->settings;
  switch (prop_id) {
    case PROP_MODEL_PATH:
      g_value_set_string(value, s.model_path.c_str());
      break;
    case PROP_MODEL_VERSION:
      g_value_set_enum(value, s.model_version);
      break;
    case PROP_DEVICE:
      g_value_set_string(value, s.device.c_str());
      break;
    case PROP_PRECISION:
      g_value_set_enum(value, s.precision);
      break;
    case PROP_SCALE:
      g_value_set_double(value, s.scale);
      break;
    case PROP_FRAMES_IN:
      g_value_set_uint64(value, self->frames_in.load());
      break;
    case PROP_FRAMES_OUT:
      g_value_set_uint64(value, self->frames_out.load());
      break;
    case PROP_FRAMES_INTERPOLATED:
      g_value_set_uint64(value, self->frames_interpolated.load());
      break;
    case PROP_SCENE_DETECTION:
      g_value_set_boolean(value, s.scene_detection);
      break;
    case PROP_SCENE_THRESHOLD:
      g_value_set_double(value, s.scene_threshold);
      break;
    case PROP_SCENE_CUTS:
      g_value_set_uint64(value, self->scene_cuts.load());
      break;
    case PROP_FRAMES_SKIPPED:
      g_value_set_uint64(value, self->frames_skipped.load());
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_double(value, s.stats_interval);
      break;
    case PROP_FP32_WARP:
      g_value_set_boolean(value, s.fp32_warp);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Start / stop: the model is loaded in start() so a bad file fails the state change cleanly.

static gboolean gst_rife_start(GstBaseTransform* trans) {
  GstRife* self = GST_RIFE(trans);
  rife::EngineOptions options;
  {
    std::lock_guard<std::mutex> lock(self->settings_lock);
    options.model_path = self->settings->model_path;
    options.model_version = to_engine(self->settings->model_version);
    options.device = self->settings->device;
    options.precision = to_engine(self->settings->precision);
    options.scale = self->settings->scale;
    options.fp32_warp = self->settings->fp32_warp;
  }
  try {
    self->state->engine = std::make_unique<rife::Engine>(options);
  } catch (const rife::Error& e) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot load the RIFE model %s", options.model_path.c_str()),
                      ("%s", e.what()));
    return FALSE;
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(self, RESOURCE, FAILED, ("Cannot start the RIFE engine with %s", options.model_path.c_str()),
                      ("%s", e.what()));
    return FALSE;
  }
  GST_INFO_OBJECT(self, "RIFE %s (model-version=%s) from %s on %s, %s", self->state->engine->model_version().c_str(),
                  options.model_version.c_str(), options.model_path.c_str(), self->state->engine->device_name().c_str(),
                  rife::to_string(self->state->engine->precision()));
  GST_INFO_OBJECT(self, "speed switches: %s", self->state->engine->optimisations().c_str());
  if (self->state->engine->ignored_tensors() > 0)
    GST_INFO_OBJECT(self, "%s: %zu training-only tensors (teacher.*, caltime.*) ignored", options.model_path.c_str(),
                    self->state->engine->ignored_tensors());
  self->frames_in = self->frames_out = self->frames_interpolated = self->frames_skipped = self->scene_cuts = 0;
  self->state->inference_ns_avg = 0;
  self->state->stats.restart(now_us());
  GST_OBJECT_LOCK(self);
  *self->qos = QosState{};
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

static void gst_rife_reset(GstRife* self) {
  State& st = *self->state;
  clear_cached(&st.prev);
  clear_jobs(&st.jobs);
  st.grid.clear();
  st.next_discont = true;
  GST_OBJECT_LOCK(self);
  self->qos->earliest = GST_CLOCK_TIME_NONE;  // QoS observations belong to the old segment
  GST_OBJECT_UNLOCK(self);
}

static gboolean gst_rife_stop(GstBaseTransform* trans) {
  GstRife* self = GST_RIFE(trans);
  gst_rife_reset(self);
  self->state->engine.reset();
  self->state->out_offset = 0;
  return TRUE;
}

static GstFlowReturn gst_rife_drain(GstRife* self);

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
    } else if (direction == GST_PAD_SINK) {
      if (fixed)
        gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE, n, d, G_MAXINT, 1, nullptr);
      else
        gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE, 0, 1, G_MAXINT, 1, nullptr);
    } else {
      if (fixed)
        gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE, 1, G_MAXINT, n, d, nullptr);
      else
        gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE, 0, 1, G_MAXINT, 1, nullptr);
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

static gboolean gst_rife_set_caps(GstBaseTransform* trans, GstCaps* incaps, GstCaps* outcaps) {
  GstRife* self = GST_RIFE(trans);
  State& st = *self->state;
  GstVideoInfo in, out;
  if (!gst_video_info_from_caps(&in, incaps) || !gst_video_info_from_caps(&out, outcaps)) {
    GST_ERROR_OBJECT(self, "invalid caps %" GST_PTR_FORMAT " / %" GST_PTR_FORMAT, incaps, outcaps);
    return FALSE;
  }
  rife::FrameGeometry geometry;
  if (GST_VIDEO_INFO_FORMAT(&in) != GST_VIDEO_INFO_FORMAT(&out) || in.width != out.width || in.height != out.height ||
      !rife_gst::geometry_of(in, &geometry)) {
    GST_ERROR_OBJECT(self, "rife cannot convert %" GST_PTR_FORMAT " into %" GST_PTR_FORMAT, incaps, outcaps);
    return FALSE;
  }
  const bool in_variable = in.fps_n == 0, out_variable = out.fps_n == 0;
  if (in_variable != out_variable ||
      (!in_variable && gst_util_fraction_compare(out.fps_n, out.fps_d, in.fps_n, in.fps_d) < 0)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                      ("rife cannot produce %d/%d fps from %d/%d fps", out.fps_n, out.fps_d, in.fps_n, in.fps_d),
                      ("the output rate must be at least the input rate (or both variable, 0/1)"));
    return FALSE;
  }
  if (st.prev.buffer) {
    // Renegotiation mid-stream: the cached frame leaves under the old caps, before the new ones.
    GstFlowReturn drained = gst_rife_drain(self);
    if (drained != GST_FLOW_OK) GST_DEBUG_OBJECT(self, "drain before renegotiation: %s", gst_flow_get_name(drained));
  }
  try {
    st.engine->configure(geometry);
  } catch (const std::exception& e) {  // rife::Error, e.g. out of memory for the work buffers
    GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT, ("rife cannot process %dx%d frames", in.width, in.height),
                      ("%s", e.what()));
    return FALSE;
  }
  gst_rife_reset(self);  // prepared frames of the old caps cannot be mixed with new ones
  st.in_info = in;
  st.out_info = out;
  st.variable_rate = in_variable;
  st.in_frame_duration = in_variable ? GST_CLOCK_TIME_NONE : gst_util_uint64_scale(GST_SECOND, in.fps_d, in.fps_n);
  st.grid.set_rate(out.fps_n, out.fps_d);
  GST_INFO_OBJECT(self, "%dx%d %s, %d/%d -> %d/%d fps, flow scale %.2f, padded %dx%d", in.width, in.height,
                  gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&in)), in.fps_n, in.fps_d, out.fps_n, out.fps_d,
                  st.engine->scale(), st.engine->padded_width(), st.engine->padded_height());
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// Output production

static void queue_passthrough(State& st, GstBuffer* source, GstClockTime pts, GstClockTime duration, guint64 pair = 0) {
  st.jobs.push_back({pts, duration, 0.0f, gst_buffer_ref(source), nullptr, nullptr, pair, st.next_discont});
  st.next_discont = false;
}

// An output at time `pts` between the cached input and `input`: interpolated, or at a scene cut the
// nearest of the two inputs held (no morphing between unrelated pictures).
static void queue_between(State& st, GstBuffer* input, const rife::FrameHandle& prepared, bool cut, GstClockTime pts,
                          GstClockTime duration, float t) {
  GstBuffer* nearest = t < 0.5f ? st.prev.buffer : input;
  if (cut) {
    queue_passthrough(st, nearest, pts, duration, st.pair_count);
  } else {
    st.jobs.push_back({pts, duration, t, gst_buffer_ref(nearest), st.prev.prepared, prepared, st.pair_count, false});
  }
}

// The cached frame once more at the next grid time, then nothing across the boundary (EOS,
// discontinuity, caps change, gap): the last frame is pushed exactly once.
static void queue_final_of_segment(GstRife* self) {
  State& st = *self->state;
  if (!st.prev.buffer) return;
  if (st.variable_rate || !st.grid.active()) {
    queue_passthrough(st, st.prev.buffer, st.prev.pts, st.prev.duration);
  } else {
    queue_passthrough(st, st.prev.buffer, st.grid.next(), st.grid.next_duration());
    st.grid.advance();
  }
  clear_cached(&st.prev);
  st.grid.clear();
}

// ----- QoS: interpolations that would reach the sink too late are skipped, never the inputs.

// Whether an output at `pts` would be late: the sink's QOS events say it is already behind, or (live
// upstream) the clock says it could not be computed before its render time (running time +
// pipeline latency), going by the mean inference time so far.
static bool gst_rife_output_is_late(GstRife* self, const OutputJob& job) {
  GstBaseTransform* trans = GST_BASE_TRANSFORM(self);
  if (!gst_base_transform_is_qos_enabled(trans) || trans->segment.format != GST_FORMAT_TIME) return false;
  const GstClockTime rt = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, job.pts);
  if (!GST_CLOCK_TIME_IS_VALID(rt)) return false;
  GST_OBJECT_LOCK(self);
  const QosState qos = *self->qos;
  GstClock* clock = GST_ELEMENT_CLOCK(self) ? GST_CLOCK(gst_object_ref(GST_ELEMENT_CLOCK(self))) : nullptr;
  const GstClockTime base_time = GST_ELEMENT_CAST(self)->base_time;
  GST_OBJECT_UNLOCK(self);
  bool late = GST_CLOCK_TIME_IS_VALID(qos.earliest) && rt <= qos.earliest;
  if (!late && clock && qos.live && GST_CLOCK_TIME_IS_VALID(qos.latency)) {
    const GstClockTime now = gst_clock_get_time(clock);
    const GstClockTime ready = now + GstClockTime(self->state->inference_ns_avg);
    late = now > base_time && ready - base_time > rt + qos.latency;
  }
  if (clock) gst_object_unref(clock);
  return late;
}

static void gst_rife_post_qos(GstRife* self, const OutputJob& job) {
  GstBaseTransform* trans = GST_BASE_TRANSFORM(self);
  const GstClockTime rt = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, job.pts);
  GST_OBJECT_LOCK(self);
  const QosState qos = *self->qos;
  GST_OBJECT_UNLOCK(self);
  GstMessage* msg =
      gst_message_new_qos(GST_OBJECT_CAST(self), qos.live, rt,
                          gst_segment_to_stream_time(&trans->segment, GST_FORMAT_TIME, job.pts), job.pts, job.duration);
  const gint64 jitter = GST_CLOCK_TIME_IS_VALID(qos.earliest) ? GST_CLOCK_DIFF(rt, qos.earliest) : 0;
  gst_message_set_qos_values(msg, jitter, qos.proportion, 1000000);
  gst_message_set_qos_stats(msg, GST_FORMAT_BUFFERS, self->frames_interpolated.load(), self->frames_skipped.load());
  gst_element_post_message(GST_ELEMENT_CAST(self), msg);
}

// Called with `job` just taken from the queue. When the pair's interpolations would be late, they
// are not computed: after an input (t = 0) they fold into its duration (the input is shown until
// the next one); an interpolation with no input before it in the queue becomes the nearest input.
static void gst_rife_skip_if_late(GstRife* self, OutputJob& job) {
  State& st = *self->state;
  const bool interpolation = job.t > 0.0f && !job.result;
  const bool input_then_interpolations = job.t == 0.0f && job.pair != 0 && !st.jobs.empty() &&
                                         st.jobs.front().pair == job.pair && st.jobs.front().t > 0.0f &&
                                         !st.jobs.front().result;
  if (!interpolation && !input_then_interpolations) return;
  if (!gst_rife_output_is_late(self, interpolation ? job : st.jobs.front())) return;
  // Forget the slow past a little with each skip, so that the element tries again once it might
  // keep up (a slow first frame on a cold GPU must not disable interpolation for good).
  st.inference_ns_avg *= 0.95;
  if (interpolation) {
    job.t = 0.0f;  // `source` is already the nearest input
    ++self->frames_skipped;
  } else {
    while (!st.jobs.empty() && st.jobs.front().pair == job.pair && st.jobs.front().t > 0.0f) {
      job.duration += st.jobs.front().duration;
      clear_job(&st.jobs.front());
      st.jobs.pop_front();
      ++self->frames_skipped;
    }
  }
  GST_DEBUG_OBJECT(self, "QoS: interpolation at %" GST_TIME_FORMAT " would be late, skipped", GST_TIME_ARGS(job.pts));
  gst_rife_post_qos(self, job);
}

// ----- Buffers: interpolated frames come from a pool, inputs are held one pair at a time.

// Frames that may be out of a pool at once because of rife: the batch of one pair's
// interpolations; for 2x that is one, for 24 -> 60 up to three.
static guint gst_rife_frames_per_pair(const State& st) {
  if (st.in_info.fps_n <= 0 || st.out_info.fps_n <= 0) return 1;
  const guint64 ratio = gst_util_uint64_scale_ceil(st.out_info.fps_n, st.in_info.fps_d,
                                                   guint64(st.out_info.fps_d) * guint64(st.in_info.fps_n));
  return guint(std::max<guint64>(1, ratio));
}

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
  if (gst_query_get_n_allocation_pools(query) == 0) {
    GstBufferPool* pool = gst_video_buffer_pool_new();
    GstStructure* config = gst_buffer_pool_get_config(pool);
    gst_buffer_pool_config_set_params(config, caps, guint(info.size), 2, 0);
    gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
    if (!gst_buffer_pool_set_config(pool, config)) {
      gst_object_unref(pool);
      return FALSE;
    }
    gst_query_add_allocation_pool(query, pool, guint(info.size), 2, 0);
    gst_object_unref(pool);
  }
  return TRUE;
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
  min += gst_rife_frames_per_pair(*self->state);
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
static GstFlowReturn gst_rife_transform(GstBaseTransform* trans, GstBuffer* inbuf, GstBuffer* outbuf) {
  (void)inbuf;
  (void)outbuf;
  GST_ELEMENT_ERROR(trans, CORE, FAILED, ("rife: unexpected call of transform()"), (nullptr));
  return GST_FLOW_ERROR;
}

static GstFlowReturn gst_rife_new_output_buffer(GstRife* self, GstBuffer** out) {
  GstBufferPool* pool = gst_base_transform_get_buffer_pool(GST_BASE_TRANSFORM(self));
  if (!pool) {  // no allocation query was answered (e.g. no downstream peer yet)
    *out = gst_buffer_new_allocate(nullptr, self->state->out_info.size, nullptr);
    return *out ? GST_FLOW_OK : GST_FLOW_ERROR;
  }
  if (!gst_buffer_pool_is_active(pool) && !gst_buffer_pool_set_active(pool, TRUE)) {
    gst_object_unref(pool);
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot activate the output buffer pool"), (nullptr));
    return GST_FLOW_ERROR;
  }
  const GstFlowReturn ret = gst_buffer_pool_acquire_buffer(pool, out, nullptr);
  gst_object_unref(pool);
  return ret;
}

// ----- Interpolation: every queued output of one pair in one batched forward pass.

static GstFlowReturn gst_rife_interpolate_pair(GstRife* self, OutputJob& first) {
  State& st = *self->state;
  std::vector<OutputJob*> jobs{&first};
  for (auto& j : st.jobs) {
    if (j.pair != first.pair || j.t == 0.0f || j.result) break;
    jobs.push_back(&j);
  }
  std::vector<float> ts;
  std::vector<rife::OutputPlanes> outs;
  std::vector<GstVideoFrame> frames(jobs.size());
  size_t mapped = 0;
  GstFlowReturn ret = GST_FLOW_OK;
  for (OutputJob* j : jobs) {
    ret = gst_rife_new_output_buffer(self, &j->result);
    if (ret != GST_FLOW_OK) break;
    if (!gst_video_frame_map(&frames[mapped], &st.out_info, j->result, GST_MAP_WRITE)) {
      GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Cannot map an output buffer"), (nullptr));
      ret = GST_FLOW_ERROR;
      break;
    }
    outs.push_back(rife_gst::output_planes(frames[mapped++]));
    ts.push_back(j->t);
  }
  if (ret == GST_FLOW_OK) {
    const auto start = std::chrono::steady_clock::now();
    try {
      st.engine->interpolate(first.a, first.b, ts, outs);
    } catch (const std::exception& e) {
      GST_ELEMENT_ERROR(self, STREAM, FAILED, ("RIFE interpolation failed"), ("%s", e.what()));
      ret = GST_FLOW_ERROR;
    }
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    const double per_frame = ns / double(jobs.size());
    // Running mean, weighted towards recent frames (the device warms up, the load changes).
    st.inference_ns_avg = st.inference_ns_avg == 0 ? per_frame : 0.8 * st.inference_ns_avg + 0.2 * per_frame;
    st.stats.add_inference(per_frame / 1e6, int(jobs.size()));
  }
  for (size_t i = 0; i < mapped; ++i) gst_video_frame_unmap(&frames[i]);
  if (ret != GST_FLOW_OK) {
    for (OutputJob* j : jobs) gst_clear_buffer(&j->result);
    return ret;
  }
  self->frames_interpolated += jobs.size();
  for (OutputJob* j : jobs) j->a.reset(), j->b.reset();  // the batch is done with the frames
  return GST_FLOW_OK;
}

static void gst_rife_post_stats_if_due(GstRife* self) {
  double interval;
  {
    std::lock_guard<std::mutex> lock(self->settings_lock);
    interval = self->settings->stats_interval;
  }
  State& st = *self->state;
  const gint64 now = now_us();
  if (!st.stats.due(now, interval)) return;
  GstStructure* s = st.stats.summary(now, self->frames_skipped.load(), self->scene_cuts.load());
  GST_LOG_OBJECT(self, "%" GST_PTR_FORMAT, s);
  gst_element_post_message(GST_ELEMENT_CAST(self), gst_message_new_element(GST_OBJECT_CAST(self), s));
  st.stats.restart(now);
}

// Turns one queued job (already taken off the queue) into the buffer to push.
static GstFlowReturn gst_rife_produce(GstRife* self, OutputJob& job, GstBuffer** outbuf) {
  State& st = *self->state;
  gst_rife_skip_if_late(self, job);
  if (job.t > 0.0f && !job.result) {
    const GstFlowReturn ret = gst_rife_interpolate_pair(self, job);
    if (ret != GST_FLOW_OK) {
      clear_job(&job);
      return ret;
    }
  }
  GstBuffer* buf;
  if (job.t > 0.0f) {
    buf = job.result;
    job.result = nullptr;
  } else {
    buf = gst_buffer_copy(job.source);  // shares the input's memory: bit-exact, no copy of pixels
  }
  clear_job(&job);
  GST_BUFFER_PTS(buf) = job.pts;
  GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(buf) = job.duration;
  GST_BUFFER_OFFSET(buf) = st.out_offset;
  GST_BUFFER_OFFSET_END(buf) = ++st.out_offset;
  if (job.discont)
    GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
  else
    GST_BUFFER_FLAG_UNSET(buf, GST_BUFFER_FLAG_DISCONT);
  GST_BUFFER_FLAG_UNSET(buf, GST_BUFFER_FLAG_GAP);
  ++self->frames_out;
  st.stats.count_out();
  gst_rife_post_stats_if_due(self);
  *outbuf = buf;
  return GST_FLOW_OK;
}

// Pushes every queued job from an event handler (EOS, caps change, gap).
static GstFlowReturn gst_rife_push_queued(GstRife* self) {
  GstFlowReturn ret = GST_FLOW_OK;
  while (!self->state->jobs.empty() && ret == GST_FLOW_OK) {
    OutputJob job = self->state->jobs.front();
    self->state->jobs.pop_front();
    GstBuffer* buf = nullptr;
    ret = gst_rife_produce(self, job, &buf);
    if (ret == GST_FLOW_OK) ret = gst_pad_push(GST_BASE_TRANSFORM_SRC_PAD(self), buf);
  }
  clear_jobs(&self->state->jobs);
  return ret;
}

static GstFlowReturn gst_rife_drain(GstRife* self) {
  queue_final_of_segment(self);
  return gst_rife_push_queued(self);
}

// Whether the cached input and the new one (at `pts`) are on two sides of a scene cut.
static bool gst_rife_is_scene_cut(GstRife* self, const rife::FrameHandle& next, GstClockTime pts) {
  bool enabled;
  double threshold;
  {
    std::lock_guard<std::mutex> lock(self->settings_lock);
    enabled = self->settings->scene_detection;
    threshold = self->settings->scene_threshold;
  }
  if (!enabled) return false;
  float score;
  try {
    score = self->state->engine->difference(self->state->prev.prepared, next);
  } catch (const std::exception& e) {  // not worth failing the stream: interpolate as if no cut
    GST_WARNING_OBJECT(self, "scene-cut measure failed: %s", e.what());
    return false;
  }
  if (score <= threshold) return false;
  ++self->scene_cuts;
  GST_INFO_OBJECT(self, "scene cut before %" GST_TIME_FORMAT " (difference %.3f > %.3f): holding frames",
                  GST_TIME_ARGS(pts), score, threshold);
  return true;
}

static GstFlowReturn gst_rife_submit_input_buffer(GstBaseTransform* trans, gboolean is_discont, GstBuffer* input) {
  (void)is_discont;
  GstRife* self = GST_RIFE(trans);
  State& st = *self->state;
  // The base class renegotiates if downstream asked for it, then queues the buffer for us.
  GstFlowReturn ret = GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->submit_input_buffer(trans, is_discont, input);
  if (ret != GST_FLOW_OK) return ret;
  input = trans->queued_buf;
  trans->queued_buf = nullptr;
  if (!input) return GST_FLOW_OK;
  ++self->frames_in;
  st.stats.count_in();
  if (!st.engine || st.in_info.width == 0) {
    gst_buffer_unref(input);
    return GST_FLOW_NOT_NEGOTIATED;
  }

  // Timestamps: untimestamped inputs continue from the previous input at the input rate.
  GstClockTime pts = GST_BUFFER_PTS(input);
  if (!GST_CLOCK_TIME_IS_VALID(pts)) {
    GstClockTime step = GST_BUFFER_DURATION_IS_VALID(input) ? GST_BUFFER_DURATION(input) : st.in_frame_duration;
    if (st.prev.buffer && GST_CLOCK_TIME_IS_VALID(st.prev.pts) && GST_CLOCK_TIME_IS_VALID(step))
      pts = st.prev.pts + step;
    else if (!st.prev.buffer)
      pts = trans->segment.start;
    if (!st.warned_no_timestamps) {
      GST_WARNING_OBJECT(self, "input without timestamps: continuing from the previous frame at the input rate");
      st.warned_no_timestamps = true;
    }
    if (!GST_CLOCK_TIME_IS_VALID(pts)) {
      // Variable rate and nothing to go by: pass the frame through untouched (never drop it).
      queue_final_of_segment(self);
      queue_passthrough(st, input, GST_CLOCK_TIME_NONE, GST_BUFFER_DURATION(input));
      gst_buffer_unref(input);
      return GST_FLOW_OK;
    }
  }
  GstClockTime duration = GST_BUFFER_DURATION_IS_VALID(input) ? GST_BUFFER_DURATION(input) : st.in_frame_duration;

  // No interpolation across a discontinuity, a gap (more than two frame durations without input)
  // or timestamps that do not move forward.
  if (st.prev.buffer) {
    const GstClockTime limit = GST_CLOCK_TIME_IS_VALID(st.in_frame_duration) ? 2 * st.in_frame_duration
                               : GST_CLOCK_TIME_IS_VALID(st.prev.duration)   ? 2 * st.prev.duration
                                                                             : GST_CLOCK_TIME_NONE;
    const bool backwards = pts <= st.prev.pts;
    const bool gap = GST_CLOCK_TIME_IS_VALID(limit) && !backwards && pts - st.prev.pts > limit;
    // (`is_discont` is the base class's pending flag for its next output, not this buffer's.)
    if (GST_BUFFER_IS_DISCONT(input) || backwards || gap) {
      GST_DEBUG_OBJECT(self, "no interpolation across %s at %" GST_TIME_FORMAT,
                       backwards ? "backwards timestamps"
                       : gap     ? "a gap"
                                 : "a discontinuity",
                       GST_TIME_ARGS(pts));
      // Pushed here, not through generate_output(): the base class would flag it DISCONT, but the
      // discontinuity belongs to the frame after it.
      const GstFlowReturn drained = gst_rife_drain(self);
      st.next_discont = true;
      if (drained != GST_FLOW_OK) {
        gst_buffer_unref(input);
        return drained;
      }
    }
  }

  rife::FrameHandle prepared;
  {
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &st.in_info, input, GST_MAP_READ)) {
      gst_buffer_unref(input);
      GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                        ("Cannot map the input buffer as %dx%d video", st.in_info.width, st.in_info.height), (nullptr));
      return GST_FLOW_ERROR;
    }
    try {
      prepared = st.engine->prepare(rife_gst::input_planes(frame));
    } catch (const std::exception& e) {
      gst_video_frame_unmap(&frame);
      gst_buffer_unref(input);
      GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Cannot upload a frame to the RIFE engine"), ("%s", e.what()));
      return GST_FLOW_ERROR;
    }
    gst_video_frame_unmap(&frame);
  }

  if (st.prev.buffer) {
    const GstClockTime p0 = st.prev.pts, span = pts - p0;
    ++st.pair_count;
    const bool cut = gst_rife_is_scene_cut(self, prepared, pts);
    if (st.variable_rate) {
      queue_passthrough(st, st.prev.buffer, p0, span / 2, st.pair_count);
      queue_between(st, input, prepared, cut, p0 + span / 2, span - span / 2, 0.5f);
    } else {
      // Grid times within kSnap of an input are that input: nanosecond rounding of the base (e.g.
      // a stream starting at 2/30 s) must not turn a frame into an interpolation at t = 0.99999997.
      for (GstClockTime tk = st.grid.next(); tk + kSnap < pts; st.grid.advance(), tk = st.grid.next()) {
        if (tk <= p0 + kSnap)
          queue_passthrough(st, st.prev.buffer, tk, st.grid.next_duration(), st.pair_count);
        else
          queue_between(st, input, prepared, cut, tk, st.grid.next_duration(), float(double(tk - p0) / double(span)));
      }
    }
  } else if (!st.variable_rate) {
    st.grid.rebase(pts);  // the first frame, or the first after a discontinuity, starts the grid
  }
  clear_cached(&st.prev);
  st.prev.buffer = input;  // takes the ref
  st.prev.prepared = prepared;
  st.prev.pts = pts;
  st.prev.duration = duration;
  return GST_FLOW_OK;
}

static GstFlowReturn gst_rife_generate_output(GstBaseTransform* trans, GstBuffer** outbuf) {
  GstRife* self = GST_RIFE(trans);
  *outbuf = nullptr;
  if (self->state->jobs.empty()) return GST_FLOW_OK;
  OutputJob job = self->state->jobs.front();
  self->state->jobs.pop_front();
  return gst_rife_produce(self, job, outbuf);
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
      gst_rife_reset(self);
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
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_QOS: {
      GstQOSType type;
      gdouble proportion;
      GstClockTimeDiff diff;
      GstClockTime timestamp;
      gst_event_parse_qos(event, &type, &proportion, &diff, &timestamp);
      GST_OBJECT_LOCK(self);
      self->qos->proportion = proportion;
      if (GST_CLOCK_TIME_IS_VALID(timestamp)) {
        // As GstBaseTransform does: when late, aim ahead by the lateness once more.
        if (diff > 0)
          self->qos->earliest = timestamp + 2 * diff;
        else
          self->qos->earliest = GstClockTime(std::max<GstClockTimeDiff>(0, GstClockTimeDiff(timestamp) + diff));
      } else {
        self->qos->earliest = GST_CLOCK_TIME_NONE;
      }
      GST_OBJECT_UNLOCK(self);
      // Passed upstream here, not through the base class: GstBaseTransform would record it too and
      // then drop whole input buffers in its submit_input_buffer; rife never drops an input.
      return gst_pad_push_event(GST_BASE_TRANSFORM_SINK_PAD(trans), event);
    }
    case GST_EVENT_LATENCY: {
      GstClockTime latency;
      gst_event_parse_latency(event, &latency);
      GST_OBJECT_LOCK(self);
      self->qos->latency = latency;
      GST_OBJECT_UNLOCK(self);
      break;
    }
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->src_event(trans, event);
}

static gboolean gst_rife_query(GstBaseTransform* trans, GstPadDirection direction, GstQuery* query) {
  GstRife* self = GST_RIFE(trans);
  if (direction == GST_PAD_SRC && GST_QUERY_TYPE(query) == GST_QUERY_LATENCY) {
    if (!gst_pad_peer_query(GST_BASE_TRANSFORM_SINK_PAD(trans), query)) return FALSE;
    gboolean live;
    GstClockTime min, max;
    gst_query_parse_latency(query, &live, &min, &max);
    // An output waits for the next input (one input frame), and the interpolated frames of a pair
    // are due within it: one more output frame covers their computation.
    const State& st = *self->state;
    GstClockTime extra = 0;
    if (GST_CLOCK_TIME_IS_VALID(st.in_frame_duration)) extra += st.in_frame_duration;
    if (st.out_info.fps_n > 0) extra += gst_util_uint64_scale(GST_SECOND, st.out_info.fps_d, st.out_info.fps_n);
    min += extra;
    if (GST_CLOCK_TIME_IS_VALID(max)) max += extra;
    GST_OBJECT_LOCK(self);
    self->qos->live = live;
    GST_OBJECT_UNLOCK(self);
    GST_DEBUG_OBJECT(self, "latency: upstream + %" GST_TIME_FORMAT, GST_TIME_ARGS(extra));
    gst_query_set_latency(query, live, min, max);
    return TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->query(trans, direction, query);
}

// ---------------------------------------------------------------------------------------------
// GObject boilerplate

static void gst_rife_finalize(GObject* object) {
  GstRife* self = GST_RIFE(object);
  gst_rife_reset(self);
  delete self->state;
  delete self->settings;
  delete self->qos;
  self->settings_lock.~mutex();
  self->frames_in.~atomic();
  self->frames_out.~atomic();
  self->frames_interpolated.~atomic();
  self->frames_skipped.~atomic();
  self->scene_cuts.~atomic();
  G_OBJECT_CLASS(gst_rife_parent_class)->finalize(object);
}

static void gst_rife_init(GstRife* self) {
  new (&self->settings_lock) std::mutex();
  new (&self->frames_in) std::atomic<guint64>(0);
  new (&self->frames_out) std::atomic<guint64>(0);
  new (&self->frames_interpolated) std::atomic<guint64>(0);
  new (&self->frames_skipped) std::atomic<guint64>(0);
  new (&self->scene_cuts) std::atomic<guint64>(0);
  self->settings = new Settings();
  self->state = new State();
  self->qos = new QosState();
  // GstBaseTransform's "qos" property switches our QoS handling; on by default for a live filter.
  // (The base class's own QoS dropping of inputs never runs: it never sees a QOS event.)
  gst_base_transform_set_qos_enabled(GST_BASE_TRANSFORM(self), TRUE);
}

static void gst_rife_class_init(GstRifeClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass* trans_class = GST_BASE_TRANSFORM_CLASS(klass);

  gobject_class->set_property = gst_rife_set_property;
  gobject_class->get_property = gst_rife_get_property;
  gobject_class->finalize = gst_rife_finalize;

  const auto model_flags = GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  const auto counter_flags = GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property(
      gobject_class, PROP_MODEL_PATH,
      g_param_spec_string(
          "model-path", "Model path",
          "RIFE weights: a torch.save state dict of RIFE 4.25/4.26, 4.25-lite or 4.6 in the official layout "
          "(Practical-RIFE checkpoints as they are). Default: $RIFE_MODEL_PATH if set, else the real 4.25/4.26 "
          "checkpoint that models/get_weights.py places at " RIFE_DEFAULT_MODEL_PATH,
          nullptr, model_flags));
  g_object_class_install_property(
      gobject_class, PROP_MODEL_VERSION,
      g_param_spec_enum("model-version", "Model version",
                        "RIFE version of the weights (auto: detected from the state dict's keys and shapes; a forced "
                        "version that does not match the file is an error)",
                        GST_TYPE_RIFE_MODEL_VERSION, MODEL_VERSION_AUTO, model_flags));
  g_object_class_install_property(
      gobject_class, PROP_DEVICE,
      g_param_spec_string("device", "Device", "Where RIFE runs: auto (cuda:0 if usable, else cpu), cpu, cuda or cuda:N",
                          "auto", model_flags));
  g_object_class_install_property(gobject_class, PROP_PRECISION,
                                  g_param_spec_enum("precision", "Precision", "Arithmetic of the network",
                                                    GST_TYPE_RIFE_PRECISION, PRECISION_AUTO, model_flags));
  g_object_class_install_property(
      gobject_class, PROP_SCALE,
      g_param_spec_double("scale", "Flow scale",
                          "Resolution of the flow estimation: 1.0, 0.5 (advised for 4K), 0.25; 0 = auto "
                          "(0.5 above 2560x1440, else 1.0)",
                          0.0, 1.0, 0.0, model_flags));
  g_object_class_install_property(gobject_class, PROP_FRAMES_IN,
                                  g_param_spec_uint64("frames-in", "Frames in", "Input frames received since start", 0,
                                                      G_MAXUINT64, 0, counter_flags));
  g_object_class_install_property(
      gobject_class, PROP_FRAMES_OUT,
      g_param_spec_uint64("frames-out", "Frames out", "Frames pushed since start (inputs and interpolated)", 0,
                          G_MAXUINT64, 0, counter_flags));
  g_object_class_install_property(
      gobject_class, PROP_FRAMES_INTERPOLATED,
      g_param_spec_uint64("frames-interpolated", "Frames interpolated", "Frames computed by RIFE since start", 0,
                          G_MAXUINT64, 0, counter_flags));

  g_object_class_install_property(
      gobject_class, PROP_FP32_WARP,
      g_param_spec_boolean("fp32-warp", "FP32 warp",
                           "With fp16/bf16 precision, compute the warp (grid_sample) in FP32 while the convolutions "
                           "stay in reduced precision (guards against sampling artefacts at 4K)",
                           FALSE, model_flags));
  g_object_class_install_property(
      gobject_class, PROP_SCENE_DETECTION,
      g_param_spec_boolean("scene-detection", "Scene-cut detection",
                           "Detect scene cuts between two inputs and hold the nearest input there instead of morphing "
                           "one scene into the other",
                           TRUE, GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property(
      gobject_class, PROP_SCENE_THRESHOLD,
      g_param_spec_double("scene-threshold", "Scene-cut threshold",
                          "A pair is a cut when the mean absolute luma difference of 64x64 thumbnails exceeds this "
                          "(0..1; consecutive frames of a fast real pan score up to 0.05, cuts to unrelated real "
                          "pictures 0.18 and up)",
                          0.0, 1.0, kDefaultSceneThreshold,
                          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property(gobject_class, PROP_SCENE_CUTS,
                                  g_param_spec_uint64("scene-cuts", "Scene cuts", "Scene cuts detected since start", 0,
                                                      G_MAXUINT64, 0, counter_flags));
  g_object_class_install_property(
      gobject_class, PROP_FRAMES_SKIPPED,
      g_param_spec_uint64("frames-skipped", "Frames skipped",
                          "Interpolations skipped by QoS since start (their time covered by an input instead)", 0,
                          G_MAXUINT64, 0, counter_flags));
  g_object_class_install_property(
      gobject_class, PROP_STATS_INTERVAL,
      g_param_spec_double("stats-interval", "Statistics interval",
                          "Post a 'rife-stats' element message every this many seconds (fps-in, fps-out, "
                          "interpolated, inference-mean-ms, inference-p95-ms, skipped, scene-cuts); 0 = never",
                          0.0, 3600.0, 0.0,
                          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));

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
}
