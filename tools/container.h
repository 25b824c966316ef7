// The container OUT's extension names, and the muxer that writes it, chosen among the installed
// muxers by their caps (what encodebin is then told to use), and what each muxer's pads accept.
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

#include "gst_ptr.h"

namespace rife_convert {

struct Container {
  std::string extension;  // "mp4"
  CapsPtr caps;           // the muxer's output, e.g. video/quicktime, variant=(string)iso
  GstPtr<GstElementFactory> muxer;
  std::string description;  // "MP4", "Matroska"

  const char* muxer_name() const { return GST_OBJECT_NAME(muxer.get()); }
  // Whether one of the muxer's sink pads takes `caps` (a copied stream, or an encoder's output).
  bool accepts(const GstCaps* caps) const;
  // The caps of the muxer's sink pads for one kind of stream ("video/", "audio/", "text/"...).
  CapsPtr sink_caps(const char* media_prefix) const;
};

// The container for OUT's file name; false (and a one-line error naming the extensions that work
// here) when no installed muxer writes it.
bool container_for(const std::string& output_path, Container* container, std::string* error);

std::string extension_of(const std::string& path);  // lower case, without the dot; "" if none

}  // namespace rife_convert
