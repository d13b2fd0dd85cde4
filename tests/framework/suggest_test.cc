#include "stride/suggest.h"

#include <gtest/gtest.h>

namespace stride {
namespace {

TEST(SuggestTest, FindsTyposAndSwaps) {
  const std::vector<std::string> keys = {"clip_epsilon", "ent_coef", "vf_coef", "gamma"};
  EXPECT_EQ(ClosestMatch("clip_epsiln", keys), "clip_epsilon");
  EXPECT_EQ(ClosestMatch("gmama", keys), "gamma");
  EXPECT_EQ(ClosestMatch("vf_cof", keys), "vf_coef");
}

TEST(SuggestTest, StaysQuietForUnrelatedWords) {
  EXPECT_EQ(ClosestMatch("learning_rate", {"gamma", "vf_coef"}), std::nullopt);
  EXPECT_EQ(DidYouMean("zzz", {"biped"}), "");
  EXPECT_EQ(DidYouMean("bipd", {"biped", "pendulum"}), " (did you mean 'biped'?)");
}

}  // namespace
}  // namespace stride
