// Which encoders rife-convert uses and how: the constant-quality setting of each encoder it knows
// (the one table of per-encoder knowledge; README, Converting files, has it), the choice of a video
// encoder for the container (`--encoder auto`: a hardware encoder that really works, else software),
// and the codec audio is re-encoded to when the container does not take the original.
#pragma once

#include <gst/gst.h>

#include <string>
#include <utility>
#include <vector>

#include "container.h"
#include "gst_ptr.h"

namespace rife_convert {

using PropertySettings = std::vector<std::pair<std::string, std::string>>;

// The settings that give constant quality `quality` (0 best .. 51 smallest) on this encoder;
// empty when rife-convert does not know the encoder.
PropertySettings constant_quality_settings(const std::string& encoder, int quality);

// Sets each property from its text form; false and a one-line reason when one is missing or its
// value does not fit.
bool apply_settings(GObject* object, const PropertySettings& settings, std::string* error);

struct VideoEncoder {
  GstPtr<GstElementFactory> factory;
  PropertySettings settings;  // constant quality, then the user's --encoder-set
  bool hardware = false;
  bool keeps_high_depth = false;  // takes the >8-bit frames of a 10-bit source
  CapsPtr format;                 // what the encoder writes, as the encoding profile states it
  CapsPtr restriction;            // raw caps for its input (high depth), or null
  std::string note;               // why not hardware / why not 10-bit, shown to the user

  const char* name() const { return GST_OBJECT_NAME(factory.get()); }
};

struct VideoNeeds {
  int width = 0, height = 0;
  bool high_depth = false;  // >8-bit frames reach the encoder (the source is 10-bit and rife takes it)
  int quality = 20;
  PropertySettings user_settings;
};

// `requested` is "auto" or an element name. false and a one-line reason: unknown element, not a
// video encoder, not accepted by the container, cannot be started.
bool choose_video_encoder(const std::string& requested, const Container& container, const VideoNeeds& needs,
                          VideoEncoder* encoder, std::string* error);

// The codec audio is re-encoded to for this container (AAC, Opus, Vorbis, MP3, FLAC... the first the
// container takes and an installed encoder writes); null when there is none.
CapsPtr audio_encoding_format(const Container& container);

// A copied stream's caps as an encoding profile states them (no codec_data, stream-format...).
CapsPtr copy_format(const GstCaps* stream_caps);

}  // namespace rife_convert
