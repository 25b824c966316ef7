// How far a conversion is: percent, frames done/total, output fps, elapsed, ETA. The meter only
// computes and formats (unit-tested alone); the printer decides when and how a line is written
// (in place on a terminal, a plain line every few seconds otherwise).
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <utility>

namespace rife_convert {

class ProgressMeter {
 public:
  // total_frames: the output frames expected (0 = unknown: no percent, no ETA).
  explicit ProgressMeter(uint64_t total_frames) : total_(total_frames) {}

  void update(double elapsed_s, uint64_t frames_done);
  // The last line: the frames really written; 100 % when the whole input was converted (`complete`),
  // else the share of the expected total (a conversion stopped by Ctrl-C).
  void finish(double elapsed_s, uint64_t frames_done, bool complete = true);

  // Below 100 until finish(), and never lower than the previous value.
  double percent() const { return percent_; }
  // Output frames per second over the last ~10 s (0 before two samples).
  double fps() const;
  double eta_s() const;  // < 0 when unknown
  std::string line() const;

 private:
  uint64_t total_;
  uint64_t done_ = 0;
  double elapsed_ = 0;
  double percent_ = 0;
  bool finished_ = false;
  std::deque<std::pair<double, uint64_t>> window_;
};

std::string format_duration(double seconds);  // 0:07, 12:34, 1:02:03

class ProgressPrinter {
 public:
  ProgressPrinter(uint64_t total_frames, bool to_terminal, double interval_s, bool quiet, FILE* out = stderr)
      : meter_(total_frames), terminal_(to_terminal), interval_(interval_s), quiet_(quiet), out_(out) {}

  // Called often (every ~0.25 s); writes only when a line is due.
  void tick(double elapsed_s, uint64_t frames_done);
  void finish(double elapsed_s, uint64_t frames_done, bool complete = true);
  // Ends an in-place line before another message is printed.
  void break_line();
  double seconds_between_lines() const { return terminal_ ? 0.5 : interval_; }

 private:
  void write();
  ProgressMeter meter_;
  bool terminal_;
  double interval_;
  bool quiet_;
  FILE* out_;
  double last_written_ = -1e9;
  bool line_open_ = false;
  size_t last_width_ = 0;
};

}  // namespace rife_convert
