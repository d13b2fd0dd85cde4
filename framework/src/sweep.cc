// Experiment files expanded: every [[variant]] at every [sweep] grid point.
// Each expanded run is read from a fresh parse of the file, so every value,
// including the variant's and the grid's, keeps its file:line:col.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "experiment_document.h"
#include "stride/durable_file.h"
#include "stride/error.h"
#include "stride/params.h"
#include "stride/suggest.h"
#include "toml_edit.h"

namespace stride {
namespace {

namespace fs = std::filesystem;

// where a key was written, or its value when the key has no source
std::string KeyWhere(const toml::key& key, const toml::node& value, const std::string& fallback) {
  return Where(key.source().path ? key.source() : value.source(), fallback);
}

toml::table ParseToml(const std::string& text, const std::string& source) {
  try {
    return toml::parse(std::string_view(text), std::string_view(source));
  } catch (const toml::parse_error& e) {
    throw ConfigError(
        fmt::format("{}: TOML syntax error: {}", Where(e.source(), source), e.description()));
  }
}

// the keys that place and seed runs are shared by every variant
void CheckChangeable(const std::string& key_path, const std::string& where,
                     const std::string& what) {
  for (const char* fixed : {"experiment.name", "experiment.seeds", "experiment.output_dir"}) {
    if (key_path != fixed) continue;
    throw ConfigError(fmt::format(
        "{}: {} cannot change '{}': every variant shares the experiment's name, seeds and "
        "output_dir",
        where, what, key_path));
  }
}

// a value as it appears in a run directory's name
std::string Label(const toml::node& node) {
  if (auto s = node.value_exact<std::string>()) return *s;
  if (auto i = node.value_exact<int64_t>()) return fmt::format("{}", *i);
  if (auto d = node.value_exact<double>()) return fmt::format("{}", *d);
  if (auto b = node.value_exact<bool>()) return *b ? "true" : "false";
  std::vector<std::string> parts;
  if (const toml::array* array = node.as_array()) {
    for (const toml::node& element : *array) parts.push_back(Label(element));
  }
  return fmt::format("{}", fmt::join(parts, "_"));
}

// a value as TOML, for display
std::string Printed(const toml::node& node) {
  if (auto s = node.value_exact<std::string>()) return FormatParamValue(*s);
  if (const toml::array* array = node.as_array()) {
    std::vector<std::string> parts;
    for (const toml::node& element : *array) parts.push_back(Printed(element));
    return fmt::format("[{}]", fmt::join(parts, ", "));
  }
  if (node.is_table()) return "{...}";
  return Label(node);
}

// one [sweep] key: its values and where it was written
struct GridKey {
  std::string key_path;
  std::string where;
  size_t size = 0;
  toml::source_position position;
};

std::vector<GridKey> ReadSweep(const toml::table& doc, const std::string& source) {
  const toml::node* node = doc.get("sweep");
  if (!node) return {};
  const toml::table* sweep = node->as_table();
  if (!sweep) {
    throw ConfigError(
        fmt::format("{}: 'sweep' must be a table of \"key.path\" = [values...], e.g. "
                    "[sweep] \"algorithm.clip_epsilon\" = [0.1, 0.2, 0.3]",
                    Where(node->source(), source)));
  }
  std::vector<GridKey> grid;
  for (auto&& [key, values] : *sweep) {
    const std::string key_path(key.str());
    const std::string where = KeyWhere(key, values, source);
    const toml::array* array = values.as_array();
    if (!array || array->empty()) {
      throw ConfigError(fmt::format("{}: sweep '{}' must be a non-empty array of values, got {}",
                                    where, key_path, Describe(values)));
    }
    CheckChangeable(key_path, where, "[sweep]");
    for (const toml::node& value : *array) {
      if (!IsPlainName(Label(value))) {
        throw ConfigError(fmt::format(
            "{}: sweep value {} cannot name a run directory (letters, digits, '_', '-', '.'); "
            "give it a [[variant]] with a name instead",
            Where(value.source(), where), Printed(value)));
      }
    }
    grid.push_back({key_path, where, array->size(), key.source().begin});
  }
  // the order the file gives them in: the first key varies slowest
  std::sort(grid.begin(), grid.end(), [](const GridKey& a, const GridKey& b) {
    return a.position.line != b.position.line ? a.position.line < b.position.line
                                              : a.position.column < b.position.column;
  });
  return grid;
}

const std::vector<std::string>& VariantKeys() {
  static const std::vector<std::string> keys = {
      "name", "description", "environment", "algorithm", "evaluation", "reward", "remove", "set"};
  return keys;
}

// the [[variant]] names, checked: plain, unique, known keys only
std::vector<std::string> ReadVariants(const toml::table& doc, const std::string& source) {
  const toml::node* node = doc.get("variant");
  if (!node) return {};
  if (!node->is_array_of_tables()) {
    throw ConfigError(fmt::format("{}: 'variant' must be an array of tables: write [[variant]]",
                                  Where(node->source(), source)));
  }
  std::vector<std::string> names;
  for (const toml::node& element : *node->as_array()) {
    const toml::table& variant = *element.as_table();
    const std::string where = Where(variant.source(), source);
    for (auto&& [key, value] : variant) {
      const std::string name(key.str());
      const std::vector<std::string>& keys = VariantKeys();
      if (std::find(keys.begin(), keys.end(), name) != keys.end()) continue;
      const std::string suggestion = DidYouMean(name, keys);
      throw ConfigError(
          fmt::format("{}: unknown key 'variant.{}'{}", KeyWhere(key, value, where), name,
                      suggestion.empty() ? fmt::format("; allowed keys: {}", fmt::join(keys, ", "))
                                         : suggestion));
    }
    const toml::node* name_node = variant.get("name");
    if (!name_node) {
      throw ConfigError(fmt::format(
          "{}: missing required key 'variant.name' (string: names the variant's run directory)",
          where));
    }
    const std::string name_where = Where(name_node->source(), where);
    const auto name = name_node->value_exact<std::string>();
    if (!name || !IsPlainName(*name)) {
      throw ConfigError(fmt::format(
          "{}: 'variant.name' must be a plain name of letters, digits, '_', '-', '.', got {}",
          name_where, Describe(*name_node)));
    }
    if (std::find(names.begin(), names.end(), *name) != names.end()) {
      throw ConfigError(fmt::format("{}: variant '{}' is declared twice", name_where, *name));
    }
    names.push_back(*name);
  }
  return names;
}

// the variant's tables replace the experiment's, then remove, then set
void ApplyVariant(toml::table& run, toml::table& variant, const std::string& source,
                  std::vector<std::string>& settings) {
  const std::string where = Where(variant.source(), source);
  for (const char* name : {"environment", "algorithm", "evaluation"}) {
    toml::node* table = variant.get(name);
    if (!table) continue;
    if (!table->is_table()) {
      throw ConfigError(fmt::format("{}: 'variant.{}' must be a table; it replaces [{}]",
                                    Where(table->source(), where), name, name));
    }
    const toml::node* plugin = table->as_table()->get("plugin");
    settings.push_back(
        fmt::format("[{}] replaced{}", name, plugin ? " by plugin " + Printed(*plugin) : ""));
    run.insert_or_assign(name, std::move(*table->as_table()));
  }
  if (toml::node* rewards = variant.get("reward")) {
    if (!rewards->is_array_of_tables()) {
      throw ConfigError(
          fmt::format("{}: 'variant.reward' must be an array of tables: write [[variant.reward]]",
                      Where(rewards->source(), where)));
    }
    std::vector<std::string> plugins;
    for (const toml::node& reward : *rewards->as_array()) {
      const toml::node* plugin = reward.as_table()->get("plugin");
      plugins.push_back(plugin ? plugin->value_or(std::string("?")) : "?");
    }
    settings.push_back(fmt::format("[[reward]] replaced by {}", fmt::join(plugins, ", ")));
    run.insert_or_assign("reward", std::move(*rewards->as_array()));
  }
  if (const toml::node* remove = variant.get("remove")) {
    const toml::array* paths = remove->as_array();
    if (!paths || !paths->is_homogeneous(toml::node_type::string)) {
      throw ConfigError(fmt::format(
          "{}: 'variant.remove' must be an array of key paths, e.g. [\"reward.alive_bonus\"]",
          Where(remove->source(), where)));
    }
    for (const toml::node& path : *paths) {
      const std::string key_path = *path.value<std::string>();
      const std::string path_where = Where(path.source(), where);
      CheckChangeable(key_path, path_where, "a variant");
      RemoveKeyPath(run, key_path, path_where);
      settings.push_back("removes " + key_path);
    }
  }
  if (toml::node* set = variant.get("set")) {
    if (!set->is_table()) {
      throw ConfigError(
          fmt::format("{}: 'variant.set' must be a table of \"key.path\" = value, e.g. "
                      "set = {{ \"algorithm.clip_epsilon\" = 0.1 }}",
                      Where(set->source(), where)));
    }
    for (auto&& [key, value] : *set->as_table()) {
      const std::string key_path(key.str());
      const std::string value_where = KeyWhere(key, value, where);
      CheckChangeable(key_path, value_where, "a variant");
      settings.push_back(fmt::format("{} = {}", key_path, Printed(value)));
      SetKeyPath(run, key_path, std::move(value), value_where);
    }
  }
}

}  // namespace

std::vector<Experiment> ParseExperiments(const std::string& text, const std::string& source,
                                         const std::vector<std::string>& overrides,
                                         PluginRegistry& registry, const std::string& selected) {
  const toml::table doc = ParseToml(text, source);
  const std::vector<std::string> variants = ReadVariants(doc, source);
  const std::vector<GridKey> grid = ReadSweep(doc, source);
  size_t grid_points = 1;
  for (const GridKey& key : grid) grid_points *= key.size;

  std::vector<Experiment> experiments;
  std::vector<std::string> names;
  for (size_t v = 0; v < std::max<size_t>(variants.size(), 1); ++v) {
    for (size_t point = 0; point < grid_points; ++point) {
      toml::table run = ParseToml(text, source);
      std::vector<std::string> label, settings;
      if (!variants.empty()) {
        label.push_back(variants[v]);
        ApplyVariant(run, *run["variant"].as_array()->get(v)->as_table(), source, settings);
      }
      // the grid point's values, the last key fastest
      std::vector<size_t> index(grid.size());
      for (size_t k = grid.size(), rest = point; k-- > 0; rest /= grid[k].size) {
        index[k] = rest % grid[k].size;
      }
      for (size_t k = 0; k < grid.size(); ++k) {
        toml::node& value = *run["sweep"][grid[k].key_path].as_array()->get(index[k]);
        label.push_back(grid[k].key_path + "=" + Label(value));
        settings.push_back(fmt::format("{} = {}", grid[k].key_path, Printed(value)));
        SetKeyPath(run, grid[k].key_path, std::move(value), grid[k].where);
      }
      const std::string variant = fmt::format("{}", fmt::join(label, ","));
      names.push_back(variant);
      // --set reaches only the variants that run
      if (!selected.empty() && variant != selected && variant.rfind(selected + ",", 0) != 0) {
        continue;
      }
      run.erase("sweep");
      run.erase("variant");
      for (const std::string& override_text : overrides) ApplyOverride(run, override_text);

      Experiment experiment;
      try {
        experiment = ReadExperimentDocument(run, source, registry);
      } catch (const ConfigError& e) {
        if (variant.empty()) throw;
        throw ConfigError(fmt::format("{} (in variant '{}')", e.what(), variant));
      }
      experiment.variant = variant;
      experiment.variant_settings = settings;
      experiments.push_back(std::move(experiment));
    }
  }
  if (experiments.empty()) {
    throw ConfigError(fmt::format("{}: no variant '{}'{}; variants: {}", source, selected,
                                  DidYouMean(selected, names), fmt::join(names, ", ")));
  }
  return experiments;
}

std::vector<Experiment> LoadExperiments(const std::string& path,
                                        const std::vector<std::string>& overrides,
                                        PluginRegistry& registry, const std::string& variant) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw ConfigError(fmt::format("{}: is a directory, expected an experiment .toml file", path));
  }
  std::ifstream in(path);
  if (!in) {
    throw ConfigError(
        fmt::format("{}: cannot read the experiment file ({})", path, std::strerror(errno)));
  }
  return ParseExperiments(ReadFile(path), path, overrides, registry, variant);
}

namespace {

Experiment Single(std::vector<Experiment> experiments, const std::string& source) {
  if (experiments.size() == 1) return std::move(experiments.front());
  std::vector<std::string> names;
  for (const Experiment& experiment : experiments) names.push_back(experiment.variant);
  throw ConfigError(
      fmt::format("{}: declares {} variants ({}); this command takes one: "
                  "choose it with --variant NAME",
                  source, experiments.size(), fmt::join(names, ", ")));
}

}  // namespace

Experiment LoadExperiment(const std::string& path, const std::vector<std::string>& overrides,
                          PluginRegistry& registry, const std::string& variant) {
  return Single(LoadExperiments(path, overrides, registry, variant), path);
}

Experiment ParseExperiment(const std::string& text, const std::string& source,
                           const std::vector<std::string>& overrides, PluginRegistry& registry) {
  return Single(ParseExperiments(text, source, overrides, registry), source);
}

}  // namespace stride
