// 10, 12 and 16 bits per sample, end to end, on random or all-zero weights (what is checked here does
// not depend on the weights' values; test_10bit_quality runs the real ones):
//   - every deep format reads a real picture as the standards define it (exactly, in 4:4:4) and
//     round-trips bit-exact through the engine's device (videoconvert's samples, the standard's, and
//     every kind of code value, at odd sizes);
//   - through the element: t = 0 is the input itself, interpolated frames are rounded to the format's
//     own depth in its own container (P010's low bits 0, 16-bit alpha 65535); batches, ensembles and
//     QoS work as at 8 bits;
//   - limited and full range scale with the depth, BT.2020 / BT.2100 caps map onto the BT.2020 matrix;
//   - HDR caps fields (mastering display, content light level, colorimetry) pass from sink to src;
//   - a real HEVC Main 10 HDR10 file decodes, goes through rife with no converter and re-encodes as
//     Main 10 with its HDR metadata; as P010 it gives the same frames; file-to-file.sh keeps it 10-bit
//     (run as the meson test file-to-file-10bit);
//   - scene-cut scores of the car-turn clip made 10-bit are those of the 8-bit clip.
#include <gst/app/gstappsrc.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "appsink_frames.h"
#include "rife_engine.h"
#include "rife_harness.h"
#include "test_support.h"
#include "video_formats.h"
#include "video_samples.h"

namespace {

using rife_test::code_values;
using rife_test::convert;
using rife_test::Converted;
using rife_test::Mapped;

// A real picture at an odd size (odd chroma edges), 8-bit RGB, and the next frame of its sequence.
const std::string kSource =
    "filesrc location=" + rife_test::testdata("middlebury-other-interp/RubberWhale/frame10.png") +
    " ! pngdec ! videoconvert ! videoscale ! video/x-raw,format=RGB,width=321,height=217";
const std::string kSmall =
    "filesrc location=" + rife_test::testdata("middlebury-other-interp/RubberWhale/frame10.png") +
    " ! pngdec ! videoconvert ! videoscale ! video/x-raw,format=RGB,width=97,height=65";
const std::string kSmallSecond =
    "filesrc location=" + rife_test::testdata("middlebury-other-interp/RubberWhale/frame11.png") +
    " ! pngdec ! videoconvert ! videoscale ! video/x-raw,format=RGB,width=97,height=65";
const std::string kSecond =
    "filesrc location=" + rife_test::testdata("middlebury-other-interp/RubberWhale/frame11.png") +
    " ! pngdec ! videoconvert ! videoscale ! video/x-raw,format=RGB,width=321,height=217";

rife::EngineOptions cpu_engine(const std::string& fixture = "official_plain.pth") {
  rife::EngineOptions o;
  o.model_path = rife_test::fixture(fixture);
  o.device = "cpu";
  return o;
}

GstVideoInfo info_of(const std::string& caps) {
  GstVideoInfo info;
  GstCaps* c = gst_caps_from_string(caps.c_str());
  EXPECT_TRUE(c && gst_video_info_from_caps(&info, c)) << caps;
  if (c) gst_caps_unref(c);
  return info;
}

int components_of(const GstVideoInfo& info) { return int(GST_VIDEO_INFO_N_COMPONENTS(&info)); }
int depth_of(const GstVideoInfo& info) { return int(GST_VIDEO_INFO_COMP_DEPTH(&info, 0)); }
uint16_t max_code(const GstVideoInfo& info) { return uint16_t((1u << depth_of(info)) - 1); }

// A frame of `info` whose samples are drawn from 0..2^depth-1 (alpha too), the extremes included.
GstBuffer* random_frame(const GstVideoInfo& info, unsigned seed) {
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, info.size, nullptr);
  gst_buffer_memset(buf, 0, 0, info.size);
  GstVideoFrame f;
  EXPECT_TRUE(gst_video_frame_map(&f, &info, buf, GST_MAP_WRITE));
  std::mt19937 random(seed);
  for (int c = 0; c < components_of(info); ++c) {
    std::uniform_int_distribution<int> code(0, max_code(info));
    for (int y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&f, c); ++y)
      for (int x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH(&f, c); ++x)
        rife_test::set_code_value(f, c, x, y, uint16_t(code(random)));
    rife_test::set_code_value(f, c, 0, 0, 0);
    rife_test::set_code_value(f, c, GST_VIDEO_FRAME_COMP_WIDTH(&f, c) - 1, GST_VIDEO_FRAME_COMP_HEIGHT(&f, c) - 1,
                              max_code(info));
  }
  gst_video_frame_unmap(&f);
  return buf;
}

// The engine's round trip of one frame: prepare (planes -> RGB on the device) then render (RGB ->
// planes), into a fresh buffer of the same layout.
GstBuffer* round_trip(rife::Engine& engine, const GstVideoInfo& info, GstBuffer* in) {
  GstBuffer* back = gst_buffer_new_allocate(nullptr, info.size, nullptr);
  gst_buffer_memset(back, 0, 0xAB, info.size);  // every sample the engine leaves unwritten shows
  GstVideoFrame src, dst;
  EXPECT_TRUE(gst_video_frame_map(&src, &info, in, GST_MAP_READ));
  EXPECT_TRUE(gst_video_frame_map(&dst, &info, back, GST_MAP_WRITE));
  engine.render(engine.prepare(rife_gst::input_planes(src)), rife_gst::output_planes(dst));
  gst_video_frame_unmap(&dst);
  gst_video_frame_unmap(&src);
  return back;
}

// Alpha (4-component formats): every sample of component 3 is 2^depth - 1.
void expect_full_alpha(const GstVideoInfo& info, GstBuffer* buf, const char* what) {
  if (components_of(info) < 4) return;
  GstVideoFrame f;
  ASSERT_TRUE(gst_video_frame_map(&f, &info, buf, GST_MAP_READ));
  int wrong = 0;
  for (int y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&f, 3); ++y)
    for (int x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH(&f, 3); ++x)
      wrong += rife_test::code_value(f, 3, x, y) != max_code(info);
  gst_video_frame_unmap(&f);
  EXPECT_EQ(wrong, 0) << what << ": alpha written as full (" << max_code(info) << ")";
}

// Bits of the stored words outside the sample (P010's low 6, the high bits of I420_10LE) are 0.
int stray_bits(const GstVideoInfo& info, GstBuffer* buf) {
  const auto raw = code_values(info, buf, 3, /*raw=*/true), codes = code_values(info, buf);
  const int shift = GST_VIDEO_FORMAT_INFO_SHIFT(info.finfo, 0);
  int stray = 0;
  for (size_t i = 0; i < raw.size(); ++i) stray += raw[i] != uint16_t(codes[i] << shift);
  return stray;
}

