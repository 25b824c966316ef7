#include "properties.h"

#include <gst/gst.h>

#include "gstrife.h"

namespace rife_gst {
namespace {

void install_start_up_settings(GObjectClass* klass) {
  const auto flags = GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      klass, PROP_MODEL_PATH,
      g_param_spec_string(
          "model-path", "Model path",
          "RIFE weights: a torch.save state dict of RIFE 4.25/4.26, 4.25-lite or 4.6 in the official layout "
          "(Practical-RIFE checkpoints as they are). Default: $RIFE_MODEL_PATH if set, else the real 4.25/4.26 "
          "checkpoint that models/get_weights.py places at " RIFE_DEFAULT_MODEL_PATH ". Applies at the next start",
          nullptr, flags));
  g_object_class_install_property(
      klass, PROP_MODEL_VERSION,
      g_param_spec_enum("model-version", "Model version",
                        "RIFE version of the weights (auto: detected from the state dict's keys and shapes; a forced "
                        "version that does not match the file is an error). Applies at the next start",
                        GST_TYPE_RIFE_MODEL_VERSION, int(rife::ModelVersion::Auto), flags));
  g_object_class_install_property(
      klass, PROP_DEVICE,
      g_param_spec_string("device", "Device",
                          "Where RIFE runs: auto (cuda:0 if usable, else cpu), cpu, cuda or cuda:N. Applies at the "
                          "next start",
                          "auto", flags));
  g_object_class_install_property(
      klass, PROP_PRECISION,
      g_param_spec_enum("precision", "Precision", "Arithmetic of the network. Applies at the next start",
                        GST_TYPE_RIFE_PRECISION, int(rife::Precision::Auto), flags));
  g_object_class_install_property(
      klass, PROP_SCALE,
      g_param_spec_double("scale", "Flow scale",
                          "Resolution the flow pyramid works at: 0.25, 0.5, 1, 2 or 4 (2 = finer flow for small "
                          "frames, 0.5 = coarser for 4K); 0 = auto by frame size (README, Quality). Applies at the "
                          "next start",
                          0.0, 4.0, 0.0, flags));
  g_object_class_install_property(
      klass, PROP_FP32_WARP,
      g_param_spec_boolean("fp32-warp", "FP32 warp",
                           "With fp16/bf16 precision, compute the warp (grid_sample) in FP32 while the convolutions "
                           "stay in reduced precision (guards against sampling artefacts at 4K). Applies at the next "
                           "start",
                           FALSE, flags));
  g_object_class_install_property(
      klass, PROP_SHARE_MODEL,
      g_param_spec_boolean("share-model", "Share the model",
                           "Use one loaded model with the other rife elements of this process whose model settings "
                           "match (same weights file, version, device, precision), and batch their work together; "
                           "false: a model of this element's own. Applies at the next start",
                           TRUE, flags));
  g_object_class_install_property(
      klass, PROP_MAX_BATCH_MEMORY,
      g_param_spec_uint("max-batch-memory", "Maximum batch memory",
                        "Most work memory one forward pass may use, in MiB: a pair with more outputs than fit (e.g. "
                        "1 -> 240 fps) is computed in several batches, same frames, same order; 0 = the device's "
                        "default (CPU 512 MiB, CUDA a quarter of the device). Applies at the next start",
                        0, G_MAXUINT, 0, flags));
}

void install_stream_settings(GObjectClass* klass) {
  const auto flags = GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property(
      klass, PROP_SCENE_DETECTION,
      g_param_spec_boolean("scene-detection", "Scene-cut detection",
                           "Detect scene cuts between two inputs and hold the nearest input there instead of morphing "
                           "one scene into the other",
                           TRUE, flags));
  g_object_class_install_property(
      klass, PROP_SCENE_THRESHOLD,
      g_param_spec_double("scene-threshold", "Scene-cut threshold",
                          "A pair is a cut when its scene-change score exceeds this (0..1: the motion-compensated "
                          "thumbnail difference and the colour histograms' distance combined; one shot, large "
                          "motion and pans of a quarter of the frame included, scores up to 0.12, a new shot 0.20 "
                          "and up)",
                          0.0, 1.0, kDefaultSceneThreshold, flags));
  g_object_class_install_property(
      klass, PROP_STILL_DETECTION,
      g_param_spec_boolean("still-detection", "Still-pair detection",
                           "Show the input itself (bit-exact, no inference) between two inputs that are the same "
                           "picture up to sensor and codec noise: a still camera, a paused scene, repeated frames",
                           TRUE, flags));
  g_object_class_install_property(
      klass, PROP_STATS_INTERVAL,
      g_param_spec_double("stats-interval", "Statistics interval",
                          "Post a 'rife-stats' element message every this many seconds (fps-in, fps-out, "
                          "interpolated, inference-mean-ms, inference-p95-ms, skipped, scene-cuts, the share of "
                          "frames per ensemble mode, ensemble-switches, the batches' frames and streams, "
                          "model-users); 0 = never",
                          0.0, 3600.0, 0.0, flags));
  g_object_class_install_property(
      klass, PROP_ENSEMBLE,
      g_param_spec_enum("ensemble", "Ensemble",
                        "Forward passes averaged per interpolated frame: none (1), time (the pair in reverse too, 2), "
                        "time+flip (and the mirrored pair both ways, 4), or auto: live (or before a syncing sink) the "
                        "best whose measured cost fits the input interval, with hysteresis; otherwise time+flip",
                        GST_TYPE_RIFE_ENSEMBLE, int(EnsembleSetting::None), flags));
  g_object_class_install_property(
      klass, PROP_BATCH_WAIT,
      g_param_spec_uint("batch-wait", "Batch wait",
                        "How long this element's work may wait, in microseconds, for other rife elements sharing its "
                        "model to add theirs to the same forward pass (more throughput, more latency); 0 = batch "
                        "only what is already queued",
                        0, 10000000, 0, flags));
}

void install_read_only(GObjectClass* klass) {
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
      {PROP_FRAMES_STILL, "frames-still", "Still frames",
       "Outputs since start that show an input because the pair was the same picture (still-detection)"},
      {PROP_CROSS_STREAM_BATCHES, "cross-stream-batches", "Cross-stream batches",
       "Forward passes since start that computed this element's frames together with other elements' (a shared "
       "model)"},
  };
  for (const auto& c : counters)
    g_object_class_install_property(klass, c.id,
                                    g_param_spec_uint64(c.name, c.nick, c.blurb, 0, G_MAXUINT64, 0, flags));
  g_object_class_install_property(
      klass, PROP_MODEL_USERS,
      g_param_spec_uint("model-users", "Model users",
                        "rife elements of this process using this element's loaded model, itself included (1: not "
                        "shared; 0: not started)",
                        0, G_MAXUINT, 0, flags));
}

}  // namespace

