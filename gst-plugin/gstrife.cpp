// GstRife: raises the frame rate of raw video with RIFE. The element is glue: the output schedule
// (output_schedule.h) decides which frames leave when, the engine (src/rife_engine.h, one stream of
// a model that may be shared with other elements) computes the interpolations, live QoS
// (live_qos.h) says which would be late, and this file connects them to GStreamer: caps, events,
// queries, buffers, properties and messages.
//
// Threads and locks: who touches what
//   settings_lock  guards `settings`, the properties: set from any thread (set_property); start()
//                  and the streaming thread copy what they need while holding it.
//   streaming      no lock: the streaming thread's own state (engine, caps, schedule, statistics).
//                  GstBaseTransform calls start, stop, set_caps, sink_event, submit_input_buffer and
//                  generate_output from the streaming thread or with the pads inactive, never two at
//                  once, so nothing else may read it...
//   engine_lock    ...but the engine pointer itself, which start() and stop() set under this lock
//                  so that get_property (model-users) can read it from any thread.
//   qos            LiveQos has its own lock: downstream threads report (QOS and LATENCY events, the
//                  LATENCY query's `live`), the streaming thread asks.
//   atomics        the read-only counters and `latency_extra`: written by the streaming thread, read
//                  by get_property and the LATENCY query from any thread.
//   The object lock is taken only where GStreamer asks for it (the element's clock and base time).
//   The engine's model and its worker thread are shared with other elements: the engine's calls
//   block until the worker has computed this stream's work (engine.h says how the worker batches).
//
// What GstBaseTransform does not do for rife, and how it is worked around (each is explained where
// it lives): rife emits several outputs per input (submit_input_buffer + generate_output, as
// d3d11deinterlace does), drains on events by pushing itself (gst_rife_drain), has a transform()
// that is never called (allocation), and keeps QOS events from the base class (which would drop
// inputs).

#include "gstrife.h"

#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "allocation.h"
#include "live_qos.h"
#include "output_schedule.h"
#include "properties.h"
#include "quality_controller.h"
#include "rate_caps.h"
#include "rife_engine.h"
#include "settings.h"
#include "stats_window.h"
#include "video_formats.h"

GST_DEBUG_CATEGORY_STATIC(gst_rife_debug);
#define GST_CAT_DEFAULT gst_rife_debug

using namespace rife_gst;

namespace {

// The streaming thread's state (see the locking notes at the top).
struct Streaming {
  std::unique_ptr<rife::Engine> engine;
  GstVideoInfo in_info{}, out_info{};
  OutputSchedule schedule;
  bool warned_no_timestamps = false;
  bool warned_caps = false;   // the one warning about caps rife cannot take
  bool warm = false;          // a batch has run since the last caps: the next one's time is typical
  QualityController quality;  // ensemble=auto: the mode for each batch
  StatsWindow stats;
  rife::BatchStats batches_seen;  // the engine's batch statistics at the last batch
};

struct Counters {
  std::atomic<guint64> in{0}, out{0}, interpolated{0}, skipped{0}, scene_cuts{0}, ensemble_switches{0},
      cross_stream_batches{0}, still{0};
  void reset() {
    in = out = interpolated = skipped = scene_cuts = ensemble_switches = cross_stream_batches = still = 0;
  }
};

gint64 now_us() { return g_get_monotonic_time(); }

}  // namespace

struct GstRifePrivate {
  std::mutex settings_lock;
  Settings settings;
  Streaming streaming;
  std::mutex engine_lock;  // streaming.engine, for readers on other threads
  LiveQos qos;
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

GType gst_rife_precision_get_type(void) { return precision_enum_type(); }
GType gst_rife_model_version_get_type(void) { return model_version_enum_type(); }
GType gst_rife_ensemble_get_type(void) { return ensemble_enum_type(); }

// Sizes the engine accepts (2..16384 per side), any frame rate, progressive frames only: woven
// fields would be interpolated into combed frames (put deinterlace in front).
#define RIFE_CAPS                                \
  "video/x-raw, format = (string) " RIFE_FORMATS \
  ", width = (int) [ 2, 16384 ], "               \
  "height = (int) [ 2, 16384 ], framerate = (fraction) [ 0/1, 2147483647/1 ], interlace-mode = (string) progressive"
static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(RIFE_CAPS));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(RIFE_CAPS));