double psnr_of_rgb(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) { return rife_test::psnr(a, b); }

// Packed RGB rows of a converted RGB frame, without row padding.
std::vector<uint8_t> packed_rgb(const Converted& c) {
  std::vector<uint8_t> out;
  Mapped r(c, GST_MAP_READ);
  for (int y = 0; y < int(c.info.height); ++y) {
    const auto* row = static_cast<const uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&r.frame, 0)) +
                      y * GST_VIDEO_FRAME_PLANE_STRIDE(&r.frame, 0);
    out.insert(out.end(), row, row + c.info.width * 3);
  }
  return out;
}

std::vector<uint8_t> network_rgb(rife::Engine& engine, const Converted& c) {
  Mapped in(c, GST_MAP_READ);
  std::vector<uint8_t> rgb(size_t(c.info.width) * c.info.height * 3);
  engine.read_rgb(engine.prepare(rife_gst::input_planes(in.frame)), rgb.data(), size_t(c.info.width) * 3);
  return rgb;
}

struct Case {
  const char* format;
  const char* colorimetry;  // GStreamer colorimetry (a name or range:matrix:transfer:primaries); "" for RGB
};

std::string caps_of(const Case& c) {
  std::string caps = std::string("video/x-raw,format=") + c.format;
  if (*c.colorimetry) caps += std::string(",colorimetry=") + c.colorimetry;
  return caps;
}

// `rgb` (packed 8-bit, the size of `info`) in the YUV layout of `info`, computed here in double
// precision as the standards define it: Kr, Kb of the caps' matrix; limited range = the 8-bit levels x
// 2^(depth-8) (Y' 64-940, chroma 64-960 at 10 bits), full range 0..2^depth-1 with chroma zero at
// 2^(depth-1); each chroma sample the mean over the pixels it covers. videoconvert is no reference at
// 10 bits: from 8-bit RGB it computes 8-bit levels and widens them by bit replication (Y' 235 -> 943,
// not 940): measured up to 4.5 code values off BT.709 on this picture.
Converted exact_yuv(const std::vector<uint8_t>& rgb, const GstVideoInfo& info) {
  double kr = 0, kb = 0;
  EXPECT_TRUE(gst_video_color_matrix_get_Kr_Kb(info.colorimetry.matrix, &kr, &kb));
  const bool full = info.colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  const int depth = depth_of(info);
  const double step = 1 << (depth - 8), top = (1 << depth) - 1;
  const double y_scale = full ? top : 219 * step, y_offset = full ? 0 : 16 * step;
  const double c_scale = full ? top : 224 * step, c_zero = 128 * step;
  const int w = int(info.width), h = int(info.height);
  auto component = [&](int c, int x, int y) {
    const uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
    const double r = p[0] / 255.0, g = p[1] / 255.0, b = p[2] / 255.0;
    const double luma = kr * r + (1 - kr - kb) * g + kb * b;
    return c == 0 ? luma : c == 1 ? (b - luma) / (2 - 2 * kb) : (r - luma) / (2 - 2 * kr);
  };
  Converted out{info, std::vector<guint8>(info.size)};
  Mapped m(out, GST_MAP_WRITE);
  for (int c = 0; c < 3; ++c) {
    const int cw = GST_VIDEO_FRAME_COMP_WIDTH(&m.frame, c), ch = GST_VIDEO_FRAME_COMP_HEIGHT(&m.frame, c);
    const int bx = (w + cw - 1) / cw, by = (h + ch - 1) / ch;  // pixels per sample across, down: 1 or 2
    for (int sy = 0; sy < ch; ++sy)
      for (int sx = 0; sx < cw; ++sx) {
        double sum = 0;
        int n = 0;
        for (int y = sy * by; y < std::min(h, sy * by + by); ++y)
          for (int x = sx * bx; x < std::min(w, sx * bx + bx); ++x, ++n) sum += component(c, x, y);
        const double v = c == 0 ? sum / n * y_scale + y_offset : sum / n * c_scale + c_zero;
        rife_test::set_code_value(m.frame, c, sx, sy, uint16_t(std::clamp(std::lround(v), 0L, long(top))));
      }
  }
  gst_buffer_extract(m.buffer, 0, out.bytes.data(), out.bytes.size());
  return out;
}

class DeepFormats : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(DeepFormats, ARealPictureReadsAsTheStandardDefinesItAndRoundTripsBitExact) {
  const Case c = GetParam();
  const Converted by_videoconvert = convert(kSource, caps_of(c));
  ASSERT_FALSE(by_videoconvert.bytes.empty());
  rife::FrameGeometry g;
  ASSERT_TRUE(rife_gst::geometry_of(by_videoconvert.info, &g)) << c.format;
  ASSERT_EQ(rife::bit_depth(g.format), depth_of(by_videoconvert.info)) << c.format;
  rife::Engine engine(cpu_engine());
  engine.configure(g);