void install_properties(GObjectClass* klass) {
  install_start_up_settings(klass);
  install_stream_settings(klass);
  install_read_only(klass);
}

bool applies_at_start(guint id) { return id >= PROP_MODEL_PATH && id <= PROP_MAX_BATCH_MEMORY; }

bool set_setting(Settings& s, guint id, const GValue* value) {
  switch (id) {
    case PROP_MODEL_PATH: {
      const gchar* path = g_value_get_string(value);
      s.model_path = path ? path : Settings::default_model_path();
      return true;
    }
    case PROP_MODEL_VERSION:
      s.model_version = rife::ModelVersion(g_value_get_enum(value));
      return true;
    case PROP_DEVICE: {
      const gchar* dev = g_value_get_string(value);
      s.device = dev ? dev : "auto";
      return true;
    }
    case PROP_PRECISION:
      s.precision = rife::Precision(g_value_get_enum(value));
      return true;
    case PROP_SCALE:
      s.scale = g_value_get_double(value);
      return true;
    case PROP_FP32_WARP:
      s.fp32_warp = g_value_get_boolean(value);
      return true;
    case PROP_SHARE_MODEL:
      s.share_model = g_value_get_boolean(value);
      return true;
    case PROP_MAX_BATCH_MEMORY:
      s.max_batch_memory_mib = g_value_get_uint(value);
      return true;
    case PROP_SCENE_DETECTION:
      s.scene_detection = g_value_get_boolean(value);
      return true;
    case PROP_SCENE_THRESHOLD:
      s.scene_threshold = g_value_get_double(value);
      return true;
    case PROP_STILL_DETECTION:
      s.still_detection = g_value_get_boolean(value);
      return true;
    case PROP_STATS_INTERVAL:
      s.stats_interval = g_value_get_double(value);
      return true;
    case PROP_ENSEMBLE:
      s.ensemble = EnsembleSetting(g_value_get_enum(value));
      return true;
    case PROP_BATCH_WAIT:
      s.batch_wait_us = g_value_get_uint(value);
      return true;
    default:
      return false;
  }
}

bool get_setting(const Settings& s, guint id, GValue* value) {
  switch (id) {
    case PROP_MODEL_PATH:
      g_value_set_string(value, s.model_path.c_str());
      return true;
    case PROP_MODEL_VERSION:
      g_value_set_enum(value, int(s.model_version));
      return true;
    case PROP_DEVICE:
      g_value_set_string(value, s.device.c_str());
      return true;
    case PROP_PRECISION:
      g_value_set_enum(value, int(s.precision));
      return true;
    case PROP_SCALE:
      g_value_set_double(value, s.scale);
      return true;
    case PROP_FP32_WARP:
      g_value_set_boolean(value, s.fp32_warp);
      return true;
    case PROP_SHARE_MODEL:
      g_value_set_boolean(value, s.share_model);
      return true;
    case PROP_MAX_BATCH_MEMORY:
      g_value_set_uint(value, s.max_batch_memory_mib);
      return true;
    case PROP_SCENE_DETECTION:
      g_value_set_boolean(value, s.scene_detection);
      return true;
    case PROP_SCENE_THRESHOLD:
      g_value_set_double(value, s.scene_threshold);
      return true;
    case PROP_STILL_DETECTION:
      g_value_set_boolean(value, s.still_detection);
      return true;
    case PROP_STATS_INTERVAL:
      g_value_set_double(value, s.stats_interval);
      return true;
    case PROP_ENSEMBLE:
      g_value_set_enum(value, int(s.ensemble));
      return true;
    case PROP_BATCH_WAIT:
      g_value_set_uint(value, s.batch_wait_us);
      return true;
    default:
      return false;
  }
}

}  // namespace rife_gst
