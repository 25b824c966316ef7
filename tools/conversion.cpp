#include "conversion.h"

#include <glib-unix.h>
#include <gst/pbutils/pbutils.h>
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <vector>

#include "progress.h"
#include "rife_formats.h"
#include "stream_cut.h"

namespace rife_convert {
namespace {

constexpr int kInterrupted = 130;  // 128 + SIGINT, as a shell reports a program stopped by Ctrl-C
constexpr int kTerminated = 143;   // 128 + SIGTERM
constexpr guint kTickMs = 250;
// After the first Ctrl-C cut the video, a stream that has carried nothing for this long is ended.
constexpr gint64 kIdleAfterCutUs = 2 * G_USEC_PER_SEC;

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

// "element: message (the debug text's last line, which names the real cause)".
std::string error_line(GstMessage* msg) {
  GError* err = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(msg, &err, &debug);
  std::string message = err ? err->message : "error";
  std::string reason = debug ? debug : "";
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();
  const size_t nl = reason.rfind('\n');
  if (nl != std::string::npos) reason = reason.substr(nl + 1);
  if (reason.find(".c(") != std::string::npos || reason.find(".cpp(") != std::string::npos) reason.clear();
  std::string line = std::string(GST_MESSAGE_SRC_NAME(msg)) + ": " + message;
  if (!reason.empty() && reason != message) line += " (" + reason + ")";
  if (err) g_error_free(err);
  g_free(debug);
  return one_line(line);
}

double megabytes(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_size / 1e6 : -1.0;
}

GstElement* make(const char* factory, const char* name) { return gst_element_factory_make(factory, name); }

class Conversion {
 public:
  Conversion(Plan& plan, PartialFile& output, bool terminal)
      : plan_(plan),
        output_(output),
        progress_(expected_output_frames(plan.input.duration, plan.input.video.rate, plan.output_rate), terminal,
                  plan.options.progress_interval, plan.options.quiet) {}
  ~Conversion();
  int run();

 private:
  int build(std::string* error);
  CapsPtr decode_caps() const;
  void say(const std::string& line);
  void on_pad(GstPad* pad);
  void link_video(GstPad* pad, const GstCaps* caps);
  void link_audio(GstPad* pad, const GstCaps* caps);
  void link_subtitles(GstPad* pad, const GstCaps* caps);
  void discard(GstPad* pad, const std::string& why);
  bool link_or_fail(GstPad* from, GstPad* to, const std::string& what);
  void fail_from_stream(const std::string& line);
  uint64_t counter(const char* name) const;
  double elapsed() const { return (g_get_monotonic_time() - start_us_) / 1e6; }
  int finish();

  static void pad_added(GstElement*, GstPad* pad, gpointer self) { static_cast<Conversion*>(self)->on_pad(pad); }
  // Every stream is exposed: without a video pad the muxer would wait for video forever.
  static void no_more_pads(GstElement*, gpointer data) {
    auto* self = static_cast<Conversion*>(data);
    std::lock_guard<std::mutex> guard(self->lock_);
    if (!self->video_linked_)
      self->fail_from_stream(self->plan_.options.input +
                             ": no video stream GStreamer can decode (a decoder is missing)");
  }
  static void element_added(GstBin*, GstBin*, GstElement* element, gpointer self);
  static gboolean bus_message(GstBus*, GstMessage* msg, gpointer self);
  static gboolean interrupt(gpointer self);
  static gboolean terminate(gpointer self);
  static gboolean tick(gpointer self);

  Plan& plan_;
  PartialFile& output_;
  ProgressPrinter progress_;
  gint64 start_us_ = g_get_monotonic_time();
  GMainLoop* loop_ = g_main_loop_new(nullptr, FALSE);
  GstElement* pipeline_ = nullptr;
  GstElement *decode_ = nullptr, *queue_ = nullptr, *rife_format_ = nullptr, *rife_ = nullptr, *encodebin_ = nullptr;
  std::vector<guint> sources_;