  const auto source_rgb = packed_rgb(convert(kSource, "video/x-raw,format=RGB"));
  std::vector<Converted> pictures{by_videoconvert};
  if (!GST_VIDEO_INFO_IS_YUV(&by_videoconvert.info)) {
    // 8-bit RGB made 16-bit by videoconvert (v * 257) reads back to exactly the 8-bit picture.
    EXPECT_EQ(network_rgb(engine, by_videoconvert), source_rgb) << c.format;
  } else {
    const Converted exact = exact_yuv(source_rgb, by_videoconvert.info);
    pictures.push_back(exact);
    // The same picture made 8-bit the same way, in the 8-bit format of the same chroma subsampling.
    GstVideoInfo info8;
    const bool x420 = GST_VIDEO_INFO_COMP_HEIGHT(&exact.info, 1) != int(g.height);
    const bool x422 = !x420 && GST_VIDEO_INFO_COMP_WIDTH(&exact.info, 1) != int(g.width);
    gst_video_info_set_format(&info8,
                              x420   ? GST_VIDEO_FORMAT_I420
                              : x422 ? GST_VIDEO_FORMAT_Y42B
                                     : GST_VIDEO_FORMAT_Y444,
                              exact.info.width, exact.info.height);
    info8.colorimetry = exact.info.colorimetry;
    const Converted exact8 = exact_yuv(source_rgb, info8);
    const double engine_db = psnr_of_rgb(network_rgb(engine, exact), source_rgb);
    const double engine_of_videoconvert_db = psnr_of_rgb(network_rgb(engine, by_videoconvert), source_rgb);
    const double gst_db =
        psnr_of_rgb(packed_rgb(convert(kSource, caps_of(c) + " ! videoconvert ! video/x-raw,format=RGB")), source_rgb);
    rife::FrameGeometry g8;
    ASSERT_TRUE(rife_gst::geometry_of(info8, &g8));
    engine.configure(g8);
    const double engine8_db = psnr_of_rgb(network_rgb(engine, exact8), source_rgb);
    engine.configure(g);
    // 4:4:4 at 10 bits and more gives the 8-bit picture back exactly (infinite PSNR); subsampled, the
    // chroma's loss dominates, and is no larger than at 8 bits. (videoconvert's own read of its own
    // samples is ~1 dB closer on subsampled formats: it interpolates chroma where the engine repeats it,
    // which keeps the engine's round trip exact.)
    EXPECT_GE(engine_db, x420 || x422 ? 35.0 : 99.0) << c.format << " " << c.colorimetry;
    EXPECT_GE(engine_db, engine8_db) << c.format << " " << c.colorimetry << ": read worse than the 8-bit picture";
    // The same samples read with another matrix, or as the other range, are visibly different.
    rife::FrameGeometry wrong = g;
    wrong.matrix = g.matrix == rife::YuvMatrix::BT601 ? rife::YuvMatrix::BT709 : rife::YuvMatrix::BT601;
    engine.configure(wrong);
    const double wrong_matrix_db = psnr_of_rgb(network_rgb(engine, exact), source_rgb);
    wrong = g;
    wrong.full_range = !g.full_range;
    engine.configure(wrong);
    const double wrong_range_db = psnr_of_rgb(network_rgb(engine, exact), source_rgb);
    engine.configure(g);
    EXPECT_LT(wrong_matrix_db, engine_db - 2.0) << c.format << ": a wrong matrix must show";
    EXPECT_LT(wrong_range_db, engine_db - 5.0) << c.format << ": a wrong range must show";
    std::printf(
        "%-10s %-10s vs the original RGB: engine %.1f dB (8-bit %.1f dB; of videoconvert's samples %.1f dB), "
        "videoconvert %.1f dB, wrong matrix %.1f dB, wrong range %.1f dB\n",
        c.format, c.colorimetry, engine_db, engine8_db, engine_of_videoconvert_db, gst_db, wrong_matrix_db,
        wrong_range_db);
  }

  for (const Converted& picture : pictures) {
    Mapped in(picture, GST_MAP_READ);
    GstBuffer* back = round_trip(engine, picture.info, in.buffer);
    EXPECT_TRUE(code_values(picture.info, back, 3, /*raw=*/true) == code_values(picture, 3, /*raw=*/true))
        << c.format << ": the round trip must give every stored word back";
    expect_full_alpha(picture.info, back, c.format);
    gst_buffer_unref(back);
  }
}

TEST_P(DeepFormats, EveryKindOfCodeValueRoundTripsBitExactAtOddSizes) {
  const Case c = GetParam();
  for (const auto& [w, h] : {std::pair<int, int>{37, 23}, {2, 3}, {64, 17}}) {
    const GstVideoInfo info = info_of(caps_of(c) + ",width=" + std::to_string(w) + ",height=" + std::to_string(h));
    rife::FrameGeometry g;
    ASSERT_TRUE(rife_gst::geometry_of(info, &g));
    rife::Engine engine(cpu_engine());
    engine.configure(g);
    // Limited range included: codes below black and above white (0 and the maximum among them) go
    // to RGB outside [0, 1] and must come back.
    GstBuffer* in = random_frame(info, unsigned(w * h));
    GstBuffer* back = round_trip(engine, info, in);
    EXPECT_TRUE(code_values(info, back, 3, true) == code_values(info, in, 3, true)) << c.format << " " << w << "x" << h;
    EXPECT_EQ(stray_bits(info, back), 0) << c.format;
    expect_full_alpha(info, back, c.format);
    gst_buffer_unref(in);
    gst_buffer_unref(back);
  }
}

