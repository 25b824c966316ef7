#include "options.h"

#include <cmath>
#include <cstdlib>
#include <numeric>

namespace rife_convert {
namespace {

bool parse_int(const std::string& text, long* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtol(text.c_str(), &end, 10);
  return *end == '\0';
}

bool parse_double(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return *end == '\0' && std::isfinite(*value);
}

Fraction reduced(long long num, long long den) {
  const long long g = std::gcd(num, den);
  return {int(num / g), int(den / g)};
}

}  // namespace

bool parse_rate(const std::string& text, Fraction* rate) {
  const size_t slash = text.find('/');
  if (slash != std::string::npos) {
    long num = 0, den = 0;
    if (!parse_int(text.substr(0, slash), &num) || !parse_int(text.substr(slash + 1), &den)) return false;
    if (num <= 0 || den <= 0 || num > 1000000 || den > 1000000) return false;
    *rate = reduced(num, den);
    return true;
  }
  double value = 0;
  if (!parse_double(text, &value) || value <= 0 || value > 1000) return false;
  // 23.976, 29.97, 59.94... mean the NTSC rates k*1000/1001; other decimals are taken to 1/1000.
  const long long k = std::llround(value * 1.001);
  if (std::round(value) != value && std::abs(value - k * 1000.0 / 1001.0) < 0.005) {
    *rate = reduced(k * 1000, 1001);
    return true;
  }
  *rate = reduced(std::llround(value * 1000), 1000);
  return true;
}

std::string usage() {
  return "usage: rife-convert IN OUT [--rate R | --factor F] [--quality Q] [--encoder auto|NAME]\n"
         "                    [--set PROPERTY=VALUE ...] [--encoder-set PROPERTY=VALUE ...] [--quiet]\n"
         "                    [--overwrite] [--progress-interval S]\n"
         "Raises the frame rate of the video in IN with the rife element and writes OUT, whose container\n"
         "follows its extension (mp4, mkv, mov, webm, ...). Every audio stream is kept (subtitles are not yet).\n"
         "  --rate R      output frame rate: 60, 60/1, 30000/1001 or 59.94 (default: twice the input's)\n"
         "  --factor F    output rate = input rate x F, F >= 1 (default 2)\n"
         "  --quality Q   constant quality, 0 (best, largest) .. 51 (smallest), x264's CRF scale; default 20\n"
         "  --encoder E   auto (a working hardware encoder, else x264enc/x265enc) or a GStreamer element name\n"
         "  --set P=V     a property of the rife element, e.g. --set scale=1 --set ensemble=time\n"
         "  --encoder-set P=V  a property of the video encoder, after the quality settings\n"
         "  --quiet       no progress and no summary; errors only\n"
         "  --overwrite   replace OUT if it exists\n"
         "  --progress-interval S  seconds between progress lines when stderr is not a terminal (default 5)\n"
         "Exit status: 0 done, 1 the input, output, encoder or pipeline failed, 2 bad arguments,\n"
         "130 stopped by Ctrl-C (the file holds what was converted; a second Ctrl-C leaves no file),\n"
         "143 stopped by SIGTERM (no file).\n";
}

Parsed parse_arguments(int argc, const char* const* argv) {
  Parsed parsed;
  Options& o = parsed.options;
  std::vector<std::string> positional;
  bool factor_given = false;
  auto fail = [&](const std::string& message) {
    parsed.error = message;
    return parsed;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "-h" || arg == "--help") {
      parsed.help = true;
      return parsed;
    } else if (arg == "--quiet" || arg == "-q") {
      o.quiet = true;
    } else if (arg == "--overwrite" || arg == "-y") {
      o.overwrite = true;
    } else if (arg == "--rate") {
      if (!value(&v) || !parse_rate(v, &o.rate)) return fail("--rate needs a frame rate such as 60, 60/1 or 59.94");
      o.rate_given = true;
    } else if (arg == "--factor") {
      if (!value(&v) || !parse_double(v, &o.factor) || o.factor < 1 || o.factor > 64)
        return fail("--factor needs a number from 1 to 64");
      factor_given = true;
    } else if (arg == "--quality") {
      long q = 0;
      if (!value(&v) || !parse_int(v, &q) || q < 0 || q > kMaxQuality)
        return fail("--quality needs a whole number from 0 (best) to 51 (smallest)");
      o.quality = int(q);
    } else if (arg == "--encoder") {
      if (!value(&v) || v.empty()) return fail("--encoder needs auto or an element name");
      o.encoder = v;
    } else if (arg == "--set") {
      const size_t eq = value(&v) ? v.find('=') : std::string::npos;
      if (eq == std::string::npos || eq == 0) return fail("--set needs PROPERTY=VALUE, e.g. --set scale=1");
      o.rife_properties.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (arg == "--encoder-set") {
      const size_t eq = value(&v) ? v.find('=') : std::string::npos;
      if (eq == std::string::npos || eq == 0)
        return fail("--encoder-set needs PROPERTY=VALUE, e.g. --encoder-set speed-preset=slow");
      o.encoder_settings.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (arg == "--progress-interval") {
      if (!value(&v) || !parse_double(v, &o.progress_interval) || o.progress_interval <= 0)
        return fail("--progress-interval needs a number of seconds above 0");
    } else if (arg.size() > 1 && arg[0] == '-') {
      return fail("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  if (o.rate_given && factor_given) return fail("give --rate or --factor, not both");
  if (positional.size() != 2) return fail(positional.size() < 2 ? "IN and OUT are needed" : "too many file names");
  o.input = positional[0];
  o.output = positional[1];
  return parsed;
}

}  // namespace rife_convert