static Streaming& streaming_of(GstRife* self) { return self->priv->streaming; }

// ---------------------------------------------------------------------------------------------
// Properties (properties.h has their specs)

static void gst_rife_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  GstRife* self = GST_RIFE(object);
  {
    std::lock_guard<std::mutex> lock(self->priv->settings_lock);
    if (!set_setting(self->priv->settings, prop_id, value)) {
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      return;
    }
  }
  // GStreamer's convention for GST_PARAM_MUTABLE_READY: the value is kept (and read back) and
  // applies at the next start; the user is told, since the running stream does not change.
  if (applies_at_start(prop_id) && GST_STATE(self) >= GST_STATE_PAUSED)
    GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS,
                        ("rife's %s was changed while %s: it applies at the next start (READY -> PAUSED)",
                         g_param_spec_get_name(pspec), gst_element_state_get_name(GST_STATE(self))),
                        ("the running stream keeps the value it started with"));
}

static void gst_rife_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  GstRifePrivate* priv = GST_RIFE(object)->priv;
  const Counters& c = priv->counters;
  switch (prop_id) {
    case PROP_FRAMES_IN:
      return g_value_set_uint64(value, c.in.load());
    case PROP_FRAMES_OUT:
      return g_value_set_uint64(value, c.out.load());
    case PROP_FRAMES_INTERPOLATED:
      return g_value_set_uint64(value, c.interpolated.load());
    case PROP_FRAMES_SKIPPED:
      return g_value_set_uint64(value, c.skipped.load());
    case PROP_SCENE_CUTS:
      return g_value_set_uint64(value, c.scene_cuts.load());
    case PROP_ENSEMBLE_SWITCHES:
      return g_value_set_uint64(value, c.ensemble_switches.load());
    case PROP_CROSS_STREAM_BATCHES:
      return g_value_set_uint64(value, c.cross_stream_batches.load());
    case PROP_FRAMES_STILL:
      return g_value_set_uint64(value, c.still.load());
    case PROP_MODEL_USERS: {
      std::lock_guard<std::mutex> lock(priv->engine_lock);
      const auto& engine = priv->streaming.engine;
      return g_value_set_uint(value, engine ? guint(engine->model_users()) : 0);
    }
    default:
      break;
  }
  std::lock_guard<std::mutex> lock(priv->settings_lock);
  if (!get_setting(priv->settings, prop_id, value)) G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
}

// ---------------------------------------------------------------------------------------------
// Start / stop: the model is loaded (or joined, when another element has it) in start(), so that a
// bad file, device or setting fails the state change cleanly with an error naming it.

static void gst_rife_post_start_error(GstRife* self, const rife::EngineOptions& o, const rife::Error& e) {
  switch (e.kind()) {
    case rife::ErrorKind::Weights:
      GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot load the RIFE model: %s", e.what()), ("%s", e.what()));
      break;
    case rife::ErrorKind::Device:
      GST_ELEMENT_ERROR(
          self, RESOURCE, SETTINGS, ("Cannot use device '%s' for RIFE: %s", o.device.c_str(), e.what()),
          ("device=%s; device=cpu runs everywhere, device=auto picks cuda:0 when it is usable", o.device.c_str()));
      break;
    case rife::ErrorKind::Setting:
      GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Invalid rife setting: %s", e.what()),
                        ("device=%s precision=%s scale=%g", o.device.c_str(), rife::to_string(o.precision), o.scale));
      break;
    case rife::ErrorKind::Resource:
      GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT, ("Not enough memory for RIFE: %s", e.what()), ("%s", e.what()));
      break;
    default:
      GST_ELEMENT_ERROR(self, RESOURCE, FAILED, ("Cannot start RIFE: %s", e.what()),
                        ("model-path=%s", o.model_path.c_str()));
      break;
  }
}

