// Plugin registration: libgstrife.so provides the `rife` element.
#include <gst/gst.h>

#include "gstrife.h"

static gboolean plugin_init(GstPlugin* plugin) { return GST_ELEMENT_REGISTER(rife, plugin); }

#define PACKAGE "gst-rife"
GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, rife, "RIFE neural frame interpolation", plugin_init,
                  RIFE_VERSION, "MIT/X11", "gst-rife", "gst-rife")
