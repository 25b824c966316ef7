// The conversion itself: uridecodebin ! queue ! videoconvert ! rife ! framerate ! encodebin ! filesink
// (the file's temporary name), the audio pads of uridecodebin linked straight into encodebin's
// profile pads; progress from rife's counters; Ctrl-C as EOS (stream_cut.h).
#pragma once

#include <string>

#include "partial_file.h"
#include "plan.h"

namespace rife_convert {

// Exit status of the run (0 done, 1 failed, 130 interrupted); the file is committed or discarded.
int run_conversion(Plan& plan, PartialFile& output, bool stderr_is_terminal);

}  // namespace rife_convert
