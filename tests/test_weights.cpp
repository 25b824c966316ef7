// Weight loading: official files load as users have them; every bad file is refused with a
// message that names the file and what is wrong.
#include <gtest/gtest.h>

#include "model_spec.h"
#include "rife_engine.h"
#include "state_dict.h"
#include "test_support.h"

using rife_test::fixture;

namespace {

rife::StateDict load_valid(const std::string& name) {
  const std::string path = fixture(name);
  return rife::validate_state_dict(rife::read_state_dict(path), rife::rife46_spec(), path);
}

std::string load_error(const std::string& name) {
  const std::string path = fixture(name);
  try {
    rife::validate_state_dict(rife::read_state_dict(path), rife::rife46_spec(), path);
  } catch (const rife::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << name << " loaded without error";
  return "";
}

void expect_same_tensors(const rife::StateDict& a, const rife::StateDict& b, double tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_LE((a[i].second - b[i].second).abs().max().item<double>(), tolerance) << a[i].first;
  }
}

}  // namespace

TEST(ModelSpec, Rife46HasTheOfficialTensorCountAndParameterCount) {
  const auto tensors = rife::rife46_spec().tensors();
  int64_t parameters = 0;
  for (const auto& t : tensors) {
    int64_t n = 1;
    for (auto d : t.shape) n *= d;
    parameters += n;
  }
  EXPECT_EQ(tensors.size(), 120u);
  EXPECT_EQ(parameters, 5306256);
}

TEST(ModelSpec, MatchesTheKeysAndOrderOfAPyTorchIFNetStateDict) {
  const auto raw = rife::read_state_dict(fixture("official_plain.pth"));
  const auto spec = rife::rife46_spec().tensors();
  ASSERT_EQ(raw.size(), spec.size());
  for (size_t i = 0; i < spec.size(); ++i) {
    EXPECT_EQ(raw[i].first, spec[i].key);
    EXPECT_EQ(std::vector<int64_t>(raw[i].second.sizes().begin(), raw[i].second.sizes().end()), spec[i].shape)
        << spec[i].key;
  }
}

TEST(ModelSpec, Rife425HasTheOfficialTensorCountAndParameterCount) {
  const auto tensors = rife::rife425_spec().tensors();
  int64_t parameters = 0;
  for (const auto& t : tensors) {
    int64_t n = 1;
    for (auto d : t.shape) n *= d;
    parameters += n;
  }
  EXPECT_EQ(tensors.size(), 158u);
  EXPECT_EQ(parameters, 5664776);
}

TEST(ModelSpec, Rife425AndLiteMatchTheKeysAndOrderOfPyTorchModules) {
  for (auto [file, spec] : {std::pair{"rife425_random.pth", &rife::rife425_spec()},
                            std::pair{"rife425_lite_random.pth", &rife::rife425_lite_spec()}}) {
    const auto raw = rife::read_state_dict(fixture(file));
    const auto want = spec->tensors();
    ASSERT_EQ(raw.size(), want.size()) << file;
    for (size_t i = 0; i < want.size(); ++i) {
      const std::string key = raw[i].first.rfind("module.", 0) == 0 ? raw[i].first.substr(7) : raw[i].first;
      EXPECT_EQ(key, want[i].key) << file;
      EXPECT_EQ(std::vector<int64_t>(raw[i].second.sizes().begin(), raw[i].second.sizes().end()), want[i].shape)
          << file << " " << key;
    }
  }
}

TEST(LoadWeights, OfficialOrderedDictWithModulePrefix) {
  expect_same_tensors(load_valid("official_module_prefix.pth"), load_valid("official_plain.pth"), 0.0);
}

TEST(LoadWeights, PlainDictWithoutPrefix) {
  expect_same_tensors(load_valid("plain_dict.pth"), load_valid("official_plain.pth"), 0.0);
}

TEST(LoadWeights, Fp16TensorsAreWidenedToFp32) {
  const auto half = load_valid("fp16.pth");
  for (const auto& [key, t] : half) EXPECT_EQ(t.scalar_type(), torch::kFloat32) << key;
  expect_same_tensors(half, load_valid("official_plain.pth"), 2e-3);
}

TEST(LoadWeights, TensorsSavedFromAGpuLoadOnTheCpu) {
  const auto gpu = load_valid("gpu_saved.pth");
  for (const auto& [key, t] : gpu) EXPECT_TRUE(t.device().is_cpu()) << key;
  expect_same_tensors(gpu, load_valid("official_plain.pth"), 0.0);
}