static gboolean gst_rife_start(GstBaseTransform* trans) {
  GstRife* self = GST_RIFE(trans);
  Streaming& st = streaming_of(self);
  rife::EngineOptions options;
  {
    std::lock_guard<std::mutex> lock(self->priv->settings_lock);
    options = self->priv->settings.engine_options();
  }
  std::unique_ptr<rife::Engine> engine;
  try {
    engine = std::make_unique<rife::Engine>(options);
  } catch (const rife::Error& e) {
    gst_rife_post_start_error(self, options, e);
    return FALSE;
  } catch (const std::exception& e) {
    gst_rife_post_start_error(self, options, rife::Error(e.what()));
    return FALSE;
  }
  GST_INFO_OBJECT(self, "RIFE %s (model-version=%s) from %s on %s, %s, model shared by %d element(s)",
                  engine->model_version().c_str(), rife::to_string(options.model_version), options.model_path.c_str(),
                  engine->device_name().c_str(), rife::to_string(engine->precision()), engine->model_users());
  GST_INFO_OBJECT(self, "speed switches: %s; batches up to %zu MiB", engine->optimisations().c_str(),
                  engine->batch_memory() >> 20);
  if (engine->ignored_tensors() > 0)
    GST_INFO_OBJECT(self, "%s: %zu training-only tensors (teacher.*, caltime.*) ignored", options.model_path.c_str(),
                    engine->ignored_tensors());
  {
    std::lock_guard<std::mutex> lock(self->priv->engine_lock);
    st.engine = std::move(engine);
  }
  self->priv->counters.reset();
  st.quality.reset(rife::Ensemble::TimeFlip);
  st.stats.restart(now_us());
  st.schedule.restart();
  st.batches_seen = st.engine->batch_stats();
  st.warned_caps = false;
  self->priv->qos.restart();
  return TRUE;
}

static gboolean gst_rife_stop(GstBaseTransform* trans) {
  GstRife* self = GST_RIFE(trans);
  streaming_of(self).schedule.restart();  // prepared frames go before their engine
  std::unique_ptr<rife::Engine> engine;
  {
    std::lock_guard<std::mutex> lock(self->priv->engine_lock);
    engine = std::move(streaming_of(self).engine);
  }
  engine.reset();  // outside the lock: the last user of a shared model waits for its worker to stop
  self->priv->qos.forget_observations();
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// Caps (rate_caps.h): same size and format; the src framerate is any rate at least the sink rate.

static GstCaps* gst_rife_transform_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                        GstCaps* filter) {
  GstCaps* result = transform_rate_caps(direction, caps, filter);
  GST_DEBUG_OBJECT(trans, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT, direction == GST_PAD_SINK ? "sink" : "src",
                   caps, result);
  return result;
}

static GstCaps* gst_rife_fixate_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                     GstCaps* othercaps) {
  othercaps = gst_caps_truncate(gst_caps_make_writable(othercaps));
  if (direction == GST_PAD_SINK) fixate_double_rate(caps, othercaps);  // unless downstream asks otherwise
  return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->fixate_caps(trans, direction, caps, othercaps);
}

// Caps rife cannot take end in not-negotiated, which names nothing: the first refusal (an
// ACCEPT_CAPS query, or a CAPS query for fixed caps that rife's answer leaves empty) also posts a
// warning saying what was offered and what rife takes.
static void gst_rife_warn_refused_caps(GstRife* self, GstCaps* caps) {
  Streaming& st = streaming_of(self);
  if (st.warned_caps || !caps || gst_caps_is_empty(caps) || !gst_caps_is_fixed(caps)) return;
  st.warned_caps = true;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const gchar* format = gst_structure_get_string(s, "format");
  const gchar* interlace = gst_structure_get_string(s, "interlace-mode");
  if (interlace && g_strcmp0(interlace, "progressive") != 0)
    GST_ELEMENT_WARNING(self, CORE, NEGOTIATION,
                        ("rife cannot take %s (interlaced) video: it interpolates progressive frames only; put "
                         "deinterlace before it",
                         interlace),
                        ("offered %" GST_PTR_FORMAT, caps));
  else
    GST_ELEMENT_WARNING(self, CORE, NEGOTIATION,
                        ("rife cannot take %s frames: it takes " RIFE_FORMATS "; put videoconvert before it",
                         format ? format : gst_structure_get_name(s)),
                        ("offered %" GST_PTR_FORMAT, caps));
}

