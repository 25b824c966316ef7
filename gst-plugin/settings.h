// The element's properties as plain values, apart from the streaming state (gst-plugins-rs style):
// what the user set, the enum types GObject shows for them, and the engine options they make.
#pragma once

#include <glib-object.h>

#include <string>

#include "rife_engine.h"

namespace rife_gst {

// Default scene-cut threshold on PairDifference::cut (rife_engine.h: the calibration behind it).
constexpr double kDefaultSceneThreshold = rife::kSceneCutThreshold;

// The `ensemble` property: a fixed ensemble of the engine, or auto (see quality_controller.h).
enum class EnsembleSetting { None, Time, TimeFlip, Auto };

struct Settings {
  // Read by start(): changed only in NULL or READY.
  std::string model_path = default_model_path();
  rife::ModelVersion model_version = rife::ModelVersion::Auto;
  std::string device = "auto";
  rife::Precision precision = rife::Precision::Auto;
  double scale = 0.0;
  bool fp32_warp = false;
  bool share_model = true;
  guint max_batch_memory_mib = 0;  // 0: the device's default
  // Read for every frame: may change while playing.
  bool scene_detection = true;
  bool still_detection = true;
  double scene_threshold = kDefaultSceneThreshold;
  double stats_interval = 0.0;  // seconds; 0 = no rife-stats messages
  EnsembleSetting ensemble = EnsembleSetting::None;
  guint batch_wait_us = 0;

  // $RIFE_MODEL_PATH if set, else the real 4.25/4.26 checkpoint: the one set-up places in the source
  // tree's models/weights/ for a build-tree plugin, <prefix>/share/gst-rife/ for an installed one.
  static std::string default_model_path();
  rife::EngineOptions engine_options() const;
};

// GEnum types of the enum properties (values are the engine's enums).
GType precision_enum_type();
GType model_version_enum_type();
GType ensemble_enum_type();

}  // namespace rife_gst
