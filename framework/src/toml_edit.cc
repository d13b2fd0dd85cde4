#include "toml_edit.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "stride/error.h"
#include "stride/params.h"
#include "stride/suggest.h"

namespace stride {
namespace {

std::vector<std::string> Split(const std::string& key_path) {
  std::vector<std::string> parts;
  std::stringstream stream(key_path);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  return parts;
}

// the index of the [[reward]] named by plugin or index, or an error listing them
size_t FindReward(toml::array* rewards, const std::string& which, const std::string& where) {
  std::vector<std::string> names;
  for (size_t i = 0; rewards && i < rewards->size(); ++i) {
    const toml::table* reward = rewards->get(i)->as_table();
    const toml::node* plugin = reward ? reward->get("plugin") : nullptr;
    names.push_back(plugin ? plugin->value_or(std::string()) : "");
    if (which == names.back() || which == std::to_string(i)) return i;
  }
  throw ConfigError(fmt::format("{}: no [[reward]] '{}'{}; rewards: {}", where, which,
                                DidYouMean(which, names), fmt::join(names, ", ")));
}

// the table key_path points into and the key within it; reward terms by index or plugin
std::pair<toml::table*, std::string> Resolve(toml::table& doc, const std::string& key_path,
                                             const std::string& where) {
  const std::vector<std::string> parts = Split(key_path);
  const std::vector<std::string>& tables = TopLevelTables();
  if (parts.empty() || std::find(tables.begin(), tables.end(), parts[0]) == tables.end()) {
    const std::string first = parts.empty() ? "" : parts[0];
    throw ConfigError(fmt::format("{}: unknown table '{}'{}; tables: {}", where, first,
                                  DidYouMean(first, tables), fmt::join(tables, ", ")));
  }
  const bool reward = parts[0] == "reward";
  if (parts.size() != (reward ? 3u : 2u)) {
    throw ConfigError(
        fmt::format("{}: '{}' is not a key path: expected {}", where, key_path,
                    reward ? "reward.<index or plugin>.<key>, e.g. reward.ctrl_cost.weight"
                           : parts[0] + ".<key>"));
  }
  if (reward) {
    toml::array* rewards = doc["reward"].as_array();
    const size_t index = FindReward(rewards, parts[1], where);
    toml::table* table = rewards->get(index)->as_table();
    return {table, parts[2]};
  }
  if (!doc.contains(parts[0])) doc.insert(parts[0], toml::table{});
  toml::table* table = doc[parts[0]].as_table();
  if (!table) throw ConfigError(fmt::format("{}: '{}' is not a table", where, parts[0]));
  return {table, parts[1]};
}

}  // namespace

std::string Where(const toml::source_region& region, const std::string& fallback) {
  if (!region.path || region.path->empty()) return fallback;
  const std::string& path = *region.path;
  if (path.rfind(kOverridePrefix, 0) == 0) return path;
  return fmt::format("{}:{}:{}", path, region.begin.line, region.begin.column);
}

std::string NodeTypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    default:
      return "nothing";
  }
}

std::string Describe(const toml::node& node) {
  std::ostringstream out;
  if (node.is_string()) {
    out << FormatParamValue(std::string(*node.value<std::string>()));
  } else if (node.is_table()) {
    out << "a table";
  } else {
    node.visit([&out](const auto& n) { out << n; });
  }
  return fmt::format("{} {}", NodeTypeName(node), out.str());
}

const std::vector<std::string>& TopLevelTables() {
  static const std::vector<std::string> tables = {"experiment", "environment", "reward",
                                                  "algorithm", "evaluation"};
  return tables;
}

void SetKeyPath(toml::table& doc, const std::string& key_path, toml::node&& value,
                const std::string& where) {
  auto [table, key] = Resolve(doc, key_path, where);
  value.visit([&, table = table, key = key](auto&& node) {
    table->insert_or_assign(key, std::move(node));
  });
}

void RemoveKeyPath(toml::table& doc, const std::string& key_path, const std::string& where) {
  const std::vector<std::string> parts = Split(key_path);
  if (parts.size() == 2 && parts[0] == "reward") {
    toml::array* rewards = doc["reward"].as_array();
    rewards->erase(rewards->begin() + static_cast<long>(FindReward(rewards, parts[1], where)));
    return;
  }
  auto [table, key] = Resolve(doc, key_path, where);
  if (!table->erase(key)) {
    throw ConfigError(
        fmt::format("{}: cannot remove '{}': the experiment does not set it", where, key_path));
  }
}

void ApplyOverride(toml::table& doc, const std::string& override_text) {
  const std::string source = kOverridePrefix + override_text;
  const size_t eq = override_text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(
        fmt::format("{}: expected key.path=value, e.g. algorithm.clip_epsilon=0.1", source));
  }
  const std::string text = override_text.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse(std::string_view("value = " + text), std::string_view(source));
  } catch (const toml::parse_error&) {
    // a bare word: read it as a string
    parsed = toml::parse(std::string_view("value = " + FormatParamValue(text)),
                         std::string_view(source));
  }
  SetKeyPath(doc, override_text.substr(0, eq), std::move(*parsed.get("value")), source);
}

}  // namespace stride