static gboolean gst_rife_accept_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps) {
  if (GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->accept_caps(trans, direction, caps)) return TRUE;
  if (direction == GST_PAD_SINK) gst_rife_warn_refused_caps(GST_RIFE(trans), caps);
  return FALSE;
}

static GstFlowReturn gst_rife_drain(GstRife* self);

// Whether rife can turn `in` into `out`; posts the error when the rates are the problem.
static bool gst_rife_check_conversion(GstRife* self, const GstVideoInfo& in, const GstVideoInfo& out,
                                      rife::FrameGeometry* geometry) {
  if (GST_VIDEO_INFO_FORMAT(&in) != GST_VIDEO_INFO_FORMAT(&out) || in.width != out.width || in.height != out.height ||
      !geometry_of(in, geometry))
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

// The interpolations computed together: as many of a pair's as the engine's batch holds in
// `setting`'s mode (auto: the most passes it may choose).
static size_t gst_rife_batch_limit(GstRife* self, EnsembleSetting setting) {
  Streaming& st = streaming_of(self);
  const rife::Ensemble mode =
      setting == EnsembleSetting::Auto ? rife::Ensemble::TimeFlip : rife::Ensemble(int(setting));
  return st.engine ? st.engine->timesteps_per_batch(mode) : 1;
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
  self->priv->qos.forget_observations();
  st.in_info = in;
  st.out_info = out;
  st.schedule.set_rates(in.fps_n, in.fps_d, out.fps_n, out.fps_d);
  st.quality.reset(rife::Ensemble::TimeFlip);  // costs differ with the size: learn them again
  st.warm = false;
  // An output waits for the next input (one input frame), and the interpolated frames of a pair
  // are due within it: one more output frame covers their computation.
  const GstClockTime in_frame = st.schedule.input_frame_duration(), out_frame = st.schedule.output_frame_duration();
  self->priv->latency_extra =
      (GST_CLOCK_TIME_IS_VALID(in_frame) ? in_frame : 0) + (GST_CLOCK_TIME_IS_VALID(out_frame) ? out_frame : 0);
  GST_INFO_OBJECT(self, "%dx%d %s, %d/%d -> %d/%d fps, flow scale %.2f, padded %dx%d, up to %zu interpolations a batch",
                  in.width, in.height, gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&in)), in.fps_n, in.fps_d,
                  out.fps_n, out.fps_d, st.engine->scale(), st.engine->padded_width(), st.engine->padded_height(),
                  gst_rife_batch_limit(self, EnsembleSetting::None));
  return TRUE;
}

// ---------------------------------------------------------------------------------------------
// Buffers (allocation.h): interpolated frames come from a pool; inputs are held one pair at a time.

static gboolean gst_rife_propose_allocation(GstBaseTransform* trans, GstQuery* decide_query, GstQuery* query) {
  if (!GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->propose_allocation(trans, decide_query, query)) return FALSE;
  if (decide_query == nullptr) return TRUE;  // passthrough: downstream has answered
  return propose_input_allocation(query);
}

