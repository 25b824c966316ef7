// How the first Ctrl-C ends every stream so that the muxer can finish a playable file: the video
// is cut at its next frame after the decoder's queue (the frames still queued are not waited for;
// rife then pushes its last frame and the encoder drains), every other stream at its first buffer
// at or after that point in running time. EOS is pushed from each stream's own thread inside a pad
// probe: a pad busy with a stream of buffers would otherwise starve a thread that sends it EOS.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace rife_convert {

class StreamCutter {
 public:
  StreamCutter() = default;
  ~StreamCutter();
  StreamCutter(const StreamCutter&) = delete;
  StreamCutter& operator=(const StreamCutter&) = delete;

  // A pad that feeds the output side (any thread, before or while playing).
  void watch(GstPad* feeding_pad, bool video);
  void cut() { cutting_ = true; }
  bool cutting() const { return cutting_; }
  bool video_cut() const { return cutoff_.load() != GST_CLOCK_TIME_NONE; }
  // Streams that have had no buffer for `idle_us` (sparse subtitles, a stream drained upstream) get
  // EOS sent downstream from outside. May block while a pad is busy: call it off the main thread.
  void end_idle_streams(gint64 idle_us);

 private:
  struct Stream {
    StreamCutter* cutter;
    GstPad* pad;
    bool video;
    gulong probe = 0;
    GstSegment segment;
    std::atomic<bool> ended{false};
    std::atomic<gint64> last_data_us{0};
  };
  static GstPadProbeReturn probe(GstPad* pad, GstPadProbeInfo* info, gpointer data);

  std::mutex lock_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::atomic<bool> cutting_{false};
  std::atomic<GstClockTime> cutoff_{GST_CLOCK_TIME_NONE};  // running time where the video stopped
};

}  // namespace rife_convert
