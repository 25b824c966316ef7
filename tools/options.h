// rife-convert's command line: what the user asked for, checked for form only (files, encoders and
// rates are checked against the input and the installed elements later). No GStreamer here.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rife_convert {

// The constant-quality scale (README, Converting files): 0 = best ... 51 = smallest, as x264's CRF.
constexpr int kDefaultQuality = 20;
constexpr int kMaxQuality = 51;

struct Fraction {
  int num = 0, den = 1;
  double value() const { return double(num) / den; }
};

struct Options {
  std::string input, output;
  bool rate_given = false;
  Fraction rate;        // --rate: the output rate
  double factor = 2.0;  // --factor: output rate = input rate x factor (when --rate is not given)
  int quality = kDefaultQuality;
  std::string encoder = "auto";
  std::vector<std::pair<std::string, std::string>> rife_properties;   // --set name=value, in order
  std::vector<std::pair<std::string, std::string>> encoder_settings;  // --encoder-set name=value
  bool quiet = false;
  bool overwrite = false;
  double progress_interval = 5.0;  // seconds between plain progress lines when stderr is not a terminal
};

struct Parsed {
  Options options;
  bool help = false;
  std::string error;  // one line; non-empty: bad arguments (exit status 2)
};

Parsed parse_arguments(int argc, const char* const* argv);
std::string usage();

// "60", "60/1", "30000/1001", "59.94" (read as 60000/1001: the NTSC rates), "12.5" -> 25/2.
bool parse_rate(const std::string& text, Fraction* rate);

}  // namespace rife_convert