static gboolean gst_rife_decide_allocation(GstBaseTransform* trans, GstQuery* query) {
  GstRife* self = GST_RIFE(trans);
  const guint batch = guint(std::min<size_t>(streaming_of(self).schedule.outputs_per_pair(),
                                             gst_rife_batch_limit(self, EnsembleSetting::None)));
  return decide_output_allocation(GST_OBJECT(self), query, batch) &&
         GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->decide_allocation(trans, query);
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
// QoS (live_qos.h): interpolations that would reach the sink too late are skipped, never the inputs.

static bool gst_rife_is_late(GstRife* self, GstClockTime pts) {
  GstBaseTransform* trans = GST_BASE_TRANSFORM(self);
  if (!gst_base_transform_is_qos_enabled(trans) || trans->segment.format != GST_FORMAT_TIME) return false;
  const GstClockTime rt = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, pts);
  GstClockTime now = GST_CLOCK_TIME_NONE;  // the clock's running time
  if (GstClock* clock = gst_element_get_clock(GST_ELEMENT_CAST(self))) {
    const GstClockTime base_time = gst_element_get_base_time(GST_ELEMENT_CAST(self));
    const GstClockTime time = gst_clock_get_time(clock);
    if (time > base_time) now = time - base_time;
    gst_object_unref(clock);
  }
  return self->priv->qos.is_late(rt, now);
}

// When the next batch would be late it is not computed (the schedule shows inputs in its place).
static void gst_rife_skip_late_interpolations(GstRife* self) {
  Streaming& st = streaming_of(self);
  const GstClockTime next = st.schedule.upcoming_interpolation();
  if (!GST_CLOCK_TIME_IS_VALID(next) || !gst_rife_is_late(self, next)) return;
  self->priv->qos.skipped();
  self->priv->counters.skipped += st.schedule.skip_upcoming();
  GST_DEBUG_OBJECT(self, "QoS: interpolation at %" GST_TIME_FORMAT " would be late, skipped", GST_TIME_ARGS(next));
  const Counters& c = self->priv->counters;
  gst_element_post_message(
      GST_ELEMENT_CAST(self),
      self->priv->qos.message(GST_OBJECT_CAST(self), GST_BASE_TRANSFORM(self)->segment, next,
                              st.schedule.output_frame_duration(), c.interpolated.load(), c.skipped.load()));
}

// ---------------------------------------------------------------------------------------------
// Producing outputs

// What a batch cost, the wait for the shared worker included: the live deadline check and
// ensemble=auto go by it.
static void gst_rife_record_inference(GstRife* self, double ns, size_t frames, rife::Ensemble ensemble) {
  Streaming& st = streaming_of(self);
  const double per_frame = ns / double(frames);
  st.stats.add_inference(per_frame / 1e6, int(frames), ensemble);
  const rife::BatchStats now = st.engine->batch_stats();
  st.stats.add_batches({now.batches - st.batches_seen.batches, now.rows - st.batches_seen.rows,
                        now.streams - st.batches_seen.streams, now.cross_stream - st.batches_seen.cross_stream});
  self->priv->counters.cross_stream_batches += now.cross_stream - st.batches_seen.cross_stream;
  st.batches_seen = now;
  // The first batch at a new size runs cold (the CPU's and cuDNN's kernels for that shape are made
  // then; 5-10x a warm batch at small sizes on a CPU): it would make live QoS skip for a while and
  // ensemble=auto start from a wrong cost.
  if (!st.warm) {
    st.warm = true;
    return;
  }
  self->priv->qos.record_cost(per_frame);
  st.quality.record(ensemble, ns, int(frames));
}

