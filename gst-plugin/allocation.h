// Buffer pools on both sides of rife. Upstream is offered a pool of at least 2 buffers (rife holds
// the previous input while it waits for the next, so a source with a fixed set of buffers such as
// v4l2src allocates one more) and GstVideoMeta support (strided frames are read as they are).
// Interpolated frames go into pooled buffers: downstream's pool when it accepts an unbounded
// configuration, else a GstVideoBufferPool, its minimum grown by one pair's batch (at 4K a fresh
// 12 MB allocation per frame costs page faults on every frame).
#pragma once

#include <gst/gst.h>

namespace rife_gst {

// Completes upstream's ALLOCATION query (after GstBaseTransform's own propose_allocation).
gboolean propose_input_allocation(GstQuery* query);
// Chooses the output pool into downstream's ALLOCATION query (before GstBaseTransform's own
// decide_allocation); `extra_buffers`: the outputs of one pair, held at once.
gboolean decide_output_allocation(GstObject* element, GstQuery* query, guint extra_buffers);

}  // namespace rife_gst
