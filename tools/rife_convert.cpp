// rife-convert: a video file at a higher frame rate, as a user would want it: the sound and
// subtitles kept, constant quality, progress with an ETA, Ctrl-C that leaves a playable file.
//   rife-convert IN OUT [--rate R | --factor F] [--quality Q] [--encoder auto|NAME] [--set P=V ...]
// README, "Converting files", documents every option and exit status.
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "conversion.h"
#include "install_location.h"
#include "options.h"
#include "partial_file.h"
#include "plan.h"

namespace {

// The rife plugin that belongs with this program (installed beside it, or this build's) when
// GStreamer's own search paths have none.
void find_rife_plugin() {
  if (GstPluginFeature* rife = gst_registry_lookup_feature(gst_registry_get(), "rife")) {
    gst_object_unref(rife);
    return;
  }
  gst_registry_scan_path(gst_registry_get(), rife::plugin_dir_for_this_program().c_str());
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  gst_pb_utils_init();
  using namespace rife_convert;
  const Parsed parsed = parse_arguments(argc, argv);
  if (parsed.help) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "rife-convert: %s (rife-convert --help lists the options)\n", parsed.error.c_str());
    return 2;
  }
  const Options& options = parsed.options;
  if (same_file(options.input, options.output)) {
    std::fprintf(stderr, "rife-convert: %s is the input file: give another OUT\n", options.output.c_str());
    return 2;
  }
  find_rife_plugin();

  Plan plan;
  std::string error;
  if (const int status = make_plan(options, &plan, &error)) {
    std::fprintf(stderr, "rife-convert: %s\n", error.c_str());
    return status;
  }
  auto output = PartialFile::create(options.output, options.overwrite, &error);
  if (!output) {
    std::fprintf(stderr, "rife-convert: %s\n", error.c_str());
    return 1;
  }
  return run_conversion(plan, *output, isatty(STDERR_FILENO));
}
