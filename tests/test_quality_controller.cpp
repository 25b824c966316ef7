// The ensemble choice of ensemble=auto on its own: costs go in as the element measures them, modes
// come out. Times are in milliseconds of a made-up machine whose single pass costs `c`.
#include <gtest/gtest.h>

#include <random>

#include "quality_controller.h"

namespace {

using rife::Ensemble;
using rife_gst::QualityController;

constexpr double ms = 1e6;

// Runs `batches` batches of one frame with a budget of `budget` ms on a machine where the passes
// cost `single` ms each, with `scaling` the cost of k passes relative to k single passes (1: linear,
// as on a CPU; below 1: batching helps, as on a GPU); returns the modes chosen.
std::vector<Ensemble> run(QualityController& q, double budget, double single, int batches, double scaling = 1.0,
                          double noise = 0.0, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(1.0 - noise, 1.0 + noise);
  std::vector<Ensemble> modes;
  for (int i = 0; i < batches; ++i) {
    const Ensemble m = q.choose(budget * ms, 1);
    const int k = m == Ensemble::None ? 1 : m == Ensemble::Time ? 2 : 4;
    q.record(m, single * (k == 1 ? 1.0 : k * scaling) * jitter(rng) * ms, 1);
    modes.push_back(m);
  }
  return modes;
}

}  // namespace

TEST(QualityController, WithoutADeadlineTheCeilingIsUsed) {
  QualityController q;
  q.reset(Ensemble::TimeFlip);
  EXPECT_EQ(q.choose(0, 1), Ensemble::TimeFlip);
  q.reset(Ensemble::Time);
  EXPECT_EQ(q.choose(0, 2), Ensemble::Time);
}

TEST(QualityController, ALiveStreamStartsAtSinglePass) {
  QualityController q;
  q.reset(Ensemble::TimeFlip);
  EXPECT_EQ(q.choose(1000 * ms, 1), Ensemble::None) << "nothing measured yet";
}

TEST(QualityController, ALooseBudgetClimbsToTheBestModeOneStepAtATimeAndStays) {
  QualityController q;
  q.reset(Ensemble::TimeFlip);
  const auto modes = run(q, /*budget=*/100, /*single=*/5, 60);  // time+flip needs 20 of 100
  EXPECT_EQ(modes[5], Ensemble::None) << "not before up_after fitting batches";
  EXPECT_EQ(modes[12], Ensemble::Time);
  EXPECT_EQ(modes.back(), Ensemble::TimeFlip);
  EXPECT_EQ(q.switches(), 2u);
}

TEST(QualityController, ATightBudgetStaysAtSinglePass) {
  QualityController q;
  q.reset(Ensemble::TimeFlip);
  run(q, /*budget=*/25, /*single=*/10, 100);  // time would need 20 of 25: over half the budget
  EXPECT_EQ(q.current(), Ensemble::None);
  EXPECT_EQ(q.switches(), 0u);
}

TEST(QualityController, AMiddleBudgetTakesTheTimeEnsembleOnly) {
  QualityController q;
  q.reset(Ensemble::TimeFlip);
  run(q, /*budget=*/50, /*single=*/10, 100);  // time 20 fits in 25; time+flip 40 does not
  EXPECT_EQ(q.current(), Ensemble::Time);
  EXPECT_EQ(q.switches(), 1u);
}

TEST(QualityController, WhenTheLoadRisesItStepsDownWithinTwoBatches) {
  QualityController q;
  q.reset(Ensemble::TimeFlip);
  run(q, 100, 5, 40);
  ASSERT_EQ(q.current(), Ensemble::TimeFlip);
  const auto modes = run(q, 100, 25, 3);  // five times slower: time+flip needs 100 of 100
  EXPECT_EQ(modes[2], Ensemble::Time) << "time needs 50: within half the budget";
  run(q, 100, 50, 3);  // now time needs 100 too, single pass 50
  EXPECT_EQ(q.current(), Ensemble::None);
}

TEST(QualityController, NoiseNearABoundaryDoesNotMakeItFlap) {
  QualityController q;
  q.reset(Ensemble::TimeFlip);
  // Time needs 2 x 12 = 24 of 50 (fits, just), time+flip 48: +-25 % noise on every batch.
  run(q, 50, 12, 2000, 1.0, 0.25, 7);
  EXPECT_LE(q.switches(), 3u);
}

TEST(QualityController, LearnsThatBatchingMakesEnsemblesCheaper) {
  QualityController q;
  q.reset(Ensemble::TimeFlip);
  // A GPU-like machine: 4 passes cost 2 single passes. With linear costs time+flip (40 of 50) would
  // never fit in half the budget; measured, it costs 20 and does.
  run(q, 50, 10, 200, 0.5);
  EXPECT_EQ(q.current(), Ensemble::TimeFlip);
  EXPECT_NEAR(q.estimate_ns(Ensemble::TimeFlip, 1) / ms, 20.0, 2.0);
}
