// stride new reward|environment|algorithm NAME [--dir DIR]
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "stride/error.h"
#include "stride/registry.h"
#include "stride/suggest.h"
#include "templates.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kKinds = {"reward", "environment", "algorithm"};

// target names CMake keeps for itself
const std::vector<std::string> kReservedNames = {
    "all",           "clean",          "depend",
    "edit_cache",    "help",           "install",
    "install_local", "install_strip",  "list_install_components",
    "package",       "package_source", "rebuild_cache",
    "test"};

PluginKind KindOf(const std::string& kind) {
  if (kind == "reward") return PluginKind::kReward;
  if (kind == "environment") return PluginKind::kEnvironment;
  return PluginKind::kAlgorithm;
}

// a plugin name is snake_case, so it names the library, the CMake targets and
// the TOML entry alike: "foot_slip"
void CheckName(const std::string& name) {
  const bool snake_case =
      !name.empty() && name.size() <= 64 && name.front() >= 'a' && name.front() <= 'z' &&
      name.back() != '_' && name.find("__") == std::string::npos &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
  if (!snake_case) {
    throw ConfigError(fmt::format(
        "stride new: plugin name '{}' is not snake_case: a lowercase letter, then lowercase "
        "letters, digits and single underscores, at most 64 characters (e.g. foot_slip)",
        name));
  }
  if (std::find(kReservedNames.begin(), kReservedNames.end(), name) != kReservedNames.end()) {
    throw ConfigError(fmt::format(
        "stride new: plugin name '{}' is a target name CMake keeps for itself; choose another",
        name));
  }
}

// "foot_slip" -> "FootSlip"
std::string CamelCase(const std::string& name) {
  std::string camel;
  bool word_start = true;
  for (char c : name) {
    if (c == '_') {
      word_start = true;
      continue;
    }
    camel += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    word_start = false;
  }
  return camel;
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// the running executable
fs::path Executable() { return fs::read_symlink("/proc/self/exe"); }

// the prefix holding this stride's SDK (lib/cmake/stride), installed or the
// build tree; empty when there is none
std::string SdkPrefix() {
  const fs::path prefix = Executable().parent_path().parent_path();
  std::error_code ec;
  if (!fs::is_regular_file(prefix / "lib/cmake/stride/strideConfig.cmake", ec)) return "";
  return prefix.string();
}

// a directory that does not exist yet, or is empty
void CheckDirectory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) {
    throw ConfigError(
        fmt::format("stride new: '{}' exists and is not a directory; choose "
                    "another --dir",
                    dir.string()));
  }
  if (!fs::is_empty(dir, ec)) {
    throw ConfigError(
        fmt::format("stride new: '{}' already exists and is not empty; choose "
                    "another --dir, or remove it",
                    dir.string()));
  }
}

// a plugin of that kind and name would be registered twice next to the
// plugins stride finds now
void CheckUnused(const std::string& kind, const std::string& name) {
  PluginRegistry registry;
  registry.LoadSearchPath(PluginRegistry::SearchPath({}));
  for (const RegisteredPlugin& plugin : registry.plugins()) {
    if (plugin.entry->kind() == KindOf(kind) && plugin.entry->name == name) {
      throw ConfigError(
          fmt::format("stride new: {} plugin '{}' exists already ({}); choose "
                      "another name",
                      kind, name, plugin.library));
    }
  }
}

}  // namespace

int NewCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args("new", argv, {"--dir="});
  args.ExpectAtMost(2);
  const std::string& kind = args.Positional(0, "plugin kind (reward, environment or algorithm)");
  if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
    throw ConfigError(
        fmt::format("stride new: unknown plugin kind '{}'{}; expected reward, "
                    "environment or algorithm",
                    kind, DidYouMean(kind, kKinds)));
  }
  const std::string& name = args.Positional(1, "plugin name");
  CheckName(name);
  const fs::path dir = args.Value("--dir").value_or(name);
  CheckDirectory(dir);
  CheckUnused(kind, name);

  // the kind's templates and the common ones, with the name filled in
  const std::string prefix = SdkPrefix();
  std::vector<std::string> written;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw ConfigError(
        fmt::format("stride new: cannot create '{}': {}", dir.string(), ec.message()));
  }
  for (int i = 0; i < kNumTemplateFiles; ++i) {
    const std::string path = kTemplateFiles[i].path;
    const std::string folder = path.substr(0, path.find('/'));
    if (folder != kind && folder != "common") continue;
    // "reward/NAME.cc.in" -> "foot_slip.cc"
    std::string file = path.substr(folder.size() + 1, path.size() - folder.size() - 1 - 3);
    ReplaceAll(file, "NAME", name);
    std::string text = kTemplateFiles[i].text;
    ReplaceAll(text, "{{name}}", name);
    ReplaceAll(text, "{{Name}}", CamelCase(name));
    ReplaceAll(text, "{{prefix}}", prefix.empty() ? "<stride prefix>" : prefix);
    std::ofstream out(dir / file);
    out << text;
    if (!out) throw RuntimeError(fmt::format("cannot write '{}'", (dir / file).string()));
    written.push_back(file);
  }
  std::sort(written.begin(), written.end());

  std::printf("created %s plugin '%s' in %s:\n", kind.c_str(), name.c_str(), dir.c_str());
  for (const std::string& file : written) std::printf("  %s\n", file.c_str());
  std::printf(
      "build, test and run it:\n  cd %s\n  cmake -B build -DCMAKE_PREFIX_PATH=%s\n"
      "  cmake --build build && ctest --test-dir build\n  %s run example.toml\n",
      dir.c_str(), prefix.empty() ? "<stride prefix>" : prefix.c_str(), Executable().c_str());
  return 0;
}

}  // namespace stride::cli