// Through the element with all-zero weights, whose output is exactly the 50/50 blend of the pair for
// every t: blending commutes with the affine YUV <-> RGB conversion, so the interpolated frame is the
// mean of the two inputs' code values, rounded to the format's own depth (within its rounding).
TEST_P(DeepFormats, ThroughTheElementT0IsTheInputItselfAndTheMiddleIsRoundedToTheFormatsDepth) {
  const Case c = GetParam();
  const Converted a = convert(kSource, caps_of(c)), b = convert(kSecond, caps_of(c));
  ASSERT_FALSE(a.bytes.empty());
  GstHarness* h = gst_harness_new_parse(
      ("rife device=cpu scene-detection=false model-path=" + rife_test::fixture("zero_blend.pth")).c_str());
  GstCaps* in_caps = gst_video_info_to_caps(&a.info);
  gst_caps_set_simple(in_caps, "framerate", GST_TYPE_FRACTION, 30, 1, nullptr);
  gst_harness_set_src_caps(h, in_caps);
  ASSERT_EQ(gst_harness_push(h, rife_test::buffer_of(a.bytes, 0)), GST_FLOW_OK);
  ASSERT_EQ(gst_harness_push(h, rife_test::buffer_of(b.bytes, GST_SECOND / 30)), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto out = rife_test::pull_all(h);
  ASSERT_EQ(out.size(), 3u) << c.format;
  GstCaps* negotiated = gst_pad_get_current_caps(h->sinkpad);
  GstVideoInfo out_info;
  ASSERT_TRUE(gst_video_info_from_caps(&out_info, negotiated));
  gst_caps_unref(negotiated);
  EXPECT_EQ(GST_VIDEO_INFO_FORMAT(&out_info), GST_VIDEO_INFO_FORMAT(&a.info)) << "same format out";
  EXPECT_TRUE(rife_test::bytes_of(out[0]) == a.bytes) << c.format << ": t = 0 is the input, bit-exact";
  EXPECT_TRUE(rife_test::bytes_of(out[2]) == b.bytes) << c.format << ": the last input, bit-exact";

  const auto middle = code_values(out_info, out[1]), sa = code_values(a), sb = code_values(b);
  ASSERT_EQ(middle.size(), sa.size());
  int worst = 0;        // |2 m - (a + b)|: 0 or 1 when m is the mean rounded to the format's depth
  size_t off_grid = 0;  // samples between the 8-bit levels (YUV: x 2^(depth-8); 16-bit RGB: x 257)
  const int step = GST_VIDEO_INFO_IS_YUV(&a.info) ? 1 << (depth_of(a.info) - 8) : 257;
  for (size_t i = 0; i < middle.size(); ++i) {
    worst = std::max(worst, std::abs(2 * int(middle[i]) - int(sa[i]) - int(sb[i])));
    off_grid += middle[i] % step != 0;
  }
  // At 16 bits the FP32 warp's own rounding (grid positions to ~1e-5 px) reaches a code value.
  EXPECT_LE(worst, depth_of(a.info) < 16 ? 1 : 3)
      << c.format << ": the middle frame is the mean of its inputs at " << depth_of(a.info) << " bits";
  if (GST_VIDEO_INFO_IS_YUV(&a.info)) {
    EXPECT_GT(off_grid, middle.size() / 2) << c.format << ": the middle frame was rounded through 8 bits";
  }
  EXPECT_EQ(stray_bits(out_info, out[1]), 0) << c.format << ": the unused bits of the container are 0";
  expect_full_alpha(out_info, out[1], c.format);
  std::printf("%-10s through the element: |2 x middle - (a + b)| <= %d; %.0f %% of its samples between 8-bit levels\n",
              c.format, worst, 100.0 * double(off_grid) / double(middle.size()));
  rife_test::unref_all(out);
  gst_harness_teardown(h);
}

INSTANTIATE_TEST_SUITE_P(TenTwelveSixteenBits, DeepFormats,
                         ::testing::Values(Case{"I420_10LE", "bt2020-10"}, Case{"I420_10LE", "bt709"},
                                           Case{"I420_10LE", "1:3:5:1"} /* BT.709 full range */,
                                           Case{"I420_12LE", "bt2100-pq"}, Case{"I422_10LE", "bt709"},
                                           Case{"I422_12LE", "bt601"}, Case{"Y444_10LE", "bt2100-hlg"},
                                           Case{"Y444_12LE", "1:4:0:0"} /* BT.601 full range */,
                                           Case{"Y444_16LE", "bt709"}, Case{"P010_10LE", "bt2100-pq"},
                                           Case{"P010_10LE", "1:6:14:7"} /* BT.2100 PQ full range */,
                                           Case{"P012_LE", "bt2020"}, Case{"P016_LE", "bt709"}, Case{"RGBA64_LE", ""},
                                           Case{"BGRA64_LE", ""}, Case{"ARGB64_LE", ""}, Case{"ABGR64_LE", ""}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           std::string n = std::string(i.param.format) + "_" + i.param.colorimetry;
                           for (auto& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(DeepFormatList, EveryFormatTheElementOffersMapsToAnEngineFormatOfItsDepth) {
  GstCaps* caps = gst_caps_from_string("video/x-raw, format = (string) " RIFE_FORMATS);
  ASSERT_NE(caps, nullptr);
  const GValue* list = gst_structure_get_value(gst_caps_get_structure(caps, 0), "format");
  ASSERT_TRUE(GST_VALUE_HOLDS_LIST(list));
  int deep = 0;
  for (guint i = 0; i < gst_value_list_get_size(list); ++i) {
    const char* name = g_value_get_string(gst_value_list_get_value(list, i));
    const GstVideoInfo info = info_of(std::string("video/x-raw,width=64,height=36,format=") + name);
    rife::FrameGeometry g;
    ASSERT_TRUE(rife_gst::geometry_of(info, &g)) << name;
    EXPECT_EQ(rife::bit_depth(g.format), depth_of(info)) << name;
    deep += depth_of(info) > 8;
  }
  EXPECT_EQ(deep, 14) << "10/12-bit YUV 4:2:0, 4:2:2, 4:4:4, Y444_16LE, P010/P012/P016, four 16-bit RGBA orders";
  gst_caps_unref(caps);
}

TEST(DeepColorimetry, Bt2020AndBt2100CapsMapOntoTheBt2020MatrixWithTheirRange) {
  struct Want {
    const char* caps;
    rife::YuvMatrix matrix;
    bool full_range;
  };
  const Want cases[] = {
      {"format=I420_10LE,colorimetry=bt2020-10", rife::YuvMatrix::BT2020, false},
      {"format=P010_10LE,colorimetry=bt2100-pq", rife::YuvMatrix::BT2020, false},
      {"format=I420_10LE,colorimetry=bt2100-hlg", rife::YuvMatrix::BT2020, false},
      {"format=P012_LE,colorimetry=bt2020", rife::YuvMatrix::BT2020, false},
      {"format=Y444_12LE,colorimetry=1:6:14:7", rife::YuvMatrix::BT2020, true},
      {"format=I422_10LE,colorimetry=bt709", rife::YuvMatrix::BT709, false},
      {"format=I420_10LE,colorimetry=bt601", rife::YuvMatrix::BT601, false},
  };
  for (const Want& w : cases) {
    rife::FrameGeometry g;
    ASSERT_TRUE(rife_gst::geometry_of(info_of(std::string("video/x-raw,width=64,height=36,") + w.caps), &g)) << w.caps;
    EXPECT_EQ(g.matrix, w.matrix) << w.caps;
    EXPECT_EQ(g.full_range, w.full_range) << w.caps;
  }
}

// Limited range at d bits is the 8-bit range x 2^(d-8) (black 64, white 940, chroma zero 512 at 10
// bits); full range is 0..2^d-1 with chroma zero 2^(d-1).
TEST(DeepRange, CodeValuesScaleWithTheDepth) {
  rife::Engine engine(cpu_engine());
  // The 8-bit I420 picture and the same samples x 4 (I420_10LE), x 16 (I420_12LE), x 4 in P010's
  // high bits: the network sees the same RGB.
  const Converted i420 = convert(kSource, "video/x-raw,format=I420,colorimetry=bt709");
  ASSERT_FALSE(i420.bytes.empty());
  rife::FrameGeometry g8;
  ASSERT_TRUE(rife_gst::geometry_of(i420.info, &g8));
  engine.configure(g8);
  const auto rgb8 = network_rgb(engine, i420);
  for (const auto format : {GST_VIDEO_FORMAT_I420_10LE, GST_VIDEO_FORMAT_I420_12LE, GST_VIDEO_FORMAT_P010_10LE}) {
    const Converted deep = rife_test::widened(i420, format);
    const GstVideoInfo& info = deep.info;
    rife::FrameGeometry g;
    ASSERT_TRUE(rife_gst::geometry_of(info, &g));
    engine.configure(g);
    const auto rgb = network_rgb(engine, deep);
    int worst = 0;
    size_t differing = 0;
    for (size_t i = 0; i < rgb.size(); ++i) {
      worst = std::max(worst, std::abs(int(rgb[i]) - int(rgb8[i])));
      differing += rgb[i] != rgb8[i];
    }
    EXPECT_LE(worst, 1) << GST_VIDEO_INFO_NAME(&info) << " (8-bit RGB rounding of the same value)";
    EXPECT_LT(differing, rgb.size() / 1000) << GST_VIDEO_INFO_NAME(&info);
  }
  // Full range: 0 is black, 2^d - 1 white, 2^(d-1) neutral chroma.
  for (const char* format : {"Y444_10LE", "Y444_12LE", "P010_10LE"}) {
    const GstVideoInfo info = info_of(std::string("video/x-raw,colorimetry=1:3:5:1,width=4,height=2,format=") + format);
    rife::FrameGeometry g;
    ASSERT_TRUE(rife_gst::geometry_of(info, &g));
    ASSERT_TRUE(g.full_range);
    engine.configure(g);
    for (const auto& [y_code, want] : {std::pair<int, int>{0, 0}, {int(max_code(info)), 255}}) {
      Converted flat{info, std::vector<guint8>(info.size)};
      {
        Mapped dst(flat, GST_MAP_WRITE);
        for (int c = 0; c < 3; ++c)
          for (int y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&dst.frame, c); ++y)
            for (int x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH(&dst.frame, c); ++x)
              rife_test::set_code_value(dst.frame, c, x, y, uint16_t(c == 0 ? y_code : 1 << (depth_of(info) - 1)));
        gst_buffer_extract(dst.buffer, 0, flat.bytes.data(), flat.bytes.size());
      }
      for (uint8_t v : network_rgb(engine, flat)) ASSERT_EQ(int(v), want) << format << " Y = " << y_code;
    }
  }
}

// P010's low 6 bits carry no sample: whatever a producer leaves there is not read as part of it.
TEST(DeepRange, StrayBitsOutsideTheSampleAreNotReadAsPartOfIt) {
  for (const char* format : {"P010_10LE", "I420_10LE"}) {
    const GstVideoInfo info = info_of(std::string("video/x-raw,colorimetry=bt709,width=33,height=17,format=") + format);
    rife::FrameGeometry g;
    ASSERT_TRUE(rife_gst::geometry_of(info, &g));
    rife::Engine engine(cpu_engine());
    engine.configure(g);
    GstBuffer* clean = random_frame(info, 7);
    GstBuffer* dirty = gst_buffer_copy_deep(clean);
    {
      GstVideoFrame f;
      ASSERT_TRUE(gst_video_frame_map(&f, &info, dirty, GST_MAP_READWRITE));
      const int shift = GST_VIDEO_FORMAT_INFO_SHIFT(info.finfo, 0), depth = depth_of(info);
      const uint16_t stray = uint16_t(~(((1u << depth) - 1) << shift));  // every bit outside the sample
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&f, c); ++y)
          for (int x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH(&f, c); ++x) {
            auto* p = rife_test::sample_at(f, c, x, y).p;
            GST_WRITE_UINT16_LE(p, uint16_t(GST_READ_UINT16_LE(p) | stray));
          }
      gst_video_frame_unmap(&f);
    }
    GstBuffer* back = round_trip(engine, info, dirty);
    EXPECT_TRUE(code_values(info, back, 3, true) == code_values(info, clean, 3, true))
        << format << ": read as the samples alone, written back with the unused bits 0";
    for (GstBuffer* b : {clean, dirty, back}) gst_buffer_unref(b);
  }
}

TEST(DeepElement, BatchedTimestepsAndEnsemblesWorkAtTenBits) {
  // 24 -> 60 fps: two interpolations per pair in one batch, each with the time+flip ensemble (four
  // passes). With all-zero weights every pass is the 50/50 blend, so every interpolated frame is too.
  const std::string caps = "video/x-raw,format=P010_10LE,colorimetry=bt2100-pq";
  const Converted a = convert(kSmall, caps), b = convert(kSmallSecond, caps);
  ASSERT_FALSE(a.bytes.empty());
  GstHarness* h = gst_harness_new_parse(
      ("rife device=cpu scene-detection=false ensemble=time+flip model-path=" + rife_test::fixture("zero_blend.pth"))
          .c_str());
  GstCaps* in_caps = gst_video_info_to_caps(&a.info);
  gst_caps_set_simple(in_caps, "framerate", GST_TYPE_FRACTION, 24, 1, nullptr);
  gst_harness_set_src_caps(h, in_caps);
  gst_harness_set_sink_caps_str(h, "video/x-raw,framerate=60/1");
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(
        gst_harness_push(h, rife_test::buffer_of((i % 2 ? b : a).bytes, gst_util_uint64_scale(i, GST_SECOND, 24))),
        GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto out = rife_test::pull_all(h);
  ASSERT_EQ(out.size(), 11u) << "5 inputs at 24 fps span 10 frames at 60 fps";
  EXPECT_EQ(rife_test::counter(h, "frames-interpolated"), 8u);
  const auto sa = code_values(a), sb = code_values(b);
  for (size_t k = 0; k < out.size(); ++k) {
    if (k % 5 == 0) {  // on input 2k/5's time
      EXPECT_TRUE(rife_test::bytes_of(out[k]) == ((2 * k / 5) % 2 ? b : a).bytes) << "output " << k << " is an input";
      continue;
    }
    const auto m = code_values(a.info, out[k]);
    int worst = 0;
    for (size_t i = 0; i < m.size(); ++i) worst = std::max(worst, std::abs(2 * int(m[i]) - int(sa[i]) - int(sb[i])));
    EXPECT_LE(worst, 1) << "output " << k << ": the blend at 10 bits";
    EXPECT_EQ(stray_bits(a.info, out[k]), 0) << "output " << k;
  }
  rife_test::unref_all(out);
  gst_harness_teardown(h);
}

TEST(DeepElement, QosSkipsLateInterpolationsAtTenBitsAsAtEight) {
  // The sink reports that everything before 10/30 s is too late: the 10 interpolations before it are
  // skipped (their inputs cover their time), then 2x resumes; the counters count it.
  const std::string caps = "video/x-raw,format=I420_10LE,width=32,height=24,framerate=30/1,colorimetry=bt2020-10";
  const GstVideoInfo info = info_of(caps);
  rife_test::HarnessOnBus harness(caps, "scene-detection=false");
  auto frame = [&](int i) {
    GstBuffer* f = random_frame(info, unsigned(i));
    GST_BUFFER_PTS(f) = gst_util_uint64_scale(i, GST_SECOND, 30);
    return f;
  };
  ASSERT_EQ(gst_harness_push(harness.h, frame(0)), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_upstream_event(
      harness.h, gst_event_new_qos(GST_QOS_TYPE_UNDERFLOW, 2.0, 0, gst_util_uint64_scale(10, GST_SECOND, 30))));
  for (int i = 1; i <= 13; ++i) ASSERT_EQ(gst_harness_push(harness.h, frame(i)), GST_FLOW_OK);
  auto out = rife_test::pull_all(harness.h);
  EXPECT_EQ(out.size(), 16u) << "10 inputs in place of skipped interpolations, then 3 pairs at 2x";
  EXPECT_EQ(rife_test::counter(harness.h, "frames-skipped"), 10u);
  EXPECT_EQ(rife_test::counter(harness.h, "frames-interpolated"), 3u);
  for (GstBuffer* b : out) EXPECT_EQ(stray_bits(info, b), 0);
  rife_test::unref_all(out);
}

// What an HDR10 encoder downstream needs to write the same metadata: the src caps carry the sink
// caps' mastering display, content light level and colorimetry, unchanged.
TEST(DeepHdr, MasteringDisplayContentLightLevelAndColorimetryPassFromSinkToSrc) {
  const char* const hdr_fields[] = {"mastering-display-info", "content-light-level", "colorimetry", "chroma-site"};
  for (const char* in :
       {"video/x-raw,format=P010_10LE,width=64,height=36,framerate=25/1,colorimetry=bt2100-pq,chroma-site=mpeg2,"
        "mastering-display-info=(string)34000:16000:13250:34500:7500:3000:15635:16450:10000000:50,"
        "content-light-level=(string)1000:400",
        "video/x-raw,format=I420_10LE,width=64,height=36,framerate=25/1,colorimetry=bt2100-hlg,chroma-site=mpeg2"}) {
    GstHarness* h = rife_test::new_rife_harness(in);
    const GstVideoInfo info = info_of(in);
    for (int i = 0; i < 2; ++i) {
      GstBuffer* f = random_frame(info, unsigned(i));
      GST_BUFFER_PTS(f) = gst_util_uint64_scale(i, GST_SECOND, 25);
      ASSERT_EQ(gst_harness_push(h, f), GST_FLOW_OK);
    }
    GstCaps* out_caps = gst_pad_get_current_caps(h->sinkpad);
    ASSERT_NE(out_caps, nullptr);
    GstCaps* in_caps = gst_caps_from_string(in);
    const GstStructure* si = gst_caps_get_structure(in_caps, 0);
    const GstStructure* so = gst_caps_get_structure(out_caps, 0);
    for (const char* field : hdr_fields) {
      const GValue* vi = gst_structure_get_value(si, field);
      if (!vi) continue;
      const GValue* vo = gst_structure_get_value(so, field);
      ASSERT_NE(vo, nullptr) << field << " dropped: " << gst_caps_to_string(out_caps);
      EXPECT_EQ(gst_value_compare(vi, vo), GST_VALUE_EQUAL) << field;
    }
    gint n = 0, d = 0;
    EXPECT_TRUE(gst_structure_get_fraction(so, "framerate", &n, &d));
    EXPECT_EQ(n * 1, 50 * d) << "the rate is what changes";
    // Parsed as GStreamer's HDR types, the metadata is the same too.
    GstVideoMasteringDisplayInfo mi, mo;
    if (gst_video_mastering_display_info_from_caps(&mi, in_caps)) {
      ASSERT_TRUE(gst_video_mastering_display_info_from_caps(&mo, out_caps));
      EXPECT_TRUE(gst_video_mastering_display_info_is_equal(&mi, &mo));
      GstVideoContentLightLevel li, lo;
      ASSERT_TRUE(gst_video_content_light_level_from_caps(&li, in_caps));
      ASSERT_TRUE(gst_video_content_light_level_from_caps(&lo, out_caps));
      EXPECT_TRUE(gst_video_content_light_level_is_equal(&li, &lo));
    }
    gchar* printed = gst_caps_to_string(out_caps);
    std::printf("src caps: %s\n", printed);
    g_free(printed);
    gst_caps_unref(in_caps);
    gst_caps_unref(out_caps);
    gst_harness_teardown(h);
  }
}

namespace {

// A scratch folder, removed with its files at the end of the scope.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    char t[] = "/tmp/rife-10bit-XXXXXX";
    path = mkdtemp(t) ? t : "";
  }
  ~ScratchDir() {
    for (const char* f : {"/in.mp4", "/out.mp4"}) std::remove((path + f).c_str());
    rmdir(path.c_str());
  }
};

// Runs `launch` to EOS (no appsink); returns the error text, empty when it succeeded. `frames` (raw
// video of `caps`) go in through the appsrc named "src", one per buffer at 25 fps. Before the pipeline
// stops, the current caps of the pads of the element named "r" go into sink_caps/src_caps.
std::string run_pipeline(const std::string& launch, std::string* sink_caps = nullptr, std::string* src_caps = nullptr,
                         const std::vector<rife_test::Frame>& frames = {}, const std::string& caps = "") {
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &err);
  if (!pipeline) {
    std::string m = err ? err->message : "cannot parse";
    if (err) g_error_free(err);
    return m;
  }
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  if (src) {
    GstCaps* c = gst_caps_from_string(caps.c_str());
    g_object_set(src, "caps", c, "format", GST_FORMAT_TIME, nullptr);
    gst_caps_unref(c);
  }
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  if (src) {
    for (size_t i = 0; i < frames.size(); ++i) {
      GstBuffer* b = gst_buffer_new_memdup(frames[i].bytes.data(), frames[i].bytes.size());
      GST_BUFFER_PTS(b) = gst_util_uint64_scale(i, GST_SECOND, 25);
      GST_BUFFER_DURATION(b) = GST_SECOND / 25;
      gst_app_src_push_buffer(GST_APP_SRC(src), b);
    }
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    gst_object_unref(src);
  }
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus, 300 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  std::string error = msg ? "" : "timed out";
  if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* e = nullptr;
    gst_message_parse_error(msg, &e, nullptr);
    error = e->message;
    g_error_free(e);
  }
  if (msg) gst_message_unref(msg);
  if (GstElement* r = gst_bin_get_by_name(GST_BIN(pipeline), "r")) {
    for (auto [pad_name, out] : {std::pair<const char*, std::string*>{"sink", sink_caps}, {"src", src_caps}}) {
      if (!out) continue;
      GstPad* pad = gst_element_get_static_pad(r, pad_name);
      if (GstCaps* c = gst_pad_get_current_caps(pad)) {
        gchar* text = gst_caps_to_string(c);
        *out = text;
        g_free(text);
        gst_caps_unref(c);
      }
      gst_object_unref(pad);
    }
    gst_object_unref(r);
  }
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return error;
}