// The ensemble for a batch: the one the property names, or with `auto` the best the time allows.
// There is a deadline when upstream is live or a sink downstream syncs (it sends QOS events): the
// next pair's batch is due one input interval later. Without one (offline), time+flip.
static rife::Ensemble gst_rife_choose_ensemble(GstRife* self, EnsembleSetting setting,
                                               const OutputSchedule::Batch& batch) {
  static_assert(int(EnsembleSetting::None) == int(rife::Ensemble::None) &&
                    int(EnsembleSetting::Time) == int(rife::Ensemble::Time) &&
                    int(EnsembleSetting::TimeFlip) == int(rife::Ensemble::TimeFlip),
                "EnsembleSetting's fixed modes are the engine's");
  if (setting != EnsembleSetting::Auto) return rife::Ensemble(int(setting));
  const bool deadline = self->priv->qos.deadline();
  QualityController& quality = streaming_of(self).quality;
  const rife::Ensemble before = quality.current();
  const guint64 switches_before = quality.switches();
  const GstClockTime budget = batch.budget();
  const rife::Ensemble mode =
      quality.choose(deadline && GST_CLOCK_TIME_IS_VALID(budget) ? double(budget) : 0.0, int(batch.size()));
  if (quality.switches() != switches_before) {  // the controller restarts its count at caps; ours runs on
    ++self->priv->counters.ensemble_switches;
    GST_INFO_OBJECT(self, "ensemble %s -> %s (budget %" GST_TIME_FORMAT ", estimate %.1f ms)", rife::to_string(before),
                    rife::to_string(mode), GST_TIME_ARGS(budget), quality.estimate_ns(mode, int(batch.size())) / 1e6);
  }
  return mode;
}

// Runs the next batch of interpolations (one pair's outputs, or as many as a batch holds) on the
// engine.
static GstFlowReturn gst_rife_interpolate_batch(GstRife* self) {
  Streaming& st = streaming_of(self);
  EnsembleSetting setting;
  guint batch_wait_us;
  {
    std::lock_guard<std::mutex> lock(self->priv->settings_lock);
    setting = self->priv->settings.ensemble;
    batch_wait_us = self->priv->settings.batch_wait_us;
  }
  auto batch = st.schedule.take_batch(gst_rife_batch_limit(self, setting));
  MappedOutputs outputs(self, batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const GstFlowReturn ret = outputs.add();
    if (ret != GST_FLOW_OK) return ret;
  }
  const rife::Ensemble ensemble = gst_rife_choose_ensemble(self, setting, batch);
  st.engine->set_batch_wait_us(batch_wait_us);
  const auto start = std::chrono::steady_clock::now();
  try {
    st.engine->interpolate(batch.before(), batch.after(), batch.timesteps(), outputs.planes(), ensemble);
  } catch (const std::exception& e) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("RIFE interpolation failed"), ("%s", e.what()));
    return GST_FLOW_ERROR;
  }
  gst_rife_record_inference(self,
                            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count(),
                            batch.size(), ensemble);
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
  Streaming& st = streaming_of(self);
  const gint64 now = now_us();
  if (!st.stats.due(now, interval)) return;
  const Counters& c = self->priv->counters;
  GstStructure* s = st.stats.summary(now, c.skipped.load(), c.scene_cuts.load(), c.ensemble_switches.load(),
                                     guint(st.engine->model_users()));
  gst_structure_set(s, "still", G_TYPE_UINT64, c.still.load(), nullptr);
  GST_LOG_OBJECT(self, "%" GST_PTR_FORMAT, s);
  gst_element_post_message(GST_ELEMENT_CAST(self), gst_message_new_element(GST_OBJECT_CAST(self), s));
  st.stats.restart(now);
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

