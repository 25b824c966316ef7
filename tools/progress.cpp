#include "progress.h"

#include <algorithm>
#include <cmath>

namespace rife_convert {
namespace {
// The rate is measured over this much recent time: long enough to smooth one slow batch, short
// enough to follow a change (a cold start, another program taking the cores).
constexpr double kWindowSeconds = 10.0;
}  // namespace

std::string format_duration(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return "--:--";
  const long total = std::lround(seconds);
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  return text;
}

void ProgressMeter::update(double elapsed_s, uint64_t frames_done) {
  elapsed_ = elapsed_s;
  done_ = std::max(done_, frames_done);
  window_.emplace_back(elapsed_s, done_);
  while (window_.size() > 2 && window_.front().first < elapsed_s - kWindowSeconds) window_.pop_front();
  if (total_ > 0) {
    // The total is an estimate from the duration; the percentage stays below 100 until the end.
    const double p = std::min(99.9, 100.0 * double(done_) / double(total_));
    percent_ = std::max(percent_, p);
  }
}

void ProgressMeter::finish(double elapsed_s, uint64_t frames_done, bool complete) {
  update(elapsed_s, frames_done);
  finished_ = true;
  if (complete || total_ == 0) {
    total_ = done_;
    percent_ = 100.0;
  }
}

double ProgressMeter::fps() const {
  if (finished_) return elapsed_ > 0 ? done_ / elapsed_ : 0.0;
  if (window_.size() < 2) return 0.0;
  const double dt = window_.back().first - window_.front().first;
  return dt > 0 ? (window_.back().second - window_.front().second) / dt : 0.0;
}

double ProgressMeter::eta_s() const {
  if (finished_) return 0.0;
  const double rate = fps();
  if (total_ == 0 || rate <= 0) return -1.0;
  return double(total_ > done_ ? total_ - done_ : 0) / rate;
}

std::string ProgressMeter::line() const {
  char text[160];
  const std::string elapsed = format_duration(elapsed_), eta = format_duration(eta_s());
  if (total_ > 0)
    std::snprintf(text, sizeof text, "%5.1f %%  %llu/%llu frames  %.2f fps  elapsed %s  ETA %s", percent_,
                  (unsigned long long)done_, (unsigned long long)std::max(total_, done_), fps(), elapsed.c_str(),
                  eta.c_str());
  else
    std::snprintf(text, sizeof text, "%llu frames  %.2f fps  elapsed %s", (unsigned long long)done_, fps(),
                  elapsed.c_str());
  return text;
}

void ProgressPrinter::tick(double elapsed_s, uint64_t frames_done) {
  meter_.update(elapsed_s, frames_done);
  if (quiet_ || elapsed_s - last_written_ < seconds_between_lines()) return;
  last_written_ = elapsed_s;
  write();
}

void ProgressPrinter::finish(double elapsed_s, uint64_t frames_done, bool complete) {
  meter_.finish(elapsed_s, frames_done, complete);
  if (quiet_) return;
  write();
  break_line();
}

void ProgressPrinter::break_line() {
  if (line_open_) std::fputc('\n', out_);
  line_open_ = false;
  last_width_ = 0;
  std::fflush(out_);
}

void ProgressPrinter::write() {
  const std::string text = "progress: " + meter_.line();
  if (terminal_) {
    // One line rewritten in place; spaces clear what a longer previous line left.
    const size_t pad = last_width_ > text.size() ? last_width_ - text.size() : 0;
    std::fprintf(out_, "\r%s%*s", text.c_str(), int(pad), "");
    last_width_ = text.size();
    line_open_ = true;
  } else {
    std::fprintf(out_, "%s\n", text.c_str());
  }
  std::fflush(out_);
}

}  // namespace rife_convert
