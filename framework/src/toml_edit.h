// TOML documents as experiments see them: where a node came from, what it
// holds, and edits by key path ("algorithm.clip_epsilon", "reward.ctrl_cost.weight").
#ifndef STRIDE_TOML_EDIT_H_
#define STRIDE_TOML_EDIT_H_

#include <string>
#include <vector>

#include <toml++/toml.h>

namespace stride {

// the source of a value that came from the command line: "--set key=value"
inline constexpr char kOverridePrefix[] = "--set ";

// "file:line:col", the override for a value from --set, or fallback
std::string Where(const toml::source_region& region, const std::string& fallback);
// "string \"ppo\"", "integer 3", "a table"
std::string Describe(const toml::node& node);
std::string NodeTypeName(const toml::node& node);

// the tables an experiment may hold
const std::vector<std::string>& TopLevelTables();

// stores value at key_path; the value keeps its source, errors start with where
void SetKeyPath(toml::table& doc, const std::string& key_path, toml::node&& value,
                const std::string& where);
// removes the key at key_path, or the reward term "reward.<index or plugin>"
void RemoveKeyPath(toml::table& doc, const std::string& key_path, const std::string& where);
// "key.path=value" from the command line
void ApplyOverride(toml::table& doc, const std::string& override_text);

}  // namespace stride

#endif  // STRIDE_TOML_EDIT_H_
