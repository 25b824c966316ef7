// Owning pointers for the GStreamer and GLib objects rife-convert keeps.
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

namespace rife_convert {

struct CapsUnref {
  void operator()(GstCaps* c) const { gst_caps_unref(c); }
};
struct ObjectUnref {
  void operator()(gpointer o) const { gst_object_unref(o); }
};
struct GObjectUnref {
  void operator()(gpointer o) const { g_object_unref(o); }
};
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};

using CapsPtr = std::unique_ptr<GstCaps, CapsUnref>;
template <typename T>
using GstPtr = std::unique_ptr<T, ObjectUnref>;
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
using GCharPtr = std::unique_ptr<gchar, GFree>;

inline CapsPtr caps_ref(GstCaps* caps) { return CapsPtr(caps ? gst_caps_ref(caps) : nullptr); }
inline std::string caps_string(const GstCaps* caps) {
  return caps ? std::string(GCharPtr(gst_caps_to_string(caps)).get()) : std::string("(none)");
}

}  // namespace rife_convert