  std::mutex lock_;                       // streaming threads (pad-added) and the main thread
  StreamCutter cutter_;                   // how the first Ctrl-C ends the streams
  std::atomic<bool> ending_idle_{false};  // an end_idle_streams() call is running
  bool video_linked_ = false;
  int audio_streams_ = 0, subtitle_streams_ = 0;

  std::string error_;
  bool eos_ = false, interrupted_ = false, aborted_ = false, terminated_ = false;
};

Conversion::~Conversion() {
  for (guint id : sources_) g_source_remove(id);
  if (pipeline_) {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(pipeline_);
  }
  g_main_loop_unref(loop_);
}

void Conversion::say(const std::string& line) {
  if (plan_.options.quiet) return;
  std::lock_guard<std::mutex> guard(lock_);
  progress_.break_line();
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

CapsPtr Conversion::decode_caps() const {
  // Decoded video in system memory (what rife reads); audio and subtitles decoded, except the audio
  // streams that are copied: decoding stops at their parsed form.
  CapsPtr caps(
      gst_caps_from_string("video/x-raw; audio/x-raw(ANY); text/x-raw(ANY); subpicture/x-dvd; subpicture/x-pgs"));
  for (const auto& copy : plan_.audio_copy_formats) gst_caps_append(caps.get(), gst_caps_copy(copy.get()));
  return caps;
}

int Conversion::build(std::string* error) {
  pipeline_ = GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("rife-convert")));
  decode_ = make("uridecodebin", "decode");
  queue_ = make("queue", "video-queue");
  GstElement* convert = make("videoconvert", "to-rife");
  rife_format_ = make("capsfilter", "rife-format");
  rife_ = make("rife", "rife");
  GstElement* rate = make("capsfilter", "output-rate");
  encodebin_ = make("encodebin", "encode");
  GstElement* sink = make("filesink", "file");
  for (GstElement* e : {decode_, queue_, convert, rife_format_, rife_, rate, encodebin_, sink})
    if (!e) {
      *error =
          "a GStreamer element is missing (uridecodebin, queue, videoconvert, capsfilter, rife, encodebin or "
          "filesink): check the GStreamer installation";
      return 1;
    }
  gst_bin_add_many(GST_BIN(pipeline_), decode_, queue_, convert, rife_format_, rife_, rate, encodebin_, sink, nullptr);

  CapsPtr caps = decode_caps();
  g_object_set(decode_, "uri", plan_.input.uri.c_str(), "caps", caps.get(), nullptr);
  // Offline: every interpolation is computed, none is skipped for lateness (--set qos=true to change).
  g_object_set(rife_, "qos", FALSE, nullptr);
  if (!apply_settings(G_OBJECT(rife_), plan_.options.rife_properties, error)) {
    *error = "--set: " + *error;
    return 2;
  }
  if (plan_.output_rate.num > 0) {
    CapsPtr rate_caps(gst_caps_new_simple("video/x-raw", "framerate", GST_TYPE_FRACTION, plan_.output_rate.num,
                                          plan_.output_rate.den, nullptr));
    g_object_set(rate, "caps", rate_caps.get(), nullptr);
  }
  g_object_set(sink, "location", output_.temporary_path().c_str(), nullptr);

  g_signal_connect(pipeline_, "deep-element-added", G_CALLBACK(element_added), this);
  GstEncodingProfile* profile = build_profile(plan_);
  g_object_set(encodebin_, "profile", profile, nullptr);
  gst_encoding_profile_unref(profile);