TEST(RejectWeights, MissingKeyNamesTheKeyAndItsShape) {
  const auto msg = load_error("missing_key.pth");
  EXPECT_NE(msg.find("missing_key.pth"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing key 'block2.convblock.3.conv.bias' (expected shape [96])"), std::string::npos) << msg;
}

TEST(RejectWeights, WrongShapeNamesTheKeyAndBothShapes) {
  const auto msg = load_error("wrong_shape.pth");
  EXPECT_NE(msg.find("'block1.conv0.0.0.weight' has shape [64, 11, 3, 3], expected [64, 12, 3, 3]"), std::string::npos)
      << msg;
}

TEST(RejectWeights, ExtraKeyIsNamed) {
  const auto msg = load_error("extra_key.pth");
  EXPECT_NE(msg.find("unexpected key 'block4.encode.weight' with shape [3]"), std::string::npos) << msg;
}

TEST(RejectWeights, NanValuesAreNamed) {
  const auto msg = load_error("nan_value.pth");
  EXPECT_NE(msg.find("'block0.lastconv.0.bias' contains NaN or Inf"), std::string::npos) << msg;
}

TEST(RejectWeights, IntegerTensorIsNamed) {
  const auto msg = load_error("int_dtype.pth");
  EXPECT_NE(msg.find("'block0.conv0.0.0.bias' has dtype Long"), std::string::npos) << msg;
}

TEST(RejectWeights, TruncatedArchive) {
  const auto msg = load_error("truncated.pth");
  EXPECT_NE(msg.find("truncated.pth: corrupt"), std::string::npos) << msg;
}

TEST(RejectWeights, RandomBytes) {
  const auto msg = load_error("random_bytes.pth");
  EXPECT_NE(msg.find("random_bytes.pth: not a torch.save archive"), std::string::npos) << msg;
}

TEST(RejectWeights, LegacyPickleSaysHowToResave) {
  const auto msg = load_error("legacy.pth");
  EXPECT_NE(msg.find("legacy (non-zip) torch.save format"), std::string::npos) << msg;
  EXPECT_NE(msg.find("torch.save(torch.load("), std::string::npos) << msg;
}

TEST(RejectWeights, EmptyFile) { EXPECT_NE(load_error("empty.pth").find("weights file is empty"), std::string::npos); }

TEST(RejectWeights, MissingFile) {
  EXPECT_NE(load_error("no_such_file.pth").find("no_such_file.pth: weights file not found"), std::string::npos);
}

TEST(RejectWeights, Directory) { EXPECT_NE(load_error("").find("is a directory"), std::string::npos); }

TEST(RejectWeights, ArchiveWithoutADict) {
  EXPECT_NE(load_error("not_a_dict.pth").find("holds no dict"), std::string::npos);
}

TEST(RejectWeights, CorruptPickleInsideAValidZip) {
  const auto msg = load_error("corrupt_pickle.pth");
  EXPECT_NE(msg.find("corrupt_pickle.pth: corrupt or unsupported torch.save archive"), std::string::npos) << msg;
}

TEST(RejectWeights, AbsurdShapeIsRefusedBeforeAnyAllocation) {
  const auto msg = load_error("absurd_shape.pth");
  EXPECT_NE(msg.find("absurd_shape.pth"), std::string::npos) << msg;
  EXPECT_NE(msg.find("tensor view [1099511627776, 1099511627776] exceeds its storage of 4 elements"), std::string::npos)
      << msg;
}

TEST(RejectWeights, HugeDeclaredStorageSizeIsRefusedBeforeAnyAllocation) {
  const auto msg = load_error("huge_declared_size.pth");
  EXPECT_NE(msg.find("declares 2147483647 elements but its record has 280000 bytes"), std::string::npos) << msg;
}

// Official Practical-RIFE checkpoints carry tensors that only training uses; the authors load them
// with strict=False. They are left out, counted, and nothing else is relaxed.
TEST(OfficialCheckpoints, TrainingOnlyTensorsAreIgnoredAndCounted) {
  const std::string path = fixture("rife425_with_training_tensors.pth");
  const auto model = rife::load_model(path, rife::ModelVersion::Auto);
  EXPECT_EQ(model.spec, &rife::rife425_spec());
  EXPECT_EQ(model.weights.size(), 158u);
  ASSERT_EQ(model.ignored.size(), 40u);
  for (const auto& key : model.ignored)
    EXPECT_TRUE(key.rfind("teacher.", 0) == 0 || key.rfind("caltime.", 0) == 0) << key;
  // The IFNet's tensors are those of the file without the extras.
  const auto plain = rife::load_model(fixture("rife425_random.pth"), rife::ModelVersion::Auto);
  expect_same_tensors(model.weights, plain.weights, 0.0);
}

TEST(OfficialCheckpoints, AKeyThatOnlyResemblesATrainingOnlyOneIsStillRefused) {
  const std::string path = fixture("rife425_resembling_training_key.pth");
  try {
    rife::load_model(path, rife::ModelVersion::Auto);
    ADD_FAILURE() << "loaded";
  } catch (const rife::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unexpected key 'block0.teacher.weight' with shape [3]"), std::string::npos)
        << e.what();
  }
}

TEST(OfficialCheckpoints, APlainFileIgnoresNothing) {
  EXPECT_TRUE(rife::load_model(fixture("official_plain.pth"), rife::ModelVersion::Auto).ignored.empty());
}