std::string field_of(const std::string& caps, const char* field) {
  GstCaps* c = gst_caps_from_string(caps.c_str());
  if (!c) return "";
  const GValue* v = gst_structure_get_value(gst_caps_get_structure(c, 0), field);
  std::string out;
  if (v && G_VALUE_HOLDS_STRING(v)) {
    out = g_value_get_string(v);
  } else if (v) {
    gchar* s = gst_value_serialize(v);
    out = s;
    g_free(s);
  }
  gst_caps_unref(c);
  return out;
}

constexpr int kClipFrames = 13;
const char* const kMastering = "34000:16000:13250:34500:7500:3000:15635:16450:10000000:50";
const char* const kLightLevel = "1000:400";

// Writes the first 13 frames of car-turn at 160x96, I420_10LE labelled HDR10 (BT.2100 PQ, mastering
// display, content light level), as HEVC Main 10 by x265 in MP4: a real 10-bit HDR file.
void write_hdr10_clip(const std::string& path) {
  std::string raw_caps;
  auto clip = rife_test::run_to_appsink("filesrc location=" + rife_test::testdata("davis-car-turn/car-turn.mp4") +
                                            " ! decodebin ! videoconvert ! videoscale ! "
                                            "video/x-raw,width=160,height=96,format=I420_10LE ! appsink name=sink "
                                            "sync=false",
                                        &raw_caps);
  ASSERT_GE(int(clip.size()), kClipFrames);
  clip.resize(kClipFrames);
  GstCaps* hdr = gst_caps_from_string(raw_caps.c_str());
  gst_caps_set_simple(hdr, "colorimetry", G_TYPE_STRING, "bt2100-pq", "mastering-display-info", G_TYPE_STRING,
                      kMastering, "content-light-level", G_TYPE_STRING, kLightLevel, nullptr);
  gchar* text = gst_caps_to_string(hdr);
  raw_caps = text;
  g_free(text);
  gst_caps_unref(hdr);
  ASSERT_EQ(
      run_pipeline("appsrc name=src ! x265enc speed-preset=ultrafast ! video/x-h265,profile=main-10 ! h265parse ! "
                   "mp4mux ! filesink location=" +
                       path,
                   nullptr, nullptr, clip, raw_caps),
      "");
}

}  // namespace