  GstPad* video_in = nullptr;
  g_signal_emit_by_name(encodebin_, "request-profile-pad", "video", &video_in);
  if (!error_.empty()) {
    *error = error_;
    return 1;
  }
  GstPtr<GstPad> rate_out(gst_element_get_static_pad(rate, "src"));
  if (!video_in || gst_pad_link(rate_out.get(), video_in) != GST_PAD_LINK_OK) {
    *error = std::string("encodebin cannot take the video for ") + plan_.encoder.name() + " and " +
             plan_.container.muxer_name();
    if (video_in) gst_object_unref(video_in);
    return 1;
  }
  gst_object_unref(video_in);
  if (!gst_element_link_many(queue_, convert, rife_format_, rife_, rate, nullptr) ||
      !gst_element_link(encodebin_, sink)) {
    *error = "cannot link the conversion pipeline";
    return 1;
  }
  GstPtr<GstPad> video_feed(gst_element_get_static_pad(queue_, "src"));
  cutter_.watch(video_feed.get(), true);
  g_signal_connect(decode_, "pad-added", G_CALLBACK(pad_added), this);
  g_signal_connect(decode_, "no-more-pads", G_CALLBACK(no_more_pads), this);
  return 0;
}

void Conversion::element_added(GstBin*, GstBin*, GstElement* element, gpointer data) {
  auto* self = static_cast<Conversion*>(data);
  GstElementFactory* factory = gst_element_get_factory(element);
  if (!factory || factory != self->plan_.encoder.factory.get()) return;
  std::string error;
  if (!apply_settings(G_OBJECT(element), self->plan_.encoder.settings, &error)) self->error_ = error;
}

void Conversion::on_pad(GstPad* pad) {
  CapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  const std::string type = gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
  if (type == "video/x-raw")
    link_video(pad, caps.get());
  else if (type.rfind("video/", 0) == 0)  // the discoverer only parses: a missing decoder shows here
    discard(pad, "a video stream (" + type + ") is left out: no decoder for it is installed");
  else if (type.rfind("audio/", 0) == 0)
    link_audio(pad, caps.get());
  else if (type.rfind("text/", 0) == 0 || type.rfind("subpicture/", 0) == 0)
    link_subtitles(pad, caps.get());
  else
    discard(pad, "a stream of " + type + " is left out (no decoder for it, or not audio, video or subtitles)");
}

bool Conversion::link_or_fail(GstPad* from, GstPad* to, const std::string& what) {
  const GstPadLinkReturn r = gst_pad_link_maybe_ghosting(from, to) ? GST_PAD_LINK_OK : GST_PAD_LINK_REFUSED;
  if (r == GST_PAD_LINK_OK) return true;
  fail_from_stream("cannot link " + what);
  return false;
}

void Conversion::fail_from_stream(const std::string& line) {
  // Streaming threads cannot stop the loop themselves: the bus carries the line to the main thread.
  GstStructure* s = gst_structure_new("rife-convert-error", "line", G_TYPE_STRING, line.c_str(), nullptr);
  gst_element_post_message(pipeline_, gst_message_new_application(GST_OBJECT(pipeline_), s));
}

void Conversion::link_video(GstPad* pad, const GstCaps* caps) {
  bool first = false;
  {
    std::lock_guard<std::mutex> guard(lock_);
    first = !video_linked_;
    video_linked_ = true;
  }
  if (!first) {
    discard(pad, "another video stream is left out: the first one is converted");
    return;
  }
  GstVideoInfo info;
  if (gst_video_info_from_caps(&info, caps)) {
    std::string notice;
    const GstVideoFormat decoded = GST_VIDEO_INFO_FORMAT(&info);
    const GstVideoFormat format = format_for_rife(decoded, plan_.rife_formats, &notice);
    if (format != decoded && format != GST_VIDEO_FORMAT_UNKNOWN) {
      CapsPtr to(
          gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, gst_video_format_to_string(format), nullptr));
      g_object_set(rife_format_, "caps", to.get(), nullptr);
    }
    if (!notice.empty() && !plan_.input.video.high_depth) say("note:   " + notice);
  }
  GstPtr<GstPad> queue_in(gst_element_get_static_pad(queue_, "sink"));
  link_or_fail(pad, queue_in.get(), "the decoded video to rife");
}

