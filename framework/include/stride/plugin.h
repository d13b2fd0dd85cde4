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
// The host reads the manifest's plain fields (ABI version, build fingerprint)
// before it calls into any C++ code of the library, and refuses a mismatch.
// Build plugins with stride_add_plugin (find_package(stride)); docs/plugins.md
// is the guide to every kind of plugin.
#ifndef STRIDE_PLUGIN_H_
#define STRIDE_PLUGIN_H_

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
inline constexpr uint32_t kPluginAbiVersion = 4;

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

PluginEntry EnvironmentEntry(std::string name, std::string summary,
                             std::vector<ParamSpec> params, EnvironmentFactory factory);
PluginEntry RewardEntry(std::string name, std::string summary,
                        std::vector<ParamSpec> params, RewardFactory factory);
PluginEntry AlgorithmEntry(std::string name, std::string summary,
                           std::vector<ParamSpec> params, AlgorithmFactory factory);

}  // namespace stride

#define STRIDE_STRINGIFY_DETAIL(x) #x
#define STRIDE_STRINGIFY(x) STRIDE_STRINGIFY_DETAIL(x)

#if defined(__clang__)
#define STRIDE_COMPILER_ID "clang " __clang_version__
#elif defined(__GNUC__)
#define STRIDE_COMPILER_ID \
  "gcc " STRIDE_STRINGIFY(__GNUC__) "." STRIDE_STRINGIFY(__GNUC_MINOR__)
#else
#define STRIDE_COMPILER_ID "unknown compiler"
#endif

// everything that must agree between stride and a plugin for C++ types to be
// shared, e.g. "stride 0.1.0; gcc 12.2; cxx11abi 1"
#define STRIDE_BUILD_FINGERPRINT                  \
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

#define STRIDE_PLUGIN(entries_function)                                          \
  static const std::vector<stride::PluginEntry>* StridePluginEntries() {         \
    static const auto* entries = new std::vector<stride::PluginEntry>(entries_function()); \
    return entries;                                                              \
  }                                                                              \
  extern "C" __attribute__((visibility("default")))                              \
  const StridePluginManifest stride_plugin_manifest = {                          \
      stride::kPluginAbiVersion, STRIDE_PLUGIN_FINGERPRINT, &StridePluginEntries};

#endif  // STRIDE_PLUGIN_H_
