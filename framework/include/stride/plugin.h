// The plugin contract: each shared library exports one manifest.
//
// A plugin library defines a function returning its entries and names it once:
//
//   std::vector<stride::PluginEntry> Entries() {
//     return {stride::RewardEntry("alive_bonus", "constant reward per step",
//                                 {stride::DoubleParam("value", 1.0, "...")},
//                                 [](const stride::Params& p) { ... })};
//   }
//   STRIDE_PLUGIN(Entries)
//
// A library of many entries may instead register each beside its code, one
// line per entry, and list them all, by name, in its manifest:
//
//   stride::PluginEntry AliveBonusEntry() { return stride::RewardEntry(...); }
//   STRIDE_REGISTER(AliveBonusEntry)          // in alive_bonus.cc
//   STRIDE_PLUGIN_OF_REGISTERED()              // in one file of the library
//
// The host reads the manifest's plain fields (ABI version, build fingerprint)
// before it calls into any C++ code of the library, and refuses a mismatch.
// Build plugins with stride_add_plugin (find_package(stride)); docs/plugins.md
// is the guide to every kind of plugin.
#ifndef STRIDE_PLUGIN_H_
#define STRIDE_PLUGIN_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "stride/build_info.h"
#include "stride/params.h"

namespace stride {

class Environment;
class RewardTerm;
class Algorithm;

// bumped whenever a public interface changes layout or meaning
inline constexpr uint32_t kPluginAbiVersion = 5;

enum class PluginKind { kEnvironment, kReward, kAlgorithm };
const char* PluginKindName(PluginKind kind);

using EnvironmentFactory = std::function<std::unique_ptr<Environment>(const Params&)>;
using RewardFactory = std::function<std::unique_ptr<RewardTerm>(const Params&)>;
using AlgorithmFactory = std::function<std::unique_ptr<Algorithm>(const Params&)>;

struct PluginEntry {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  std::variant<EnvironmentFactory, RewardFactory, AlgorithmFactory> factory;

  PluginKind kind() const { return static_cast<PluginKind>(factory.index()); }
};

PluginEntry EnvironmentEntry(std::string name, std::string summary, std::vector<ParamSpec> params,
                             EnvironmentFactory factory);
PluginEntry RewardEntry(std::string name, std::string summary, std::vector<ParamSpec> params,
                        RewardFactory factory);
PluginEntry AlgorithmEntry(std::string name, std::string summary, std::vector<ParamSpec> params,
                           AlgorithmFactory factory);

}  // namespace stride

#define STRIDE_STRINGIFY_DETAIL(x) #x
#define STRIDE_STRINGIFY(x) STRIDE_STRINGIFY_DETAIL(x)

#if defined(__clang__)
#define STRIDE_COMPILER_ID "clang " __clang_version__
#elif defined(__GNUC__)
#define STRIDE_COMPILER_ID "gcc " STRIDE_STRINGIFY(__GNUC__) "." STRIDE_STRINGIFY(__GNUC_MINOR__)
#else
#define STRIDE_COMPILER_ID "unknown compiler"
#endif

// everything that must agree between stride and a plugin for C++ types to be
// shared, e.g. "stride 0.1.0; gcc 12.2; cxx11abi 1"
#define STRIDE_BUILD_FINGERPRINT                   \
  "stride " STRIDE_VERSION "; " STRIDE_COMPILER_ID \
  "; cxx11abi " STRIDE_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)

// A plugin that links LibTorch shares LibTorch types with stride too, so its
// fingerprint adds the LibTorch version it was compiled against ("...; libtorch
// 1.13.0"), which stride_add_plugin(... TORCH) defines as
// STRIDE_PLUGIN_LIBTORCH_VERSION. A plugin without LibTorch cannot know which
// LibTorch stride runs and does not depend on it, so it records none.
#ifdef STRIDE_PLUGIN_LIBTORCH_VERSION
#define STRIDE_PLUGIN_FINGERPRINT \
  STRIDE_BUILD_FINGERPRINT "; libtorch " STRIDE_PLUGIN_LIBTORCH_VERSION
#else
#define STRIDE_PLUGIN_FINGERPRINT STRIDE_BUILD_FINGERPRINT
#endif

// the one exported symbol; plain data first, C++ behind a function pointer.
// abi_version and fingerprint keep their places in every plugin ABI version,
// so stride can name the build of any plugin it refuses.
struct StridePluginManifest {
  uint32_t abi_version;
  const char* fingerprint;
  const std::vector<stride::PluginEntry>* (*entries)();
};

#define STRIDE_PLUGIN_MANIFEST_SYMBOL "stride_plugin_manifest"

namespace stride {
// the entry functions STRIDE_REGISTER added in this plugin library; hidden, so
// each library has its own list, defined by STRIDE_PLUGIN_OF_REGISTERED
__attribute__((visibility("hidden"))) std::vector<PluginEntry (*)()>& RegisteredEntryFunctions();
// every registered entry, sorted by name
__attribute__((visibility("hidden"))) std::vector<PluginEntry> RegisteredEntries();
}  // namespace stride

#define STRIDE_CONCAT_DETAIL(a, b) a##b
#define STRIDE_CONCAT(a, b) STRIDE_CONCAT_DETAIL(a, b)

// adds entry_function, a function returning a PluginEntry, to this library's
// manifest when the library loads
#define STRIDE_REGISTER(entry_function)                           \
  static const bool STRIDE_CONCAT(stride_registered_, __LINE__) = \
      (::stride::RegisteredEntryFunctions().push_back(&entry_function), true);

// the manifest of a library whose entries are registered with STRIDE_REGISTER
#define STRIDE_PLUGIN_OF_REGISTERED()                                          \
  std::vector<stride::PluginEntry (*)()>& stride::RegisteredEntryFunctions() { \
    static auto* functions = new std::vector<stride::PluginEntry (*)()>;       \
    return *functions;                                                         \
  }                                                                            \
  std::vector<stride::PluginEntry> stride::RegisteredEntries() {               \
    std::vector<stride::PluginEntry> entries;                                  \
    for (auto* entry_function : RegisteredEntryFunctions()) {                  \
      entries.push_back(entry_function());                                     \
    }                                                                          \
    std::sort(entries.begin(), entries.end(),                                  \
              [](const stride::PluginEntry& a, const stride::PluginEntry& b) { \
                return a.name < b.name;                                        \
              });                                                              \
    return entries;                                                            \
  }                                                                            \
  STRIDE_PLUGIN(stride::RegisteredEntries)

#define STRIDE_PLUGIN(entries_function)                                                    \
  static const std::vector<stride::PluginEntry>* StridePluginEntries() {                   \
    static const auto* entries = new std::vector<stride::PluginEntry>(entries_function()); \
    return entries;                                                                        \
  }                                                                                        \
  extern "C" __attribute__((visibility("default")))                                        \
  const StridePluginManifest stride_plugin_manifest = {                                    \
      stride::kPluginAbiVersion, STRIDE_PLUGIN_FINGERPRINT, &StridePluginEntries};

#endif  // STRIDE_PLUGIN_H_
