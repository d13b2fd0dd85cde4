#include "stride/params.h"

#include <gtest/gtest.h>

#include "stride/error.h"

namespace stride {
namespace {

TEST(ParamsTest, FormatsValuesAsToml) {
  EXPECT_EQ(FormatParamValue(true), "true");
  EXPECT_EQ(FormatParamValue(int64_t{42}), "42");
  EXPECT_EQ(FormatParamValue(2.0), "2.0");
  EXPECT_EQ(FormatParamValue(3e-4), "0.0003");
  EXPECT_EQ(FormatParamValue(std::string("a\"b")), "\"a\\\"b\"");
  EXPECT_EQ(FormatParamValue(std::vector<int64_t>{64, 64}), "[64, 64]");
  EXPECT_EQ(FormatParamValue(std::vector<std::string>{"x"}), "[\"x\"]");
}

TEST(ParamsTest, DescribesAllowedValues) {
  EXPECT_EQ(DescribeAllowed(InRange(DoubleParam("x", 0.5, ""), 0, 1)), "in [0, 1]");
  EXPECT_EQ(DescribeAllowed(InRange(IntParam("n", 1, ""), 1, std::nullopt)), ">= 1");
  EXPECT_EQ(DescribeAllowed(OneOf(StringParam("m", "a", ""), {"a", "b"})), "one of: a, b");
  EXPECT_EQ(DescribeAllowed(BoolParam("b", true, "")), "");
}

TEST(ParamsTest, RequiredHasNoDefault) {
  EXPECT_FALSE(Required(StringParam("model", "", "")).default_value.has_value());
}

TEST(ParamsTest, GettersCheckTheDeclaredType) {
  Params params({{"lr", 0.1}, {"n", int64_t{3}}});
  EXPECT_DOUBLE_EQ(params.GetDouble("lr"), 0.1);
  EXPECT_EQ(params.GetInt("n"), 3);
  EXPECT_THROW(params.GetInt("lr"), RuntimeError);
  EXPECT_THROW(params.GetDouble("missing"), RuntimeError);
}

}  // namespace
}  // namespace stride
