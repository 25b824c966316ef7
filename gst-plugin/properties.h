// The element's GObject properties: their specs, and reading and writing the ones that are settings
// (settings.h) — everything but the read-only counters, which the element answers itself.
#pragma once

#include <glib-object.h>

#include "settings.h"

namespace rife_gst {

enum PropertyId : guint {
  PROP_0,
  // Start-up settings (GST_PARAM_MUTABLE_READY): read when the element starts.
  PROP_MODEL_PATH,
  PROP_MODEL_VERSION,
  PROP_DEVICE,
  PROP_PRECISION,
  PROP_SCALE,
  PROP_FP32_WARP,
  PROP_SHARE_MODEL,
  PROP_MAX_BATCH_MEMORY,
  // Stream settings (GST_PARAM_MUTABLE_PLAYING): read for every frame or batch.
  PROP_SCENE_DETECTION,
  PROP_STILL_DETECTION,
  PROP_SCENE_THRESHOLD,
  PROP_STATS_INTERVAL,
  PROP_ENSEMBLE,
  PROP_BATCH_WAIT,
  // Read-only counters and facts.
  PROP_FRAMES_IN,
  PROP_FRAMES_OUT,
  PROP_FRAMES_INTERPOLATED,
  PROP_SCENE_CUTS,
  PROP_FRAMES_SKIPPED,
  PROP_ENSEMBLE_SWITCHES,
  PROP_MODEL_USERS,
  PROP_CROSS_STREAM_BATCHES,
  PROP_FRAMES_STILL,
};

void install_properties(GObjectClass* klass);

// A start-up setting: a change applies at the next READY -> PAUSED.
bool applies_at_start(guint id);
// Writes / reads a settings property; false when `id` is not one (a counter).
bool set_setting(Settings& settings, guint id, const GValue* value);
bool get_setting(const Settings& settings, guint id, GValue* value);

}  // namespace rife_gst
