// A parameter table declares each parameter once: its specs carry the config
// struct's defaults, and reading validated params fills the config.
#include "stride/param_binding.h"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stride {
namespace {

struct Inner {
  double rate = 0.5;
  std::vector<int64_t> sizes = {8, 8};
};

struct Outer {
  bool flag = true;
  int count = 3;
  std::string mode = "fast";
  Inner inner = [] {
    Inner changed;
    changed.rate = 0.25;
    return changed;
  }();
};

const ParamBindings<Inner>& InnerTable() {
  static const auto* table = new ParamBindings<Inner>{
      InRange(Bind(&Inner::rate, "rate", "a rate"), 0.0, 1.0),
      Bind(&Inner::sizes, "sizes", "layer sizes"),
  };
  return *table;
}

ParamBindings<Outer> OuterTable() {
  return Concat(
      ParamBindings<Outer>{
          Bind(&Outer::flag, "flag", "a switch"),
          InRange(Bind(&Outer::count, "count", "how many"), 1, std::nullopt),
          OneOf(Bind(&Outer::mode, "mode", "how"), {"fast", "slow"}),
      },
      Nest(&Outer::inner, InnerTable()));
}

TEST(ParamBindingTest, SpecsCarryTheStructDefaultsTypesAndModifiers) {
  const std::vector<ParamSpec> specs = SpecsOf(OuterTable());
  ASSERT_EQ(specs.size(), 5u);
  EXPECT_EQ(specs[0].name, "flag");
  EXPECT_EQ(specs[0].type, ParamType::kBool);
  EXPECT_EQ(std::get<bool>(*specs[0].default_value), true);
  EXPECT_EQ(specs[1].type, ParamType::kInt);
  EXPECT_EQ(std::get<int64_t>(*specs[1].default_value), 3);
  EXPECT_EQ(specs[1].min, 1.0);
  EXPECT_EQ(specs[2].type, ParamType::kString);
  EXPECT_EQ(specs[2].choices, (std::vector<std::string>{"fast", "slow"}));
  EXPECT_EQ(specs[2].doc, "how");
  // a nested field's default is the outer struct's, not the inner struct's own
  EXPECT_EQ(specs[3].name, "rate");
  EXPECT_EQ(std::get<double>(*specs[3].default_value), 0.25);
  EXPECT_EQ(specs[3].max, 1.0);
  EXPECT_EQ(specs[4].type, ParamType::kIntList);
  EXPECT_EQ(std::get<std::vector<int64_t>>(*specs[4].default_value), (std::vector<int64_t>{8, 8}));
}

TEST(ParamBindingTest, ReadingParamsFillsEveryField) {
  Params params;
  params.Set("flag", false);
  params.Set("count", int64_t{7});
  params.Set("mode", std::string("slow"));
  params.Set("rate", 0.75);
  params.Set("sizes", std::vector<int64_t>{16});
  const Outer config = ReadConfig(OuterTable(), params);
  EXPECT_FALSE(config.flag);
  EXPECT_EQ(config.count, 7);
  EXPECT_EQ(config.mode, "slow");
  EXPECT_EQ(config.inner.rate, 0.75);
  EXPECT_EQ(config.inner.sizes, std::vector<int64_t>{16});
}

TEST(ParamBindingTest, TheDefaultsReadBackAsTheStructsDefaults) {
  Params params;
  for (const ParamSpec& spec : SpecsOf(OuterTable())) params.Set(spec.name, *spec.default_value);
  const Outer config = ReadConfig(OuterTable(), params);
  const Outer defaults;
  EXPECT_EQ(config.flag, defaults.flag);
  EXPECT_EQ(config.count, defaults.count);
  EXPECT_EQ(config.mode, defaults.mode);
  EXPECT_EQ(config.inner.rate, defaults.inner.rate);
  EXPECT_EQ(config.inner.sizes, defaults.inner.sizes);
}

// a required parameter has no default, nested or not
TEST(ParamBindingTest, ARequiredParameterStaysRequiredWhenNested) {
  const ParamBindings<Inner> inner = {Required(Bind(&Inner::rate, "rate", "a rate"))};
  EXPECT_FALSE(SpecsOf(inner)[0].default_value);
  EXPECT_FALSE(SpecsOf(Nest(&Outer::inner, inner))[0].default_value);
}

}  // namespace
}  // namespace stride