// A real HEVC Main 10 HDR10 file decodes, goes through rife as I420_10LE with nothing converting next
// to it, and is encoded again as Main 10 at twice the rate with the same HDR metadata in the
// bitstream; P010 (what hardware decoders give) interpolates to the same frames.
TEST(DeepFile, AnHevcMain10Hdr10FileStaysTenBitAndHdrThroughRifeAndX265) {
  ScratchDir dir;
  ASSERT_FALSE(dir.path.empty());
  const int kFrames = kClipFrames;
  const std::string in = dir.path + "/in.mp4", out = dir.path + "/out.mp4";
  const std::string model = " device=cpu model-path=" + rife_test::fixture_model();
  write_hdr10_clip(in);
  std::string rife_sink, rife_src;
  ASSERT_EQ(run_pipeline("filesrc location=" + in + " ! decodebin ! rife name=r" + model +
                             " ! x265enc speed-preset=ultrafast ! h265parse ! mp4mux ! filesink location=" + out,
                         &rife_sink, &rife_src),
            "");
  EXPECT_EQ(field_of(rife_sink, "format"), "I420_10LE") << "rife took the decoder's 10-bit frames: " << rife_sink;
  EXPECT_EQ(field_of(rife_src, "format"), "I420_10LE") << rife_src;

  // The stream written: Main 10, 50 fps, (N - 1) x 2 + 1 frames, decoded back as 10-bit.
  std::string parsed;
  const auto access_units = rife_test::run_to_appsink(
      "filesrc location=" + out + " ! qtdemux ! h265parse ! video/x-h265,alignment=au ! appsink name=sink sync=false",
      &parsed);
  EXPECT_EQ(field_of(parsed, "profile"), "main-10") << parsed;
  // What h265parse reads from the stream x265 wrote (its SEI and VUI): the source's HDR10 metadata.
  EXPECT_EQ(field_of(parsed, "colorimetry"), "bt2100-pq") << parsed;
  EXPECT_EQ(field_of(parsed, "mastering-display-info"), kMastering) << parsed;
  EXPECT_EQ(field_of(parsed, "content-light-level"), kLightLevel) << parsed;
  EXPECT_EQ(field_of(rife_sink, "mastering-display-info"), kMastering) << "the decoder's caps: " << rife_sink;
  EXPECT_EQ(field_of(rife_src, "mastering-display-info"), kMastering) << rife_src;
  std::string decoded_caps;
  const auto decoded = rife_test::run_to_appsink(
      "filesrc location=" + out + " ! decodebin ! appsink name=sink sync=false", &decoded_caps);
  EXPECT_EQ(int(decoded.size()), (kFrames - 1) * 2 + 1);
  EXPECT_EQ(int(access_units.size()), (kFrames - 1) * 2 + 1);
  EXPECT_EQ(field_of(decoded_caps, "format"), "I420_10LE") << decoded_caps;
  EXPECT_EQ(field_of(decoded_caps, "framerate"), "50/1") << decoded_caps;
  std::printf(
      "HEVC Main 10 HDR10 in -> rife (sink %s) -> x265: %s, %s, mastering display %s, light level %s, %zu "
      "frames at %s fps, decoded as %s\n",
      field_of(rife_sink, "format").c_str(), field_of(parsed, "profile").c_str(),
      field_of(parsed, "colorimetry").c_str(), field_of(parsed, "mastering-display-info").c_str(),
      field_of(parsed, "content-light-level").c_str(), decoded.size(), field_of(decoded_caps, "framerate").c_str(),
      field_of(decoded_caps, "format").c_str());

  // The same file as P010 (how NVDEC, VA-API, V4L2 decoders hand it out) gives the same frames.
  // (videoconvert's default dithering changes 10-bit samples by up to 1 even between two 10-bit
  // layouts; without it the P010 frames carry exactly the decoder's samples, so the outputs must match
  // exactly, stricter than the 1 LSB allowed.)
  std::string i420_caps, p010_caps;
  const auto via_i420 = rife_test::run_to_appsink(
      "filesrc location=" + in + " ! decodebin ! rife" + model + " ! appsink name=sink sync=false", &i420_caps);
  const auto via_p010 =
      rife_test::run_to_appsink("filesrc location=" + in +
                                    " ! decodebin ! videoconvert dither=none ! video/x-raw,format=P010_10LE ! "
                                    "rife" +
                                    model + " ! appsink name=sink sync=false",
                                &p010_caps);
  ASSERT_EQ(via_i420.size(), decoded.size());
  ASSERT_EQ(via_p010.size(), via_i420.size());
  const GstVideoInfo i420_info = info_of(i420_caps), p010_info = info_of(p010_caps);
  ASSERT_EQ(GST_VIDEO_INFO_FORMAT(&p010_info), GST_VIDEO_FORMAT_P010_10LE) << p010_caps;
  int worst = 0;
  for (size_t k = 1; k < via_i420.size(); k += 2) {
    GstBuffer* bi = gst_buffer_new_memdup(via_i420[k].bytes.data(), via_i420[k].bytes.size());
    GstBuffer* bp = gst_buffer_new_memdup(via_p010[k].bytes.data(), via_p010[k].bytes.size());
    const auto vi = code_values(i420_info, bi), vp = code_values(p010_info, bp);
    ASSERT_EQ(vi.size(), vp.size());
    for (size_t i = 0; i < vi.size(); ++i) worst = std::max(worst, std::abs(int(vi[i]) - int(vp[i])));
    EXPECT_EQ(stray_bits(p010_info, bp), 0) << "P010 output " << k;
    gst_buffer_unref(bi);
    gst_buffer_unref(bp);
  }
  EXPECT_EQ(worst, 0) << "interpolated frames through P010_10LE and I420_10LE, at 10 bits";
  std::printf("interpolated frames through P010_10LE vs I420_10LE: max difference %d code value(s) at 10 bits\n",
              worst);
}

