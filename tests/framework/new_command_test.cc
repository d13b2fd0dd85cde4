// stride new: the files of each kind of plugin project, and every bad input an
// error with exit code 2. Building the projects is the SDK test's part
// (tests/sdk/sdk_test.sh).
#include <filesystem>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    files.insert(entry.path().filename().string());
  }
  return files;
}

TEST(NewCommandTest, EachKindWritesItsProjectWithTheNameFilledIn) {
  const std::string root = TempDir("new_kinds");
  const std::set<std::string> common = {".gitignore",   "CMakeLists.txt", "README.md",
                                        "example.toml", "foot_slip.cc",   "foot_slip_test.cc"};
  for (const std::string kind : {"reward", "environment", "algorithm"}) {
    const std::string dir = root + "/" + kind;
    CliResult result = RunStride("new " + kind + " foot_slip --dir " + dir);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("created " + kind + " plugin 'foot_slip' in " + dir));
    EXPECT_THAT(result.out, HasSubstr("cmake -B build -DCMAKE_PREFIX_PATH="));

    std::set<std::string> expected = common;
    if (kind == "environment") expected.insert("foot_slip.xml");
    EXPECT_EQ(FilesIn(dir), expected) << kind;
    for (const std::string& file : expected) {
      const std::string text = ReadFile(dir + "/" + file);
      EXPECT_THAT(text, Not(HasSubstr("{{name}}"))) << file;
      EXPECT_THAT(text, Not(HasSubstr("{{Name}}"))) << file;
      EXPECT_THAT(text, Not(HasSubstr("{{prefix}}"))) << file;
    }
    EXPECT_THAT(ReadFile(dir + "/CMakeLists.txt"), HasSubstr("stride_add_plugin(foot_slip "));
    EXPECT_THAT(ReadFile(dir + "/foot_slip.cc"), HasSubstr("\"foot_slip\""));
    EXPECT_THAT(ReadFile(dir + "/foot_slip_test.cc"), HasSubstr("TEST(FootSlipTest, "));
    EXPECT_THAT(ReadFile(dir + "/example.toml"), HasSubstr("plugin = \"foot_slip\""));
  }
}

TEST(NewCommandTest, TheDirectoryDefaultsToTheName) {
  const std::string cwd = TempDir("new_default_dir");
  // env -C: run in that directory
  CliResult result = RunStride("new reward slip", "-C " + cwd);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::is_regular_file(cwd + "/slip/slip.cc"));
}

TEST(NewCommandTest, AnExistingDirectoryIsNeverOverwritten) {
  const std::string dir = TempDir("new_existing");
  WriteFile(dir + "/notes.txt", "mine");
  CliResult result = RunStride("new reward slip --dir " + dir);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("'" + dir + "' already exists and is not empty"));
  EXPECT_EQ(FilesIn(dir), std::set<std::string>{"notes.txt"});
  // an empty directory is fine
  const std::string empty = TempDir("new_empty");
  EXPECT_EQ(RunStride("new reward slip --dir " + empty).exit_code, 0);
}

TEST(NewCommandTest, BadKindsAndNamesAreUsageErrors) {
  const std::string dir = TempDir("new_bad") + "/x";
  CliResult kind = RunStride("new rewad slip --dir " + dir);
  EXPECT_EQ(kind.exit_code, 2);
  EXPECT_THAT(kind.err, HasSubstr("unknown plugin kind 'rewad' (did you mean 'reward'?)"));
  for (const std::string name : {"FootSlip", "foot-slip", "2feet", "foot__slip", "slip_"}) {
    CliResult result = RunStride("new reward " + name + " --dir " + dir);
    EXPECT_EQ(result.exit_code, 2) << name;
    EXPECT_THAT(result.err, HasSubstr("plugin name '" + name + "' is not snake_case")) << name;
  }
  CliResult reserved = RunStride("new reward test --dir " + dir);
  EXPECT_EQ(reserved.exit_code, 2);
  EXPECT_THAT(reserved.err, HasSubstr("'test' is a target name CMake keeps for itself"));
  CliResult missing = RunStride("new reward");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("missing plugin name"));
  EXPECT_FALSE(fs::exists(dir));
}

TEST(NewCommandTest, ANameStrideAlreadyHasIsRefused) {
  CliResult result = RunStride("new reward alive_bonus --dir " + TempDir("new_taken") + "/x");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("reward plugin 'alive_bonus' exists already ("));
  EXPECT_THAT(result.err, HasSubstr("stride_rewards.so); choose another name"));
}

}  // namespace
}  // namespace stride::testing
