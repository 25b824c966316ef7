// The `rife` element: raises the frame rate of raw video with RIFE frame interpolation.
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RIFE (gst_rife_get_type())
G_DECLARE_FINAL_TYPE(GstRife, gst_rife, GST, RIFE, GstBaseTransform)

#define GST_TYPE_RIFE_PRECISION (gst_rife_precision_get_type())
GType gst_rife_precision_get_type(void);
#define GST_TYPE_RIFE_MODEL_VERSION (gst_rife_model_version_get_type())
GType gst_rife_model_version_get_type(void);
#define GST_TYPE_RIFE_ENSEMBLE (gst_rife_ensemble_get_type())
GType gst_rife_ensemble_get_type(void);

GST_ELEMENT_REGISTER_DECLARE(rife);

G_END_DECLS
