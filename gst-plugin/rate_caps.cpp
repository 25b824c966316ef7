#include "rate_caps.h"

namespace rife_gst {

GstCaps* transform_rate_caps(GstPadDirection direction, GstCaps* caps, GstCaps* filter) {
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
  return result;
}

void fixate_double_rate(GstCaps* sink_caps, GstCaps* src_caps) {
  gint n = 0, d = 1;
  if (gst_structure_get_fraction(gst_caps_get_structure(sink_caps, 0), "framerate", &n, &d) && n > 0) {
    gint dn = 0, dd = 1;
    gst_util_fraction_multiply(n, d, 2, 1, &dn, &dd);
    gst_structure_fixate_field_nearest_fraction(gst_caps_get_structure(src_caps, 0), "framerate", dn, dd);
  }
}

}  // namespace rife_gst
