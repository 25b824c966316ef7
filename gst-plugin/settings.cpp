#include "settings.h"

#include <cstdlib>

#include "install_location.h"

namespace rife_gst {

std::string Settings::default_model_path() {
  const char* env = std::getenv("RIFE_MODEL_PATH");
  return env && *env ? env : rife::default_model_location();
}

rife::EngineOptions Settings::engine_options() const {
  rife::EngineOptions o;
  o.model_path = model_path;
  o.model_version = model_version;
  o.device = device;
  o.precision = precision;
  o.scale = scale;
  o.fp32_warp = fp32_warp;
  o.share_model = share_model;
  o.batch_memory = size_t(max_batch_memory_mib) << 20;
  o.batch_wait_us = batch_wait_us;
  o.server = server;
  o.server_model = server_model;
  o.server_timeout_ms = server_timeout_ms;
  o.server_ca_file = server_ca;
  o.server_auth = server_auth;
  return o;
}

GType precision_enum_type() {
  static GType type = 0;
  static const GEnumValue values[] = {{int(rife::Precision::Auto), "FP32 on the CPU, FP16 on CUDA", "auto"},
                                      {int(rife::Precision::FP32), "32-bit float", "fp32"},
                                      {int(rife::Precision::FP16), "16-bit float (CUDA only)", "fp16"},
                                      {int(rife::Precision::BF16), "bfloat16 (CUDA only)", "bf16"},
                                      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRifePrecision", values));
  return type;
}

GType model_version_enum_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {int(rife::ModelVersion::Auto), "Detect from the state dict's keys and shapes", "auto"},
      {int(rife::ModelVersion::V4_6), "RIFE 4.6", "4.6"},
      {int(rife::ModelVersion::V4_25), "RIFE 4.25", "4.25"},
      {int(rife::ModelVersion::V4_26), "RIFE 4.26 (same architecture as 4.25)", "4.26"},
      {int(rife::ModelVersion::V4_25_Lite), "RIFE 4.25-lite", "4.25-lite"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRifeModelVersion", values));
  return type;
}

GType ensemble_enum_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {int(EnsembleSetting::None), "One forward pass per frame, as the reference implementations", "none"},
      {int(EnsembleSetting::Time), "Average with the pair in reverse (2 passes)", "time"},
      {int(EnsembleSetting::TimeFlip), "Average with the reverse and the mirrored pair both ways (4 passes)",
       "time+flip"},
      {int(EnsembleSetting::Auto),
       "The best the time allows: live (or before a syncing sink) the best whose measured cost fits the input "
       "interval, else time+flip",
       "auto"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstRifeEnsemble", values));
  return type;
}

}  // namespace rife_gst