// Whether the outputs between the cached input and the new one (at `pts`) show inputs instead of
// interpolations: the two are the same picture up to noise (a still camera, a paused scene, repeated
// frames: the outputs are then the input itself, bit-exact, and the network does not run), or on two
// sides of a scene cut (morphing one shot into the other would be wrong).
enum class Hold { None, Still, Cut };
static Hold gst_rife_pair_hold(GstRife* self, const rife::FrameHandle& next, GstClockTime pts) {
  bool scene_detection, still_detection;
  double threshold;
  {
    std::lock_guard<std::mutex> lock(self->priv->settings_lock);
    scene_detection = self->priv->settings.scene_detection;
    still_detection = self->priv->settings.still_detection;
    threshold = self->priv->settings.scene_threshold;
  }
  Streaming& st = streaming_of(self);
  if ((!scene_detection && !still_detection) || !st.schedule.has_cached()) return Hold::None;
  rife::PairDifference d;
  try {
    d = st.engine->compare(st.schedule.cached(), next);
  } catch (const std::exception& e) {  // not worth failing the stream: interpolate
    GST_WARNING_OBJECT(self, "comparing the pair failed: %s", e.what());
    return Hold::None;
  }
  if (still_detection && d.is_still()) {
    GST_LOG_OBJECT(self, "still pair before %" GST_TIME_FORMAT " (%.2f levels): its inputs are shown",
                   GST_TIME_ARGS(pts), d.still);
    return Hold::Still;
  }
  if (!scene_detection || d.cut <= threshold) return Hold::None;
  ++self->priv->counters.scene_cuts;
  GST_INFO_OBJECT(self, "scene cut before %" GST_TIME_FORMAT " (score %.3f > %.3f): holding frames",
                  GST_TIME_ARGS(pts), d.cut, threshold);
  return Hold::Cut;
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
                             st.schedule.reverse() ? GST_BASE_TRANSFORM(self)->segment.stop
                                                   : GST_BASE_TRANSFORM(self)->segment.start);
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
  const Hold hold = gst_rife_pair_hold(self, prepared, pts);
  const guint held = st.schedule.add({std::move(input), std::move(prepared), pts, duration}, hold != Hold::None);
  if (hold == Hold::Still) self->priv->counters.still += held;
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
    case GST_EVENT_SEGMENT: {
      const GstSegment* segment = nullptr;
      gst_event_parse_segment(event, &segment);
      streaming_of(self).schedule.flush();
      // Reverse playback: the pairs run from the later input to the earlier, the outputs count down.
      streaming_of(self).schedule.set_reverse(segment->rate < 0);
      self->priv->qos.forget_observations();
      break;
    }
    case GST_EVENT_FLUSH_STOP:
    case GST_EVENT_STREAM_START:
      streaming_of(self).schedule.flush();
      self->priv->qos.forget_observations();
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
    self->priv->qos.on_qos_event(event);
    // Passed upstream here, not through the base class: GstBaseTransform would record it too and
    // then drop whole input buffers in its submit_input_buffer; rife never drops an input.
    return gst_pad_push_event(GST_BASE_TRANSFORM_SINK_PAD(trans), event);
  }
  if (GST_EVENT_TYPE(event) == GST_EVENT_LATENCY) self->priv->qos.on_latency_event(event);
  return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->src_event(trans, event);
}

static gboolean gst_rife_query(GstBaseTransform* trans, GstPadDirection direction, GstQuery* query) {
  GstRife* self = GST_RIFE(trans);
  if (direction == GST_PAD_SINK && GST_QUERY_TYPE(query) == GST_QUERY_CAPS) {
    const gboolean answered = GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->query(trans, direction, query);
    GstCaps *filter = nullptr, *result = nullptr;
    gst_query_parse_caps(query, &filter);
    gst_query_parse_caps_result(query, &result);
    if (answered && result && gst_caps_is_empty(result)) gst_rife_warn_refused_caps(self, filter);
    return answered;
  }
  if (direction != GST_PAD_SRC || GST_QUERY_TYPE(query) != GST_QUERY_LATENCY)
    return GST_BASE_TRANSFORM_CLASS(gst_rife_parent_class)->query(trans, direction, query);
  if (!gst_pad_peer_query(GST_BASE_TRANSFORM_SINK_PAD(trans), query)) return FALSE;
  gboolean live;
  GstClockTime min, max;
  gst_query_parse_latency(query, &live, &min, &max);
  const GstClockTime extra = self->priv->latency_extra.load();  // set by set_caps (see there)
  min += extra;
  if (GST_CLOCK_TIME_IS_VALID(max)) max += extra;
  self->priv->qos.set_upstream_live(live);
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

static void gst_rife_class_init(GstRifeClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass* trans_class = GST_BASE_TRANSFORM_CLASS(klass);

  gobject_class->set_property = gst_rife_set_property;
  gobject_class->get_property = gst_rife_get_property;
  gobject_class->finalize = gst_rife_finalize;
  install_properties(gobject_class);

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
  trans_class->accept_caps = GST_DEBUG_FUNCPTR(gst_rife_accept_caps);
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
