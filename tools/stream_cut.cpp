#include "stream_cut.h"

namespace rife_convert {

StreamCutter::~StreamCutter() {
  for (auto& s : streams_) {
    if (s->probe) gst_pad_remove_probe(s->pad, s->probe);
    gst_object_unref(s->pad);
  }
}

void StreamCutter::watch(GstPad* feeding_pad, bool video) {
  auto stream = std::make_unique<Stream>();
  stream->cutter = this;
  stream->pad = GST_PAD(gst_object_ref(feeding_pad));
  stream->video = video;
  gst_segment_init(&stream->segment, GST_FORMAT_TIME);
  Stream* s = stream.get();
  {
    std::lock_guard<std::mutex> guard(lock_);
    streams_.push_back(std::move(stream));
  }
  s->probe = gst_pad_add_probe(
      feeding_pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM), probe, s, nullptr);
}

GstPadProbeReturn StreamCutter::probe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* s = static_cast<Stream*>(data);
  StreamCutter* cutter = s->cutter;
  GstClockTime time = GST_CLOCK_TIME_NONE;
  GstEvent* event = (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) ? GST_PAD_PROBE_INFO_EVENT(info) : nullptr;
  if (event) {
    switch (GST_EVENT_TYPE(event)) {
      case GST_EVENT_SEGMENT: {
        const GstSegment* segment = nullptr;
        gst_event_parse_segment(event, &segment);
        gst_segment_copy_into(segment, &s->segment);
        return GST_PAD_PROBE_OK;
      }
      case GST_EVENT_EOS:
        s->ended = true;
        return GST_PAD_PROBE_OK;
      case GST_EVENT_GAP:
        gst_event_parse_gap(event, &time, nullptr);
        break;
      default:
        return GST_PAD_PROBE_OK;
    }
  } else {
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    time = GST_BUFFER_PTS_IS_VALID(buffer) ? GST_BUFFER_PTS(buffer) : GST_BUFFER_DTS(buffer);
  }
  s->last_data_us = g_get_monotonic_time();
  if (!cutter->cutting_) return GST_PAD_PROBE_OK;
  if (!s->ended) {
    const GstClockTime running = gst_segment_to_running_time(&s->segment, GST_FORMAT_TIME, time);
    if (s->video) {
      // What passed before this frame is the converted part; the other streams stop there too.
      GstClockTime none = GST_CLOCK_TIME_NONE;
      cutter->cutoff_.compare_exchange_strong(none, GST_CLOCK_TIME_IS_VALID(running) ? running : 0);
    } else {
      const GstClockTime cutoff = cutter->cutoff_;
      if (cutoff == GST_CLOCK_TIME_NONE || !GST_CLOCK_TIME_IS_VALID(running) || running < cutoff)
        return GST_PAD_PROBE_OK;
    }
    s->ended = true;
    gst_pad_push_event(pad, gst_event_new_eos());
  }
  // Ended: nothing more goes this way, and upstream is told so (a demuxer stops at EOS on all pads).
  if (event) return GST_PAD_PROBE_DROP;
  gst_buffer_unref(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = nullptr;
  GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_EOS;
  return GST_PAD_PROBE_HANDLED;
}

void StreamCutter::end_idle_streams(gint64 idle_us) {
  std::vector<GstPad*> idle;
  const gint64 now = g_get_monotonic_time();
  {
    std::lock_guard<std::mutex> guard(lock_);
    for (auto& s : streams_)
      if (!s->video && now - s->last_data_us >= idle_us && !s->ended.exchange(true))
        if (GstPad* peer = gst_pad_get_peer(s->pad)) idle.push_back(peer);
  }
  for (GstPad* peer : idle) {
    gst_pad_send_event(peer, gst_event_new_eos());
    gst_object_unref(peer);
  }
}

}  // namespace rife_convert
