// Where the default model and the plugin are for the program or plugin this code is linked into, so
// that an installed copy finds its own files and a build-tree copy finds the source tree's. No
// GStreamer, no torch: the plugin, rife-convert and the bench tools all link it.
//
// An installed module lies in <prefix>/<bindir> (programs) or <prefix>/<libdir>/gstreamer-1.0 (the
// plugin); its prefix is found from where it was loaded, so a copy installed with DESTDIR or moved
// to another prefix still finds <prefix>/<datadir>/gst-rife/. Anything else is a build-tree copy.
#pragma once

#include <string>

namespace rife {

// The prefix this module was installed under, or "" when it runs from the build tree.
std::string install_prefix_of_this_module();

// $RIFE_MODEL_PATH is not read here (callers that honour it do so first). Installed:
// <prefix>/<datadir>/gst-rife/<model file>; build tree: the source tree's models/weights/<model file>.
std::string default_model_location();

// The folder GStreamer should scan for the rife plugin that belongs with this program: the
// installed plugin folder of its prefix, or the build tree's gst-plugin/.
std::string plugin_dir_for_this_program();

}  // namespace rife
