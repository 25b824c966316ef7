// rife-convert's parts one by one, with the real installed GStreamer elements: the command line,
// the progress meter, the container an extension names, the encoder --encoder picks and how its
// constant quality is set, the format rife is given, the temporary output file.
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "container.h"
#include "encoders.h"
#include "input_probe.h"
#include "options.h"
#include "partial_file.h"
#include "progress.h"
#include "rife_formats.h"

using namespace rife_convert;

namespace {

Parsed parse(std::vector<const char*> args) {
  args.insert(args.begin(), "rife-convert");
  return parse_arguments(int(args.size()), args.data());
}

std::string value_of(const PropertySettings& settings, const std::string& name) {
  for (const auto& [n, v] : settings)
    if (n == name) return v;
  return "(unset)";
}

Container container(const std::string& file) {
  Container c;
  std::string error;
  EXPECT_TRUE(container_for(file, &c, &error)) << error;
  return c;
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

TEST(Options, RatesAreFractionsAndTheNtscDecimalsMeanK1000Over1001) {
  Fraction f;
  ASSERT_TRUE(parse_rate("60", &f));
  EXPECT_EQ(f.num, 60);
  EXPECT_EQ(f.den, 1);
  ASSERT_TRUE(parse_rate("59.94", &f));
  EXPECT_EQ(f.num, 60000);
  EXPECT_EQ(f.den, 1001);
  ASSERT_TRUE(parse_rate("23.976", &f));
  EXPECT_EQ(f.num, 24000);
  EXPECT_EQ(f.den, 1001);
  ASSERT_TRUE(parse_rate("12.5", &f));
  EXPECT_EQ(f.num, 25);
  EXPECT_EQ(f.den, 2);
  ASSERT_TRUE(parse_rate("60000/1001", &f));
  EXPECT_EQ(f.num, 60000);
  for (const char* bad : {"", "0", "-5", "abc", "60/0", "1/x", "5000"}) EXPECT_FALSE(parse_rate(bad, &f)) << bad;
}

TEST(Options, DefaultsAndEveryOption) {
  Parsed p = parse({"in.mp4", "out.mkv"});
  ASSERT_TRUE(p.error.empty()) << p.error;
  EXPECT_EQ(p.options.quality, kDefaultQuality);
  EXPECT_EQ(p.options.encoder, "auto");
  EXPECT_DOUBLE_EQ(p.options.factor, 2.0);
  p = parse({"--rate", "60", "in.mp4", "out.mkv", "--quality", "30", "--encoder", "x265enc", "--set", "scale=1",
             "--set", "ensemble=time", "--encoder-set", "speed-preset=slow", "--quiet", "--overwrite"});
  ASSERT_TRUE(p.error.empty()) << p.error;
  EXPECT_TRUE(p.options.rate_given);
  EXPECT_EQ(p.options.rate.num, 60);
  EXPECT_EQ(p.options.quality, 30);
  EXPECT_EQ(p.options.encoder, "x265enc");
  ASSERT_EQ(p.options.rife_properties.size(), 2u);
  EXPECT_EQ(p.options.rife_properties[1].first, "ensemble");
  EXPECT_EQ(p.options.rife_properties[1].second, "time");
  ASSERT_EQ(p.options.encoder_settings.size(), 1u);
  EXPECT_TRUE(p.options.quiet && p.options.overwrite);
  EXPECT_TRUE(parse({"--help"}).help);
}

TEST(Options, EachBadArgumentIsOneLine) {
  const std::vector<std::vector<const char*>> bad = {
      {"in.mp4"},
      {"a", "b", "c"},
      {"in.mp4", "out.mp4", "--rate", "60", "--factor", "3"},
      {"in.mp4", "out.mp4", "--quality", "52"},
      {"in.mp4", "out.mp4", "--quality", "x"},
      {"in.mp4", "out.mp4", "--factor", "0.5"},
      {"in.mp4", "out.mp4", "--set", "scale"},
      {"in.mp4", "out.mp4", "--set"},
      {"in.mp4", "out.mp4", "--wobble"},
      {"in.mp4", "out.mp4", "--progress-interval", "0"},
  };
  for (const auto& args : bad) {
    const Parsed p = parse(args);
    EXPECT_FALSE(p.error.empty()) << args.back();
    EXPECT_EQ(p.error.find('\n'), std::string::npos) << p.error;
  }
}

TEST(Progress, PercentRisesToBelow100UntilTheEndAndEtaFollowsTheRecentRate) {
  ProgressMeter meter(161);
  double last = -1;
  for (int s = 1; s <= 40; ++s) {
    meter.update(s, uint64_t(s * 4));  // 4 frames/s
    EXPECT_GE(meter.percent(), last);
    EXPECT_LT(meter.percent(), 100.0);
    last = meter.percent();
  }
  EXPECT_NEAR(meter.fps(), 4.0, 1e-9);
  EXPECT_NEAR(meter.eta_s(), 1.0 / 4.0, 1e-9);  // 160 of 161 done
  meter.update(41, 170);                        // more frames than the estimate: still below 100 until finish()
  EXPECT_LT(meter.percent(), 100.0);
  meter.finish(42, 171);
  EXPECT_DOUBLE_EQ(meter.percent(), 100.0);
  EXPECT_NE(meter.line().find("171/171 frames"), std::string::npos) << meter.line();
  EXPECT_NE(meter.line().find("100.0 %"), std::string::npos) << meter.line();

  ProgressMeter unknown(0);
  unknown.update(1, 10);
  EXPECT_LT(unknown.eta_s(), 0);
  EXPECT_EQ(unknown.line().find('%'), std::string::npos) << unknown.line();

  ProgressMeter stopped(161);
  stopped.update(5, 40);
  stopped.finish(6, 51, /*complete=*/false);
  EXPECT_NEAR(stopped.percent(), 100.0 * 51 / 161, 1e-9) << "what was written, of the expected total";
  EXPECT_EQ(format_duration(7), "0:07");
  EXPECT_EQ(format_duration(754), "12:34");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "--:--");
}

TEST(Progress, ExpectedFramesAreNMinusOneTimesTheRatioPlusOne) {
  EXPECT_EQ(expected_output_frames(3240 * GST_MSECOND, {25, 1}, {50, 1}), 161u);  // car-turn: 81 frames
  EXPECT_EQ(expected_output_frames(10 * GST_SECOND, {24, 1}, {60, 1}), 598u);     // 240 frames: 239 * 2.5 + 1
  EXPECT_EQ(expected_output_frames(GST_CLOCK_TIME_NONE, {25, 1}, {50, 1}), 0u);
  EXPECT_EQ(expected_output_frames(GST_SECOND, {0, 1}, {0, 1}), 0u);
}

TEST(Container, TheExtensionNamesTheMuxer) {
  EXPECT_STREQ(container("out.mp4").muxer_name(), "mp4mux");
  EXPECT_STREQ(container("OUT.MP4").muxer_name(), "mp4mux");
  EXPECT_STREQ(container("a/b.c/out.mov").muxer_name(), "qtmux");
  EXPECT_STREQ(container("out.mkv").muxer_name(), "matroskamux");
  EXPECT_STREQ(container("out.webm").muxer_name(), "webmmux");
  EXPECT_STREQ(container("out.avi").muxer_name(), "avimux");
  const Container ts = container("out.ts");  // from the type finders; muxers offer two packet sizes
  EXPECT_STREQ(ts.muxer_name(), "mpegtsmux");
  EXPECT_TRUE(gst_caps_is_fixed(ts.caps.get())) << caps_string(ts.caps.get());
  EXPECT_EQ(ts.description, "MPEG-2 Transport Stream");
  Container c;
  std::string error;
  EXPECT_FALSE(container_for("out.xyz", &c, &error));
  EXPECT_NE(error.find(".xyz"), std::string::npos) << error;
  EXPECT_NE(error.find("mkv"), std::string::npos) << "the error lists what works: " << error;
  EXPECT_FALSE(container_for("a.dir/out", &c, &error));
  EXPECT_NE(error.find("no extension"), std::string::npos) << error;
}

TEST(Container, WhatEachMuxerTakes) {
  const Container mp4 = container("x.mp4"), webm = container("x.webm");
  CapsPtr aac(gst_caps_from_string("audio/mpeg, mpegversion=(int)4, rate=(int)48000, channels=(int)2"));
  CapsPtr opus(gst_caps_from_string("audio/x-opus, rate=(int)48000, channels=(int)2"));
  EXPECT_TRUE(mp4.accepts(aac.get()));
  EXPECT_FALSE(webm.accepts(aac.get()));
  EXPECT_TRUE(webm.accepts(opus.get()));
  CapsPtr mp4_encode = audio_encoding_format(mp4), webm_encode = audio_encoding_format(webm);
  ASSERT_TRUE(mp4_encode && webm_encode);
  EXPECT_TRUE(gst_structure_has_name(gst_caps_get_structure(mp4_encode.get(), 0), "audio/mpeg"));
  EXPECT_TRUE(gst_structure_has_name(gst_caps_get_structure(webm_encode.get(), 0), "audio/x-opus"));
  CapsPtr parsed(gst_caps_from_string(
      "audio/mpeg, mpegversion=(int)4, framed=(boolean)true, stream-format=(string)raw, codec_data=(buffer)1190, "
      "rate=(int)48000, channels=(int)2"));
  CapsPtr copy = copy_format(parsed.get());
  const GstStructure* s = gst_caps_get_structure(copy.get(), 0);
  EXPECT_FALSE(gst_structure_has_field(s, "codec_data") || gst_structure_has_field(s, "framed") ||
               gst_structure_has_field(s, "stream-format"));
  EXPECT_TRUE(gst_structure_has_field(s, "rate"));
}

TEST(Encoders, ConstantQualityOnEachScale) {
  EXPECT_EQ(value_of(constant_quality_settings("x264enc", 20), "pass"), "qual");
  EXPECT_EQ(value_of(constant_quality_settings("x264enc", 20), "quantizer"), "20");
  EXPECT_EQ(value_of(constant_quality_settings("x264enc", 51), "quantizer"), "50") << "x264enc stops at 50";
  EXPECT_EQ(value_of(constant_quality_settings("x265enc", 28), "option-string"), "crf=28");
  EXPECT_EQ(value_of(constant_quality_settings("vp9enc", 51), "cq-level"), "63");
  EXPECT_EQ(value_of(constant_quality_settings("vp9enc", 20), "cq-level"), "25");
  EXPECT_EQ(value_of(constant_quality_settings("nvh264enc", 23), "qp-const"), "23");
  EXPECT_EQ(value_of(constant_quality_settings("vah265enc", 23), "rate-control"), "cqp");
  EXPECT_TRUE(constant_quality_settings("someenc", 20).empty());
}

TEST(Encoders, SettingsAreCheckedAgainstTheElement) {
  auto* x264 = GST_ELEMENT(gst_object_ref_sink(gst_element_factory_make("x264enc", nullptr)));
  ASSERT_TRUE(x264);
  std::string error;
  ASSERT_TRUE(apply_settings(G_OBJECT(x264), constant_quality_settings("x264enc", 18), &error)) << error;
  guint quantizer = 0;
  gint pass = 0;
  g_object_get(x264, "quantizer", &quantizer, "pass", &pass, nullptr);
  EXPECT_EQ(quantizer, 18u);
  EXPECT_EQ(pass, 5) << "pass=qual (constant quality)";
  EXPECT_FALSE(apply_settings(G_OBJECT(x264), {{"no-such-property", "1"}}, &error));
  EXPECT_NE(error.find("no-such-property"), std::string::npos) << error;
  EXPECT_FALSE(apply_settings(G_OBJECT(x264), {{"pass", "fastest"}}, &error));
  EXPECT_NE(error.find("fastest"), std::string::npos) << error;
  gst_object_unref(x264);
}

TEST(Encoders, AutoFallsBackToSoftwareWhenNoHardwareEncoderWorks) {
  VideoNeeds needs;
  needs.width = 320;
  needs.height = 180;
  VideoEncoder e;
  std::string error;
  ASSERT_TRUE(choose_video_encoder("auto", container("x.mp4"), needs, &e, &error)) << error;
  // This machine has no GPU: if a hardware encoder is installed it must fail its two-frame probe.
  EXPECT_STREQ(e.name(), "x264enc");
  EXPECT_FALSE(e.hardware);
  EXPECT_NE(e.note.find("hardware"), std::string::npos) << e.note;
  EXPECT_EQ(value_of(e.settings, "pass"), "qual");
  ASSERT_TRUE(choose_video_encoder("auto", container("x.webm"), needs, &e, &error)) << error;
  EXPECT_STREQ(e.name(), "vp9enc");
  ASSERT_TRUE(choose_video_encoder("auto", container("x.mkv"), needs, &e, &error)) << error;
  EXPECT_STREQ(e.name(), "x264enc");
}

TEST(Encoders, TenBitFramesPickAnEncoderThatKeepsThem) {
  VideoNeeds needs;
  needs.width = 320;
  needs.height = 180;
  needs.high_depth = true;
  VideoEncoder e;
  std::string error;
  ASSERT_TRUE(choose_video_encoder("auto", container("x.mkv"), needs, &e, &error)) << error;
  EXPECT_STREQ(e.name(), "x265enc") << "H.265 Main 10 first for >8-bit frames";
  EXPECT_TRUE(e.keeps_high_depth);
  ASSERT_TRUE(e.restriction);
  CapsPtr i420_10(gst_caps_from_string("video/x-raw, format=(string)I420_10LE"));
  CapsPtr i420(gst_caps_from_string("video/x-raw, format=(string)I420"));
  EXPECT_TRUE(gst_caps_can_intersect(e.restriction.get(), i420_10.get()));
  EXPECT_FALSE(gst_caps_can_intersect(e.restriction.get(), i420.get())) << "encodebin must not convert to 8-bit";
}

TEST(Encoders, ANamedEncoderMustExistEncodeVideoAndFitTheContainer) {
  VideoNeeds needs;
  needs.width = 320;
  needs.height = 180;
  VideoEncoder e;
  std::string error;
  EXPECT_FALSE(choose_video_encoder("nosuchenc", container("x.mp4"), needs, &e, &error));
  EXPECT_NE(error.find("unknown encoder 'nosuchenc'"), std::string::npos) << error;
  if (!GstPtr<GstElementFactory>(gst_element_factory_find("nvh264enc"))) {
    EXPECT_FALSE(choose_video_encoder("nvh264enc", container("x.mp4"), needs, &e, &error));
    EXPECT_NE(error.find("unknown encoder 'nvh264enc'"), std::string::npos) << error;
  }
  EXPECT_FALSE(choose_video_encoder("identity", container("x.mp4"), needs, &e, &error));
  EXPECT_NE(error.find("not a video encoder"), std::string::npos) << error;
  EXPECT_FALSE(choose_video_encoder("x264enc", container("x.webm"), needs, &e, &error));
  EXPECT_NE(error.find("WebM"), std::string::npos) << error;
  ASSERT_TRUE(choose_video_encoder("x265enc", container("x.mp4"), needs, &e, &error)) << error;
  EXPECT_EQ(value_of(e.settings, "option-string"), "crf=20");
}

TEST(RifeFormats, TheElementsTemplateDecidesAndDepthIsKeptWhereItCanBe) {
  const std::vector<GstVideoFormat> formats = rife_input_formats();
  ASSERT_FALSE(formats.empty()) << "the rife element is not found (GST_PLUGIN_PATH)";
  std::string notice;
  EXPECT_EQ(format_for_rife(GST_VIDEO_FORMAT_I420, formats, &notice), GST_VIDEO_FORMAT_I420);
  EXPECT_TRUE(notice.empty());
  const GstVideoFormat ten = format_for_rife(GST_VIDEO_FORMAT_I420_10LE, formats, &notice);
  if (rife_takes_high_depth(formats)) {
    EXPECT_GT(GST_VIDEO_FORMAT_INFO_DEPTH(gst_video_format_get_info(ten), 0), 8u);
    EXPECT_TRUE(notice.empty()) << notice;
  } else {
    EXPECT_EQ(ten, GST_VIDEO_FORMAT_I420) << gst_video_format_to_string(ten);
    EXPECT_NE(notice.find("10-bit"), std::string::npos) << notice;
  }
  // The rule itself, on lists of formats: depth first, then YUV/RGB, then chroma subsampling.
  notice.clear();
  EXPECT_EQ(format_for_rife(GST_VIDEO_FORMAT_I420_10LE,
                            {GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_P010_10LE}, &notice),
            GST_VIDEO_FORMAT_P010_10LE);
  EXPECT_TRUE(notice.empty());
  EXPECT_EQ(format_for_rife(GST_VIDEO_FORMAT_Y444_10LE, {GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_Y444}, &notice),
            GST_VIDEO_FORMAT_Y444);
  EXPECT_NE(notice.find("8-bit"), std::string::npos);
  EXPECT_EQ(format_for_rife(GST_VIDEO_FORMAT_Y41B, {GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_I420}, &notice),
            GST_VIDEO_FORMAT_I420);
}

TEST(PartialFile, WrittenUnderAHiddenNameAndRenamedOnlyWhenDone) {
  char dir_template[] = "/tmp/rife-convert-test-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string out = dir + "/movie.mkv";
  std::string error;
  {
    auto file = PartialFile::create(out, false, &error);
    ASSERT_TRUE(file) << error;
    EXPECT_TRUE(exists(file->temporary_path()));
    EXPECT_NE(file->temporary_path().find("/.movie.mkv.partial-"), std::string::npos) << file->temporary_path();
    EXPECT_FALSE(exists(out));
    std::ofstream(file->temporary_path()) << "data";
    ASSERT_TRUE(file->commit(&error)) << error;
    EXPECT_TRUE(exists(out));
    EXPECT_FALSE(exists(file->temporary_path()));
  }
  EXPECT_FALSE(PartialFile::create(out, false, &error)) << "OUT exists";
  EXPECT_NE(error.find("--overwrite"), std::string::npos) << error;
  std::string temporary;
  {
    auto file = PartialFile::create(out, true, &error);
    ASSERT_TRUE(file) << error;
    temporary = file->temporary_path();
  }  // not committed: the temporary file goes, OUT stays as it was
  EXPECT_FALSE(exists(temporary));
  EXPECT_TRUE(exists(out));
  EXPECT_FALSE(PartialFile::create(dir + "/missing-folder/out.mkv", false, &error));
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
  EXPECT_FALSE(PartialFile::create(out + "/under-a-file.mkv", false, &error));
  EXPECT_NE(error.find("Not a directory"), std::string::npos) << error;
  EXPECT_FALSE(PartialFile::create(dir, true, &error));
  EXPECT_NE(error.find("folder"), std::string::npos) << error;
  std::remove(out.c_str());
  rmdir(dir.c_str());
}

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  gst_pb_utils_init();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