// pipelines/file-to-file.sh keeps a 10-bit source 10-bit: HEVC Main 10 out of x265, twice the rate.
TEST(DeepFile, FileToFileShKeepsATenBitSourceTenBit) {
  const char* pipelines = std::getenv("RIFE_PIPELINES_DIR");
  ASSERT_NE(pipelines, nullptr) << "RIFE_PIPELINES_DIR (set by meson)";
  ScratchDir dir;
  const std::string in = dir.path + "/in.mp4", out = dir.path + "/out.mp4";
  write_hdr10_clip(in);
  const std::string command = "RIFE_PROPS='device=cpu model-path=" + rife_test::fixture_model() + "' bash " +
                              pipelines + "/file-to-file.sh " + in + " " + out + " > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::string parsed, decoded_caps;
  const auto access_units = rife_test::run_to_appsink(
      "filesrc location=" + out + " ! qtdemux ! h265parse ! video/x-h265,alignment=au ! appsink name=sink sync=false",
      &parsed);
  rife_test::run_to_appsink("filesrc location=" + out + " ! decodebin ! appsink name=sink sync=false", &decoded_caps);
  EXPECT_EQ(field_of(parsed, "profile"), "main-10") << parsed;
  EXPECT_EQ(int(access_units.size()), (kClipFrames - 1) * 2 + 1);
  EXPECT_EQ(field_of(decoded_caps, "format"), "I420_10LE") << decoded_caps;
  EXPECT_EQ(field_of(decoded_caps, "framerate"), "50/1") << decoded_caps;
  EXPECT_EQ(field_of(parsed, "mastering-display-info"), kMastering) << parsed;
}

