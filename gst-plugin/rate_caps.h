// rife's caps: the same size, format and colorimetry on both pads (every other field, HDR metadata
// included, passes as it is); the src framerate is any rate at least the sink rate, twice it unless
// downstream asks otherwise. Variable rate (0/1) in, variable rate out.
#pragma once

#include <gst/gst.h>

namespace rife_gst {

// GstBaseTransform::transform_caps: `caps` on the pad `direction` -> what the other pad can take.
GstCaps* transform_rate_caps(GstPadDirection direction, GstCaps* caps, GstCaps* filter);
// GstBaseTransform::fixate_caps from the sink side: the src rate nearest twice the sink's `caps`.
void fixate_double_rate(GstCaps* sink_caps, GstCaps* src_caps);

}  // namespace rife_gst
