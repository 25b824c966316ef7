#include "prepared_frame.h"

namespace rife {

PairDifference compare_frames(const PreparedFrame& a, const PreparedFrame& b) {
  if (b.compared_with == a.serial) return b.compared;
  torch::NoGradGuard no_grad;
  const PairScores scores = compare(a.signature, b.signature);  // one device -> host copy
  b.compared = PairDifference{scores.cut, scores.still, scores.changed};
  b.compared_with = a.serial;
  return b.compared;
}

}  // namespace rife