namespace {

struct Scores {
  float worst_motion = 0, least_cut = 1;
  std::vector<float> consecutive;
};

Scores scene_scores(const std::vector<Converted>& clip, const std::vector<Converted>& cuts) {
  rife::Engine engine(cpu_engine());
  rife::FrameGeometry g;
  EXPECT_TRUE(rife_gst::geometry_of(clip[0].info, &g));
  engine.configure(g);
  auto prepare = [&](const Converted& c) {
    Mapped m(c, GST_MAP_READ);
    return engine.prepare(rife_gst::input_planes(m.frame));
  };
  Scores s;
  rife::FrameHandle prev;
  for (const auto& f : clip) {
    auto p = prepare(f);
    if (prev) s.consecutive.push_back(engine.difference(prev, p));
    prev = p;
  }
  s.worst_motion = *std::max_element(s.consecutive.begin(), s.consecutive.end());
  for (const auto& c : cuts) s.least_cut = std::min(s.least_cut, engine.difference(prev, prepare(c)));
  return s;
}

}  // namespace

// Scene-cut scores come from the network's [0, 1] RGB, so they do not depend on the depth: the
// car-turn clip made 10-bit scores as at 8 bits and the default threshold holds.
TEST(DeepSceneCuts, TheCarTurnClipMadeTenBitScoresAsAtEightBits) {
  const std::string small =
      " ! videoconvert ! videoscale ! video/x-raw,format=I420,width=160,height=96,colorimetry=bt601";
  const auto clip8 = rife_test::frames_of("filesrc location=" + rife_test::testdata("davis-car-turn/car-turn.mp4") +
                                          " ! decodebin" + small);
  ASSERT_EQ(clip8.size(), 81u);
  std::vector<Converted> cuts8;
  for (const char* scene : {"Beanbags", "Dimetrodon", "Grove2", "Hydrangea", "RubberWhale", "Urban2"}) {
    auto f = rife_test::frames_of(
        "filesrc location=" + rife_test::testdata(std::string("middlebury-other-interp/") + scene + "/frame10.png") +
        " ! pngdec" + small);
    ASSERT_EQ(f.size(), 1u) << scene;
    cuts8.push_back(f[0]);
  }
  std::vector<Converted> clip10, cuts10;
  for (const auto& f : clip8) clip10.push_back(rife_test::widened(f, GST_VIDEO_FORMAT_I420_10LE));
  for (const auto& f : cuts8) cuts10.push_back(rife_test::widened(f, GST_VIDEO_FORMAT_I420_10LE));
  // And as a user's pipeline makes it 10-bit: videoconvert's own 8 -> 10-bit conversion.
  const auto converted10 =
      rife_test::frames_of("filesrc location=" + rife_test::testdata("davis-car-turn/car-turn.mp4") + " ! decodebin" +
                           small + " ! videoconvert ! video/x-raw,format=I420_10LE");
  ASSERT_EQ(converted10.size(), 81u);

  const Scores s8 = scene_scores(clip8, cuts8), s10 = scene_scores(clip10, cuts10),
               sv = scene_scores(converted10, cuts10);
  float exact = 0, converted = 0;
  for (size_t i = 0; i < s8.consecutive.size(); ++i) {
    exact = std::max(exact, std::abs(s10.consecutive[i] - s8.consecutive[i]));
    converted = std::max(converted, std::abs(sv.consecutive[i] - s8.consecutive[i]));
  }
  std::printf(
      "car-turn at 160x96, I420 vs I420_10LE: largest difference between consecutive frames %.4f (8-bit) "
      "%.4f (x 4) %.4f (videoconvert); smallest cut to a Middlebury picture %.4f (8-bit) %.4f (10-bit); "
      "scores differ by at most %.2g (x 4), %.2g (videoconvert)\n",
      s8.worst_motion, s10.worst_motion, sv.worst_motion, s8.least_cut, s10.least_cut, exact, converted);
  EXPECT_LE(exact, 1e-4f) << "the same picture scores the same at 10 bits";
  EXPECT_LE(converted, 2e-3f) << "videoconvert's 10-bit clip scores as the 8-bit one within a hair";
  EXPECT_LT(s10.worst_motion, rife::kSceneCutThreshold) << "the default threshold sits above real motion at 10 bits";
  EXPECT_LT(sv.worst_motion, rife::kSceneCutThreshold);
  EXPECT_GT(s10.least_cut, rife::kSceneCutThreshold) << "and below real cuts";
}
