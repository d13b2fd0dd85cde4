// Every experiments/*.toml validates and runs for a few thousand steps.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ExperimentFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       fs::directory_iterator(std::string(STRIDE_SOURCE_DIR) + "/experiments")) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ExperimentFileTest : public ::testing::TestWithParam<std::string> {};

// every run validate lists trains and leaves a policy
TEST_P(ExperimentFileTest, ValidatesAndRunsBriefly) {
  const std::string& file = GetParam();
  const std::string out = TempDir("experiment_" + fs::path(file).stem().string());
  const std::string overrides = " --out " + out + " --set experiment.seeds=[0]";
  CliResult validate = RunStride("validate " + file + overrides);
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  int listed = 0;
  for (size_t at = validate.out.find("  run "); at != std::string::npos;
       at = validate.out.find("  run ", at + 1)) {
    ++listed;
  }
  CliResult run = RunStride("run " + file + overrides +
                            " --set experiment.total_steps=1 --set evaluation.episodes=2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  int policies = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    policies += entry.path().filename() == "policy.pt";
  }
  EXPECT_GE(listed, 1);
  EXPECT_EQ(policies, listed);
}

INSTANTIATE_TEST_SUITE_P(Experiments, ExperimentFileTest, ::testing::ValuesIn(ExperimentFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return fs::path(info.param).stem().string();
                         });

}  // namespace
}  // namespace stride::testing