void Conversion::link_audio(GstPad* pad, const GstCaps* caps) {
  const int number = ++audio_streams_;
  std::string profile;
  if (gst_structure_has_name(gst_caps_get_structure(caps, 0), "audio/x-raw")) {
    if (plan_.audio_encode_format) profile = "audio-encode";
  } else {
    for (size_t k = 0; k < plan_.audio_copy_formats.size() && profile.empty(); ++k)
      if (gst_caps_can_intersect(caps, plan_.audio_copy_formats[k].get())) profile = "audio-copy-" + std::to_string(k);
  }
  GstPad* target = nullptr;
  if (!profile.empty()) g_signal_emit_by_name(encodebin_, "request-profile-pad", profile.c_str(), &target);
  if (!target) {
    discard(pad, "audio stream " + std::to_string(number) + " is left out: " + plan_.container.description +
                     " cannot take it");
    return;
  }
  if (link_or_fail(pad, target, "audio stream " + std::to_string(number))) cutter_.watch(pad, false);
  gst_object_unref(target);
}

void Conversion::link_subtitles(GstPad* pad, const GstCaps* caps) {
  // Not carried yet: decodebin gives Pango markup, which MP4 and Matroska muxers do not take, and
  // with the markup turned to plain text matroskamux stalled on the sparse subtitle pad at EOS
  // (tried with GStreamer 1.22). Left out, and the user is told.
  const int number = ++subtitle_streams_;
  discard(pad, "subtitle stream " + std::to_string(number) + " (" +
                   gst_structure_get_name(gst_caps_get_structure(caps, 0)) +
                   ") is left out: rife-convert does not carry subtitles yet");
}

void Conversion::discard(GstPad* pad, const std::string& why) {
  GstElement* sink = make("fakesink", nullptr);
  g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
  gst_bin_add(GST_BIN(pipeline_), sink);
  gst_element_sync_state_with_parent(sink);
  GstPtr<GstPad> sink_pad(gst_element_get_static_pad(sink, "sink"));
  gst_pad_link(pad, sink_pad.get());
  cutter_.watch(pad, false);
  say("note:   " + why);
}

uint64_t Conversion::counter(const char* name) const {
  guint64 value = 0;
  g_object_get(rife_, name, &value, nullptr);
  return value;
}

gboolean Conversion::bus_message(GstBus*, GstMessage* msg, gpointer data) {
  auto* self = static_cast<Conversion*>(data);
  switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_EOS:
      self->eos_ = true;
      g_main_loop_quit(self->loop_);
      break;
    case GST_MESSAGE_ERROR:
      if (self->error_.empty()) self->error_ = error_line(msg);
      g_main_loop_quit(self->loop_);
      break;
    case GST_MESSAGE_APPLICATION: {
      const GstStructure* s = gst_message_get_structure(msg);
      if (gst_structure_has_name(s, "rife-convert-error") && self->error_.empty())
        self->error_ = gst_structure_get_string(s, "line");
      g_main_loop_quit(self->loop_);
      break;
    }
    case GST_MESSAGE_ELEMENT:
      if (gst_is_missing_plugin_message(msg)) {
        GCharPtr what(gst_missing_plugin_message_get_description(msg));
        self->say(std::string("note:   GStreamer is missing: ") + (what ? what.get() : "a plugin"));
      }
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

gboolean Conversion::interrupt(gpointer data) {
  auto* self = static_cast<Conversion*>(data);
  if (!self->interrupted_ && self->counter("frames-out") > 0) {
    self->interrupted_ = true;
    self->say("interrupted: finishing " + self->output_.final_path() +
              " with what is converted so far (Ctrl-C again aborts and leaves no file)");
    self->cutter_.cut();
  } else {
    self->aborted_ = true;
    g_main_loop_quit(self->loop_);
  }
  return G_SOURCE_CONTINUE;
}

gboolean Conversion::terminate(gpointer data) {
  auto* self = static_cast<Conversion*>(data);
  self->aborted_ = self->terminated_ = true;
  g_main_loop_quit(self->loop_);
  return G_SOURCE_CONTINUE;
}

gboolean Conversion::tick(gpointer data) {
  auto* self = static_cast<Conversion*>(data);
  // After the video was cut, streams with nothing more to carry (sparse subtitles) are ended too.
  if (self->cutter_.video_cut() && !self->ending_idle_.exchange(true)) {
    gst_element_call_async(
        self->pipeline_,
        [](GstElement*, gpointer d) {
          auto* me = static_cast<Conversion*>(d);
          me->cutter_.end_idle_streams(kIdleAfterCutUs);
          me->ending_idle_ = false;
        },
        self, nullptr);
  }
  const uint64_t done = self->counter("frames-out");
  std::lock_guard<std::mutex> guard(self->lock_);
  self->progress_.tick(self->elapsed(), done);
  return G_SOURCE_CONTINUE;
}

int Conversion::run() {
  std::string error;
  sources_.push_back(g_unix_signal_add(SIGINT, interrupt, this));
  sources_.push_back(g_unix_signal_add(SIGTERM, terminate, this));
  if (const int status = build(&error)) {
    std::fprintf(stderr, "rife-convert: %s\n", error.c_str());
    return status;
  }
  GstPtr<GstBus> bus(gst_element_get_bus(pipeline_));
  sources_.push_back(gst_bus_add_watch(bus.get(), bus_message, this));
  if (!plan_.options.quiet)
    for (const auto& line : plan_.lines) std::fprintf(stderr, "%s\n", line.c_str());
  if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    GstMessage* msg = gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR);
    error_ = msg ? error_line(msg) : "the pipeline cannot start";
    if (msg) gst_message_unref(msg);
  } else {
    sources_.push_back(g_timeout_add(kTickMs, tick, this));
    g_main_loop_run(loop_);
  }
  return finish();
}

