// Frames made by GStreamer's videoconvert or by a test, mapped, and read or written sample by sample
// at any depth (8-bit bytes, 16-bit words with the sample in the bits GStreamer's format info names):
// shared by the format tests (test_yuv, test_10bit, test_10bit_quality).
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "appsink_frames.h"

namespace rife_test {

struct Converted {
  GstVideoInfo info;
  std::vector<guint8> bytes;
};

// `source` (a gst-launch description giving one frame) converted by videoconvert into `caps`.
inline Converted convert(const std::string& source, const std::string& caps) {
  std::string got;
  auto frames = run_to_appsink(source + " ! videoconvert ! " + caps + " ! appsink name=sink sync=false", &got);
  Converted c{};
  EXPECT_EQ(frames.size(), 1u) << caps;
  if (frames.empty()) return c;
  GstCaps* parsed = gst_caps_from_string(got.c_str());
  EXPECT_TRUE(gst_video_info_from_caps(&c.info, parsed)) << got;
  gst_caps_unref(parsed);
  c.bytes = frames[0].bytes;
  return c;
}

// A copy of `c` in a buffer of its own, mapped as a video frame for as long as it lives.
struct Mapped {
  GstBuffer* buffer;
  GstVideoFrame frame;
  Mapped(const Converted& c, GstMapFlags flags) : buffer(gst_buffer_new_memdup(c.bytes.data(), c.bytes.size())) {
    EXPECT_TRUE(gst_video_frame_map(&frame, &c.info, buffer, flags));
  }
  ~Mapped() {
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(buffer);
  }
  Mapped(const Mapped&) = delete;
  Mapped& operator=(const Mapped&) = delete;
};

// Where sample (x, y) of component c of a mapped frame lives, and how it is stored.
struct SampleAt {
  guint8* p;
  int depth, shift;
  bool word;  // a 16-bit little-endian word (else a byte)
};

// The byte offset of component c's first sample in its plane. GStreamer 1.22's format table gives V
// of P010_10LE, P012_LE and P016_LE the offset 1 (NV12's), where its own pack and unpack functions
// (and every producer) put it at byte 2 of each 4-byte U,V pair; the engine has its own table.
inline int component_offset(const GstVideoFormatInfo* fi, int c) {
  const int offset = GST_VIDEO_FORMAT_INFO_POFFSET(fi, c);
  const bool p01x = GST_VIDEO_FORMAT_INFO_N_PLANES(fi) == 2 && GST_VIDEO_FORMAT_INFO_PSTRIDE(fi, 1) == 4;
  return p01x && c == 2 ? 2 : offset;
}

inline SampleAt sample_at(const GstVideoFrame& f, int c, int x, int y) {
  const GstVideoFormatInfo* fi = f.info.finfo;
  const int plane = GST_VIDEO_FORMAT_INFO_PLANE(fi, c);
  auto* base = static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&f, plane)) + component_offset(fi, c);
  const int depth = GST_VIDEO_FORMAT_INFO_DEPTH(fi, c), shift = GST_VIDEO_FORMAT_INFO_SHIFT(fi, c);
  return {base + y * GST_VIDEO_FRAME_PLANE_STRIDE(&f, plane) + x * GST_VIDEO_FORMAT_INFO_PSTRIDE(fi, c), depth, shift,
          depth + shift > 8};
}

// The stored word (or byte) as it is, unused bits included.
inline uint16_t raw_sample(const GstVideoFrame& f, int c, int x, int y) {
  const SampleAt s = sample_at(f, c, x, y);
  return s.word ? uint16_t(GST_READ_UINT16_LE(s.p)) : s.p[0];
}

// The sample's code value, 0..2^depth-1.
inline uint16_t code_value(const GstVideoFrame& f, int c, int x, int y) {
  const SampleAt s = sample_at(f, c, x, y);
  return uint16_t((raw_sample(f, c, x, y) >> s.shift) & ((1u << s.depth) - 1));
}

// Writes a code value as the format stores it (unused bits 0).
inline void set_code_value(GstVideoFrame& f, int c, int x, int y, uint16_t v) {
  const SampleAt s = sample_at(f, c, x, y);
  if (s.word) {
    GST_WRITE_UINT16_LE(s.p, uint16_t(v << s.shift));
  } else {
    s.p[0] = guint8(v);
  }
}

// Every sample of components 0..components-1 in order (colour only by default: alpha is not
// interpolated), without row padding; `raw` keeps the words as stored, unused bits included.
inline std::vector<uint16_t> code_values(const GstVideoInfo& info, GstBuffer* buffer, int components = 3,
                                         bool raw = false) {
  GstVideoFrame f;
  std::vector<uint16_t> v;
  if (!gst_video_frame_map(&f, &info, buffer, GST_MAP_READ)) {
    ADD_FAILURE() << "cannot map a frame of " << GST_VIDEO_INFO_NAME(&info);
    return v;
  }
  for (int c = 0; c < components; ++c)
    for (int y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&f, c); ++y)
      for (int x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH(&f, c); ++x)
        v.push_back(raw ? raw_sample(f, c, x, y) : code_value(f, c, x, y));
  gst_video_frame_unmap(&f);
  return v;
}

inline std::vector<uint16_t> code_values(const Converted& c, int components = 3, bool raw = false) {
  GstBuffer* b = gst_buffer_new_memdup(c.bytes.data(), c.bytes.size());
  auto v = code_values(c.info, b, components, raw);
  gst_buffer_unref(b);
  return v;
}

// Every frame of `source` (a gst-launch description) as it reaches an appsink, with its video info.
inline std::vector<Converted> frames_of(const std::string& source) {
  std::string caps;
  const auto frames = run_to_appsink(source + " ! appsink name=sink sync=false", &caps);
  std::vector<Converted> out;
  GstVideoInfo info;
  GstCaps* parsed = gst_caps_from_string(caps.c_str());
  const bool ok = parsed && gst_video_info_from_caps(&info, parsed);
  if (parsed) gst_caps_unref(parsed);
  EXPECT_TRUE(ok || frames.empty()) << caps;
  if (ok)
    for (const auto& f : frames) out.push_back({info, f.bytes});
  return out;
}

// An 8-bit YUV frame in a deeper format of the same chroma layout, every code value x 2^(depth-8): in
// limited range exactly the same levels (16 -> 64, 235 -> 940, 128 -> 512 at 10 bits).
inline Converted widened(const Converted& c8, GstVideoFormat format) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, format, c8.info.width, c8.info.height);
  info.colorimetry = c8.info.colorimetry;
  const int factor = 1 << (GST_VIDEO_INFO_COMP_DEPTH(&info, 0) - 8);
  Converted deep{info, std::vector<guint8>(info.size)};
  Mapped src(c8, GST_MAP_READ), dst(deep, GST_MAP_WRITE);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&src.frame, c); ++y)
      for (int x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH(&src.frame, c); ++x)
        set_code_value(dst.frame, c, x, y, uint16_t(code_value(src.frame, c, x, y) * factor));
  gst_buffer_extract(dst.buffer, 0, deep.bytes.data(), deep.bytes.size());
  return deep;
}

}  // namespace rife_test
