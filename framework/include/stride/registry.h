// Loads plugin libraries and creates plugins by kind and name.
//
// Libraries are loaded once, from one thread, at start-up, and never unloaded.
// Every failure is a ConfigError whose first sentence names the file.
#ifndef STRIDE_REGISTRY_H_
#define STRIDE_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "stride/plugin.h"

namespace stride {

class Environment;
class RewardTerm;
class Algorithm;

struct RegisteredPlugin {
  const PluginEntry* entry = nullptr;
  // canonical path of the library that registered it
  std::string library;
};

class PluginRegistry {
 public:
  // the search path: plugin_dirs (absolute), then STRIDE_PLUGIN_PATH, then the
  // plugin directory installed beside the running executable
  static std::vector<std::string> SearchPath(const std::vector<std::string>& plugin_dirs);

  // loads every *.so of each directory (or the library a path names)
  void LoadSearchPath(const std::vector<std::string>& paths);
  void LoadLibrary(const std::string& path);

  // throws a ConfigError listing the plugins of that kind, with a did-you-mean,
  // the directories searched and how to add one
  const RegisteredPlugin& Find(PluginKind kind, const std::string& name) const;
  const std::vector<RegisteredPlugin>& plugins() const { return plugins_; }
  std::vector<std::string> Names(PluginKind kind) const;

  // run the factory; exceptions become ConfigErrors naming the plugin
  std::unique_ptr<Environment> MakeEnvironment(const std::string& name, const Params& params) const;
  std::unique_ptr<RewardTerm> MakeReward(const std::string& name, const Params& params) const;
  std::unique_ptr<Algorithm> MakeAlgorithm(const std::string& name, const Params& params) const;

 private:
  std::vector<std::string> searched_;
  std::vector<std::string> libraries_;
  std::vector<RegisteredPlugin> plugins_;
};

}  // namespace stride

#endif  // STRIDE_REGISTRY_H_