int Conversion::finish() {
  const double seconds = elapsed();
  const uint64_t in = counter("frames-in"), out = counter("frames-out");
  const uint64_t interpolated = counter("frames-interpolated"), skipped = counter("frames-skipped");
  const uint64_t cuts = counter("scene-cuts"), still = counter("frames-still");
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  // An end_idle_streams() call still running holds this object: wait for it (it ends quickly once
  // the pipeline is stopped).
  while (ending_idle_) g_usleep(10000);
  if (aborted_) {
    output_.discard();
    progress_.break_line();
    std::fprintf(stderr, "rife-convert: aborted: no file written\n");
    return terminated_ ? kTerminated : kInterrupted;
  }
  if (!error_.empty() || !eos_) {
    output_.discard();
    progress_.break_line();
    std::fprintf(stderr, "rife-convert: %s\n", error_.empty() ? "stopped without finishing" : error_.c_str());
    return 1;
  }
  progress_.finish(seconds, out, !interrupted_);
  std::string error;
  if (!output_.commit(&error)) {
    std::fprintf(stderr, "rife-convert: %s\n", error.c_str());
    return 1;
  }
  if (!plan_.options.quiet) {
    const double input_mb = megabytes(plan_.options.input), output_mb = megabytes(output_.final_path());
    std::fprintf(stderr,
                 "%s: wrote %s in %.1f s: frames in %llu, out %llu, interpolated %llu, still %llu, skipped %llu, "
                 "scene cuts %llu; %.2f frames/s; %.2f MB",
                 interrupted_ ? "stopped by Ctrl-C" : "done", output_.final_path().c_str(), seconds,
                 (unsigned long long)in, (unsigned long long)out, (unsigned long long)interpolated,
                 (unsigned long long)still, (unsigned long long)skipped, (unsigned long long)cuts,
                 seconds > 0 ? out / seconds : 0.0, output_mb);
    if (input_mb >= 0) std::fprintf(stderr, " (input %.2f MB)", input_mb);
    std::fprintf(stderr, "\n");
  }
  return interrupted_ ? kInterrupted : 0;
}

}  // namespace

int run_conversion(Plan& plan, PartialFile& output, bool stderr_is_terminal) {
  Conversion conversion(plan, output, stderr_is_terminal);
  return conversion.run();
}

}  // namespace rife_convert
