#include "stride/registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string_view>

#include <fmt/format.h>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "stride/algorithm.h"
#include "stride/environment.h"
#include "stride/error.h"
#include "stride/reward.h"
#include "stride/suggest.h"

namespace stride {
namespace {

namespace fs = std::filesystem;

// libraries stay loaded until the process ends: unloading code that registered
// LibTorch operators or MuJoCo plugins crashes at exit
std::vector<boost::dll::shared_library>& LoadedLibraries() {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  return *libraries;
}

std::vector<std::string> SplitPathList(const std::string& list) {
  std::vector<std::string> parts;
  std::stringstream stream(list);
  std::string part;
  while (std::getline(stream, part, ':')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// a plugin's build fingerprint, split into the stride build it names and the
// LibTorch version a plugin that links LibTorch adds (stride/plugin.h)
struct Fingerprint {
  // "stride 0.1.0; gcc 12.2; cxx11abi 1"
  std::string build;
  // "1.13.0"; empty for a plugin without LibTorch
  std::string libtorch;
};

Fingerprint SplitFingerprint(const std::string& text) {
  constexpr std::string_view kLibtorch = "; libtorch ";
  const size_t at = text.rfind(kLibtorch);
  if (at == std::string::npos) return {text, ""};
  return {text.substr(0, at), text.substr(at + kLibtorch.size())};
}

// "stride 0.1.0 (gcc 12.2, cxx11abi 1)" for "stride 0.1.0; gcc 12.2; cxx11abi 1"
std::string DescribeBuild(const std::string& build) {
  if (build.empty()) return "an unknown stride (no build fingerprint)";
  const size_t first = build.find("; ");
  if (first == std::string::npos) return build;
  std::string details = build.substr(first + 2);
  for (size_t at = details.find("; "); at != std::string::npos; at = details.find("; ", at)) {
    details.replace(at, 2, ", ");
  }
  return fmt::format("{} ({})", build.substr(0, first), details);
}

template <typename Factory, typename Made>
std::unique_ptr<Made> Make(const RegisteredPlugin& plugin, const Params& params) {
  const Factory& factory = std::get<Factory>(plugin.entry->factory);
  try {
    std::unique_ptr<Made> made = factory(params);
    if (!made) throw RuntimeError("the factory returned nothing");
    return made;
  } catch (const std::exception& e) {
    throw ConfigError(fmt::format("{} plugin '{}' ({}) failed to start: {}",
                                  PluginKindName(plugin.entry->kind()), plugin.entry->name,
                                  plugin.library, e.what()));
  } catch (...) {
    throw ConfigError(fmt::format("{} plugin '{}' ({}) failed to start with an unknown exception",
                                  PluginKindName(plugin.entry->kind()), plugin.entry->name,
                                  plugin.library));
  }
}

}  // namespace

std::vector<std::string> PluginRegistry::SearchPath(const std::vector<std::string>& plugin_dirs) {
  std::vector<std::string> path = plugin_dirs;
  if (const char* env = std::getenv("STRIDE_PLUGIN_PATH")) {
    for (const std::string& dir : SplitPathList(env)) path.push_back(dir);
  }
  const fs::path executable_dir = boost::dll::program_location().parent_path().string();
  const fs::path builtin = executable_dir.parent_path() / STRIDE_PLUGIN_SUBDIR;
  if (fs::is_directory(builtin)) path.push_back(builtin.string());
  return path;
}

void PluginRegistry::LoadSearchPath(const std::vector<std::string>& paths) {
  for (const std::string& entry : paths) {
    if (std::find(searched_.begin(), searched_.end(), entry) == searched_.end()) {
      searched_.push_back(entry);
    }
    std::error_code ec;
    const fs::file_status status = fs::status(entry, ec);
    if (!fs::exists(status)) {
      throw ConfigError(fmt::format("plugin path '{}' does not exist", entry));
    }
    if (fs::is_regular_file(status)) {
      LoadLibrary(entry);
      continue;
    }
    if (!fs::is_directory(status)) {
      throw ConfigError(
          fmt::format("plugin path '{}' is neither a directory nor a regular file", entry));
    }
    std::vector<fs::path> libraries;
    for (const fs::directory_entry& file : fs::directory_iterator(entry)) {
      if (file.path().extension() == ".so") libraries.push_back(file.path());
    }
    std::sort(libraries.begin(), libraries.end());
    for (const fs::path& library : libraries) LoadLibrary(library.string());
  }
}

void PluginRegistry::LoadLibrary(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw ConfigError(fmt::format("plugin library '{}' is not a regular file", path));
  }
  const std::string canonical = fs::canonical(path).string();
  if (std::find(libraries_.begin(), libraries_.end(), canonical) != libraries_.end()) return;

  // load, then read the plain manifest fields before touching any C++ type
  boost::dll::shared_library library;
  try {
    library.load(canonical, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw ConfigError(fmt::format("cannot load plugin library '{}': {}", canonical, e.what()));
  }
  if (!library.has(STRIDE_PLUGIN_MANIFEST_SYMBOL)) {
    throw ConfigError(fmt::format(
        "'{}' is not a stride plugin: it exports no '{}' (define one with STRIDE_PLUGIN)",
        canonical, STRIDE_PLUGIN_MANIFEST_SYMBOL));
  }
  // the first two fields keep their places in every plugin ABI version
  const auto& manifest = library.get<const StridePluginManifest>(STRIDE_PLUGIN_MANIFEST_SYMBOL);
  const Fingerprint fingerprint =
      SplitFingerprint(manifest.fingerprint ? manifest.fingerprint : "");
  if (manifest.abi_version != kPluginAbiVersion) {
    throw ConfigError(fmt::format(
        "plugin library '{}' was built against {} with plugin ABI version {}, but this is {} "
        "with plugin ABI version {}; rebuild it against the installed SDK",
        canonical, DescribeBuild(fingerprint.build), manifest.abi_version,
        DescribeBuild(STRIDE_BUILD_FINGERPRINT), kPluginAbiVersion));
  }
  if (fingerprint.build != STRIDE_BUILD_FINGERPRINT) {
    throw ConfigError(fmt::format(
        "plugin library '{}' was built against {}, but this is {}; rebuild it against the "
        "installed SDK",
        canonical, DescribeBuild(fingerprint.build), DescribeBuild(STRIDE_BUILD_FINGERPRINT)));
  }
  if (!fingerprint.libtorch.empty() && fingerprint.libtorch != STRIDE_TORCH_VERSION) {
    throw ConfigError(fmt::format(
        "plugin library '{}' was built against LibTorch {}, but this stride runs LibTorch {}; "
        "rebuild it against the installed SDK and its LibTorch",
        canonical, fingerprint.libtorch, STRIDE_TORCH_VERSION));
  }
  const std::vector<PluginEntry>* entries = nullptr;
  try {
    entries = manifest.entries();
  } catch (const std::exception& e) {
    throw ConfigError(
        fmt::format("plugin library '{}' failed to list its plugins: {}", canonical, e.what()));
  }

  // register its entries; a name may exist once per kind
  std::vector<RegisteredPlugin> registered = plugins_;
  for (const PluginEntry& entry : *entries) {
    for (const RegisteredPlugin& existing : registered) {
      if (existing.entry->kind() == entry.kind() && existing.entry->name == entry.name) {
        throw ConfigError(fmt::format("{} plugin '{}' is registered twice: by '{}' and by '{}'",
                                      PluginKindName(entry.kind()), entry.name, existing.library,
                                      canonical));
      }
    }
    registered.push_back({&entry, canonical});
  }
  plugins_ = std::move(registered);
  libraries_.push_back(canonical);
  LoadedLibraries().push_back(std::move(library));
}

std::vector<std::string> PluginRegistry::Names(PluginKind kind) const {
  std::vector<std::string> names;
  for (const RegisteredPlugin& plugin : plugins_) {
    if (plugin.entry->kind() == kind) names.push_back(plugin.entry->name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

const RegisteredPlugin& PluginRegistry::Find(PluginKind kind, const std::string& name) const {
  for (const RegisteredPlugin& plugin : plugins_) {
    if (plugin.entry->kind() == kind && plugin.entry->name == name) return plugin;
  }
  const std::vector<std::string> names = Names(kind);
  const std::string looked = searched_.empty()
                                 ? "no plugin directory was searched"
                                 : fmt::format("searched {}", fmt::join(searched_, ", "));
  throw ConfigError(
      fmt::format("unknown {} plugin '{}'{}; available: {} ({}; add a directory or library with "
                  "plugin_dirs = [\"...\"] in the experiment's [experiment] table or with "
                  "STRIDE_PLUGIN_PATH=DIR[:DIR...])",
                  PluginKindName(kind), name, DidYouMean(name, names),
                  names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")), looked));
}

std::unique_ptr<Environment> PluginRegistry::MakeEnvironment(const std::string& name,
                                                             const Params& params) const {
  return Make<EnvironmentFactory, Environment>(Find(PluginKind::kEnvironment, name), params);
}
std::unique_ptr<RewardTerm> PluginRegistry::MakeReward(const std::string& name,
                                                       const Params& params) const {
  return Make<RewardFactory, RewardTerm>(Find(PluginKind::kReward, name), params);
}
std::unique_ptr<Algorithm> PluginRegistry::MakeAlgorithm(const std::string& name,
                                                         const Params& params) const {
  return Make<AlgorithmFactory, Algorithm>(Find(PluginKind::kAlgorithm, name), params);
}

}  // namespace stride
