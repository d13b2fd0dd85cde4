// The docs stay true to the code: every snippet of docs/plugins.md that names a
// file is in that file verbatim, its header table lists every public header,
// and docs/experiment_keys.md lists the framework's keys as they are declared.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "stride/experiment.h"
#include "stride/params.h"

namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Snippet {
  // the file the snippet's first line names, relative to the repository
  std::string file;
  // the lines after that one
  std::string text;
};

// the file a snippet's first line names: "// path", "# path" or "<!-- path -->"
std::string NamedFile(const std::string& line) {
  for (const std::string& open : {"// ", "# ", "<!-- "}) {
    if (line.rfind(open, 0) != 0) continue;
    std::string file = line.substr(open.size());
    if (open == "<!-- " && file.size() > 4) file.resize(file.size() - 4);
    if (file.find('/') != std::string::npos && file.find(' ') == std::string::npos &&
        fs::exists(fs::path(STRIDE_SOURCE_DIR) / file)) {
      return file;
    }
  }
  return "";
}

// the fenced code blocks of a markdown text whose first line names a file
std::vector<Snippet> FileSnippets(const std::string& markdown) {
  std::vector<Snippet> snippets;
  std::stringstream lines(markdown);
  std::string line;
  bool in_block = false;
  bool first_line = false;
  Snippet current;
  while (std::getline(lines, line)) {
    const bool fence = line.find_first_not_of(' ') != std::string::npos &&
                       line.substr(line.find_first_not_of(' ')).rfind("```", 0) == 0;
    if (fence) {
      if (in_block && !current.file.empty()) snippets.push_back(current);
      in_block = !in_block;
      first_line = in_block;
      current = Snippet();
      continue;
    }
    if (!in_block) continue;
    if (first_line) {
      current.file = NamedFile(line);
      first_line = false;
      if (!current.file.empty()) continue;
    }
    current.text += line + "\n";
  }
  return snippets;
}

TEST(GuideTest, EverySnippetThatNamesAFileIsInThatFile) {
  const std::vector<Snippet> snippets =
      FileSnippets(ReadFile(fs::path(STRIDE_SOURCE_DIR) / "docs/plugins.md"));
  EXPECT_GE(snippets.size(), 6u);
  for (const Snippet& snippet : snippets) {
    const std::string file = ReadFile(fs::path(STRIDE_SOURCE_DIR) / snippet.file);
    EXPECT_NE(file.find(snippet.text), std::string::npos)
        << "docs/plugins.md quotes " << snippet.file << " wrongly:\n"
        << snippet.text;
  }
}

TEST(GuideTest, TheHeaderTableListsEveryPublicHeader) {
  const std::string guide = ReadFile(fs::path(STRIDE_SOURCE_DIR) / "docs/plugins.md");
  const fs::path headers = fs::path(STRIDE_SOURCE_DIR) / "framework/include/stride";
  int count = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(headers)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".in") == 0)
      name.resize(name.size() - 3);
    EXPECT_NE(guide.find("| `stride/" + name + "` |"), std::string::npos) << name;
    // and each says what it is for in its first line
    EXPECT_EQ(ReadFile(entry.path()).rfind("// ", 0), 0u) << name;
    ++count;
  }
  EXPECT_GE(count, 13);
}

// each table's section: its heading, then the declared keys as a table
TEST(GuideTest, ExperimentKeysAreListedAsDeclared) {
  const std::string keys = ReadFile(fs::path(STRIDE_SOURCE_DIR) / "docs/experiment_keys.md");
  const std::vector<std::pair<std::string, std::vector<stride::ParamSpec>>> tables = {
      {"[experiment]", stride::ExperimentTableSpec()},
      {"[environment]", stride::EnvironmentTableSpec()},
      {"[[reward]]", stride::RewardTableSpec()},
      {"[algorithm]", stride::AlgorithmTableSpec()},
      {"[evaluation]", stride::EvaluationTableSpec()},
  };
  for (const auto& [name, specs] : tables) {
    const std::string section = "## `" + name + "`\n\n" + stride::ParamTable(specs);
    EXPECT_NE(keys.find(section), std::string::npos) << "docs/experiment_keys.md lacks\n"
                                                     << section;
  }
}

}  // namespace
