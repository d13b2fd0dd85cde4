#include "experiment_document.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <variant>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "stride/algorithm.h"
#include "stride/error.h"
#include "stride/param_binding.h"
#include "stride/registry.h"
#include "stride/reward.h"
#include "stride/suggest.h"
#include "toml_edit.h"

namespace stride {
namespace {

namespace fs = std::filesystem;

// a TOML value as the type a spec declares, or a ConfigError saying what was expected
class ValueReader {
 public:
  ValueReader(const ParamSpec& spec, std::string key_path, std::string where)
      : spec_(spec), key_path_(std::move(key_path)), where_(std::move(where)) {}

  ParamValue Read(const toml::node& node) const {
    ParamValue value = Convert(node);
    CheckAllowed(value);
    return value;
  }

 private:
  [[noreturn]] void WrongType(const toml::node& node) const {
    throw ConfigError(fmt::format("{}: '{}' must be {}, got {}", where_, key_path_,
                                  Article(ParamTypeName(spec_.type)), Describe(node)));
  }
  static std::string Article(const std::string& noun) {
    return (noun[0] == 'a' || noun[0] == 'i') ? "an " + noun : "a " + noun;
  }

  double Number(const toml::node& node) const {
    if (auto i = node.value_exact<int64_t>()) return static_cast<double>(*i);
    if (auto d = node.value_exact<double>()) return *d;
    WrongType(node);
  }

  ParamValue Convert(const toml::node& node) const {
    switch (spec_.type) {
      case ParamType::kBool:
        if (auto b = node.value_exact<bool>()) return *b;
        break;
      case ParamType::kInt:
        if (auto i = node.value_exact<int64_t>()) return *i;
        break;
      case ParamType::kDouble:
        if (node.is_number()) return Number(node);
        break;
      case ParamType::kString:
        if (auto s = node.value_exact<std::string>()) return *s;
        break;
      case ParamType::kIntList:
      case ParamType::kStringList:
        return ConvertList(node);
    }
    WrongType(node);
  }

  ParamValue ConvertList(const toml::node& node) const {
    const toml::array* array = node.as_array();
    if (!array) WrongType(node);
    std::vector<int64_t> ints;
    std::vector<std::string> strings;
    for (const toml::node& element : *array) {
      if (spec_.type == ParamType::kIntList) {
        auto i = element.value_exact<int64_t>();
        if (!i) WrongType(node);
        ints.push_back(*i);
      } else {
        auto s = element.value_exact<std::string>();
        if (!s) WrongType(node);
        strings.push_back(*s);
      }
    }
    if (spec_.type == ParamType::kIntList) return ints;
    return strings;
  }

  void CheckAllowed(const ParamValue& value) const {
    std::vector<double> numbers;
    if (auto i = std::get_if<int64_t>(&value)) numbers.push_back(static_cast<double>(*i));
    if (auto d = std::get_if<double>(&value)) numbers.push_back(*d);
    if (auto v = std::get_if<std::vector<int64_t>>(&value)) numbers.assign(v->begin(), v->end());
    for (double x : numbers) {
      if (std::isnan(x) || (spec_.min && x < *spec_.min) || (spec_.max && x > *spec_.max)) {
        throw ConfigError(fmt::format("{}: '{}' = {} is out of range: must be {}", where_,
                                      key_path_, FormatParamValue(value), DescribeAllowed(spec_)));
      }
    }
    if (spec_.choices.empty()) return;
    std::vector<std::string> strings;
    if (auto s = std::get_if<std::string>(&value)) strings.push_back(*s);
    if (auto v = std::get_if<std::vector<std::string>>(&value)) strings = *v;
    for (const std::string& s : strings) {
      if (std::find(spec_.choices.begin(), spec_.choices.end(), s) != spec_.choices.end()) {
        continue;
      }
      throw ConfigError(fmt::format("{}: '{}' = \"{}\" is not allowed{}: must be {}", where_,
                                    key_path_, s, DidYouMean(s, spec_.choices),
                                    DescribeAllowed(spec_)));
    }
  }

  const ParamSpec& spec_;
  std::string key_path_;
  std::string where_;
};

// validates one table against a list of specs, filling in defaults
// the framework's keys whose values are tables, read by their own readers
bool IsTableValuedKey(const std::string& table_path, const std::string& name) {
  return (table_path == "environment" && name == "randomize") ||
         (table_path == "evaluation" && name == "robustness");
}

Params ReadTable(const toml::table& table, const std::string& table_path,
                 const std::string& table_where, const std::vector<ParamSpec>& specs) {
  std::vector<std::string> names;
  for (const ParamSpec& spec : specs) names.push_back(spec.name);
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    if (IsTableValuedKey(table_path, name)) continue;
    const std::string suggestion = DidYouMean(name, names);
    throw ConfigError(fmt::format(
        "{}: unknown key '{}.{}'{}",
        Where(key.source().path ? key.source() : node.source(), table_where), table_path, name,
        suggestion.empty() ? fmt::format("; allowed keys: {}", fmt::join(names, ", "))
                           : suggestion));
  }
  std::map<std::string, ParamValue> values;
  for (const ParamSpec& spec : specs) {
    const std::string key_path = table_path + "." + spec.name;
    const toml::node* node = table.get(spec.name);
    if (node) {
      values[spec.name] =
          ValueReader(spec, key_path, Where(node->source(), table_where)).Read(*node);
    } else if (spec.default_value) {
      values[spec.name] = *spec.default_value;
    } else {
      throw ConfigError(fmt::format("{}: missing required key '{}' ({}: {})", table_where, key_path,
                                    ParamTypeName(spec.type), spec.doc));
    }
  }
  return Params(std::move(values));
}

std::vector<ParamSpec> Concat(const std::vector<ParamSpec>& a, const std::vector<ParamSpec>& b) {
  std::vector<ParamSpec> all = a;
  all.insert(all.end(), b.begin(), b.end());
  return all;
}

// where the key of table that message names first is, else the table's header
std::string FirstKeyNamed(const toml::table& table, const std::string& message,
                          const std::string& table_where) {
  size_t first = std::string::npos;
  std::string where = table_where;
  for (const auto& [key, node] : table) {
    const size_t at = message.find(std::string(key.str()));
    if (at < first) {
      first = at;
      where = Where(node.source(), table_where);
    }
  }
  return where;
}

// `key = { perturbation = [numbers], ... }` of table, each perturbation one
// the environment declares and each number in its range; pairs: [low, high]
std::vector<std::pair<std::string, std::vector<double>>> ReadPerturbationTable(
    const toml::table& table, const std::string& key_path, const std::string& table_where,
    const std::vector<Perturbation>& declared, bool pairs) {
  std::vector<std::pair<std::string, std::vector<double>>> out;
  const toml::node* node = table.get(key_path.substr(key_path.find('.') + 1));
  if (!node) return out;
  const std::string where = Where(node->source(), table_where);
  std::vector<std::string> names;
  for (const Perturbation& p : declared) names.push_back(p.name);
  const char* shape = pairs ? "[low, high]" : "[magnitudes]";
  if (!node->is_table()) {
    throw ConfigError(fmt::format("{}: '{}' must be a table {{ perturbation = {} }}, got {}", where,
                                  key_path, shape, Describe(*node)));
  }
  for (auto&& [key, value] : *node->as_table()) {
    const std::string name(key.str());
    const std::string at = Where(key.source().path ? key.source() : value.source(), table_where);
    const auto p = std::find_if(declared.begin(), declared.end(),
                                [&](const Perturbation& d) { return d.name == name; });
    if (p == declared.end()) {
      throw ConfigError(fmt::format(
          "{}: '{}.{}': the environment has no perturbation '{}'{}", at, key_path, name, name,
          names.empty()                     ? " (it declares none)"
          : DidYouMean(name, names).empty() ? fmt::format("; it has: {}", fmt::join(names, ", "))
                                            : DidYouMean(name, names)));
    }
    std::vector<double> numbers;
    const toml::array* array = value.as_array();
    for (size_t i = 0; array && i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      if (!element.is_number()) {
        array = nullptr;
        break;
      }
      numbers.push_back(element.is_integer() ? static_cast<double>(*element.value<int64_t>())
                                             : *element.value<double>());
    }
    if (!array || numbers.empty() || (pairs && numbers.size() != 2)) {
      throw ConfigError(fmt::format("{}: '{}.{}' must be {} of numbers, got {}", at, key_path, name,
                                    pairs ? "a pair [low, high]" : "a list", Describe(value)));
    }
    for (double number : numbers) {
      if (number < p->min || number > p->max || !std::isfinite(number)) {
        throw ConfigError(fmt::format("{}: '{}.{}' = {} is out of range: must be in [{}, {}] ({})",
                                      at, key_path, name, number, p->min, p->max, p->doc));
      }
    }
    if (pairs && numbers[0] > numbers[1]) {
      throw ConfigError(fmt::format("{}: '{}.{}': low {} is above high {}", at, key_path, name,
                                    numbers[0], numbers[1]));
    }
    out.emplace_back(name, numbers);
  }
  return out;
}

// a plugin's table: the framework's keys plus the plugin's declared parameters
struct PluginTable {
  Params framework;
  std::string plugin;
  Params params;
};

PluginTable ReadPluginTable(const toml::table& table, const std::string& table_path,
                            const std::string& table_where, PluginKind kind,
                            const std::vector<ParamSpec>& framework_specs,
                            const PluginRegistry& registry) {
  const toml::node* plugin_node = table.get("plugin");
  if (!plugin_node) {
    throw ConfigError(fmt::format(
        "{}: missing required key '{}.plugin' (the {} plugin to use; "
        "available: {})",
        table_where, table_path, PluginKindName(kind), fmt::join(registry.Names(kind), ", ")));
  }
  const std::string where = Where(plugin_node->source(), table_where);
  auto name = plugin_node->value_exact<std::string>();
  if (!name) {
    throw ConfigError(fmt::format("{}: '{}.plugin' must be a string, got {}", where, table_path,
                                  Describe(*plugin_node)));
  }
  const RegisteredPlugin* plugin;
  try {
    plugin = &registry.Find(kind, *name);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: {}", where, e.what()));
  }
  const std::vector<ParamSpec> specs = Concat(framework_specs, plugin->entry->params);
  Params all = ReadTable(table, table_path, table_where, specs);
  PluginTable out;
  out.plugin = *name;
  std::map<std::string, ParamValue> framework, params;
  for (const auto& [key, value] : all.values()) {
    bool is_framework = false;
    for (const ParamSpec& spec : framework_specs) is_framework |= spec.name == key;
    (is_framework ? framework : params)[key] = value;
  }
  out.framework = Params(std::move(framework));
  out.params = Params(std::move(params));

  // the plugin's own checks (one parameter against another) point here too
  try {
    std::visit([&out](const auto& factory) { factory(out.params); }, plugin->entry->factory);
  } catch (const std::exception& e) {
    throw ConfigError(fmt::format("{}: {} plugin '{}' ({}) failed to start: {}",
                                  FirstKeyNamed(table, e.what(), table_where), PluginKindName(kind),
                                  out.plugin, plugin->library, e.what()));
  }
  return out;
}

const toml::table& RequireTable(const toml::table& doc, const std::string& name,
                                const std::string& source, const std::string& example) {
  const toml::node* node = doc.get(name);
  if (!node) {
    throw ConfigError(fmt::format("{}: missing table [{}] ({})", source, name, example));
  }
  if (!node->is_table()) {
    throw ConfigError(fmt::format("{}: '{}' must be a table [{}], got {}",
                                  Where(node->source(), source), name, name, Describe(*node)));
  }
  return *node->as_table();
}

std::string TableWhere(const toml::table& table, const std::string& source) {
  return Where(table.source(), source);
}

// evaluation.success, checked against the metrics the experiment's environment
// declares and with evaluation.min_successes
std::vector<MetricCondition> ReadSuccessConditions(const toml::table& table,
                                                   const std::string& table_where,
                                                   const Experiment& experiment,
                                                   const PluginRegistry& registry) {
  const int64_t min_successes = experiment.success.min_successes;
  const auto where = [&](const toml::node* node) {
    return node ? Where(node->source(), table_where) : table_where;
  };
  std::vector<MetricCondition> conditions;
  const toml::array* texts = table.get_as<toml::array>("success");
  if (!texts || texts->empty()) {
    if (min_successes > 0) {
      throw ConfigError(fmt::format(
          "{}: 'evaluation.min_successes' needs a success criterion: evaluation.success",
          where(table.get("min_successes"))));
    }
    return conditions;
  }
  if (min_successes > experiment.eval_episodes) {
    throw ConfigError(
        fmt::format("{}: 'evaluation.min_successes' = {} is more than the {} evaluation episodes",
                    where(table.get("min_successes")), min_successes, experiment.eval_episodes));
  }
  const std::vector<std::string> names = ConditionNames(
      registry.MakeEnvironment(experiment.environment.plugin, experiment.environment.params)
          ->episode_metrics());
  for (const toml::node& text : *texts) {
    MetricCondition condition;
    try {
      condition = ParseMetricCondition(*text.value<std::string>());
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("{}: 'evaluation.success': {}", where(&text), e.what()));
    }
    if (std::find(names.begin(), names.end(), condition.metric) == names.end()) {
      throw ConfigError(fmt::format(
          "{}: 'evaluation.success': unknown metric '{}'{}; the episode metrics of '{}' are {}",
          where(&text), condition.metric, DidYouMean(condition.metric, names),
          experiment.environment.plugin, fmt::join(names, ", ")));
    }
    conditions.push_back(condition);
  }
  return conditions;
}

void CheckTopLevelTables(const toml::table& doc, const std::string& source) {
  std::vector<std::string> tables = TopLevelTables();
  tables.insert(tables.end(), {"sweep", "variant"});
  for (auto&& [key, node] : doc) {
    const std::string name(key.str());
    if (std::find(tables.begin(), tables.end(), name) != tables.end()) continue;
    throw ConfigError(fmt::format("{}: unknown table '{}'{}; tables: {}",
                                  Where(key.source(), source), name, DidYouMean(name, tables),
                                  fmt::join(tables, ", ")));
  }
}

}  // namespace

bool IsPlainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
             "0123456789_.-") == std::string::npos;
}

namespace {

using E = Experiment;
constexpr std::nullopt_t kNone = std::nullopt;

// evaluation.success, which ReadSuccessConditions reads against the
// environment's metrics; bound for validation, docs and the resolved file
ParamBinding<E> SuccessBinding() {
  ParamBinding<E> binding;
  binding.spec =
      StringListParam("success", {},
                      "conditions a successful episode meets, e.g. [\"distance >= 10\", "
                      "\"fell == 0\"], over the environment's episode metrics and return "
                      "(empty: no success criterion)");
  binding.get = [](const E& e) {
    std::vector<std::string> conditions;
    for (const MetricCondition& condition : e.success.conditions) {
      conditions.push_back(condition.ToString());
    }
    return ParamValue(conditions);
  };
  binding.read = [](const Params&, E&) {};
  return binding;
}

// the framework's keys of each table, bound to their fields of Experiment
const ParamBindings<E>& ExperimentTable() {
  static const auto* table = new ParamBindings<E>{
      Required(Bind(&E::name, "name", "experiment name; runs go to <output_dir>/<name>/")),
      InRange(Bind(&E::seeds, "seeds", "one run per seed"), 0, kNone),
      InRange(Bind(&E::total_steps, "total_steps", "environment steps per run"), 1, kNone),
      Bind(&E::output_dir, "output_dir", "directory that holds the runs"),
      Bind(&E::plugin_dirs, "plugin_dirs",
           "extra plugin directories or libraries, relative to this file"),
      InRange(Bind(&E::checkpoint_every_steps, "checkpoint_every_steps",
                   "steps between checkpoints (0: only at the end and on stop)"),
              0, kNone),
  };
  return *table;
}

// the plugin key of [environment] or [algorithm]
ParamBindings<PluginConfig> PluginKey(const std::string& kind) {
  return {Required(Bind(&PluginConfig::plugin, "plugin", kind + " plugin"))};
}

const ParamBindings<E>& EnvironmentTable() {
  static const auto* table = new ParamBindings<E>(Concat(
      Nest(&E::environment, PluginKey("environment")),
      ParamBindings<E>{
          InRange(Bind(&E::num_envs, "num_envs", "environment instances stepped together"), 1,
                  4096),
          InRange(Bind(&E::num_workers, "num_workers", "threads stepping them (0: one per core)"),
                  0, 256),
      }));
  return *table;
}

const ParamBindings<RewardConfig>& RewardTable() {
  static const auto* table = new ParamBindings<RewardConfig>{
      Required(Bind(&RewardConfig::plugin, "plugin", "reward term plugin")),
      Bind(&RewardConfig::weight, "weight", "the term's weight in the summed reward"),
  };
  return *table;
}

const ParamBindings<E>& AlgorithmTable() {
  static const auto* table = new ParamBindings<E>(Nest(&E::algorithm, PluginKey("algorithm")));
  return *table;
}

const ParamBindings<E>& EvaluationTable() {
  static const auto* table = new ParamBindings<E>(Concat(
      ParamBindings<E>{
          InRange(Bind(&E::eval_every_steps, "every_steps",
                       "steps between evaluations (0: only at the end of training)"),
                  0, kNone),
          InRange(Bind(&E::eval_episodes, "episodes",
                       "deterministic episodes per evaluation: the attempts"),
                  1, 10'000),
          SuccessBinding(),
      },
      Concat(
          Nest(&E::success, ParamBindings<SuccessCriterion>{InRange(
                                Bind(&SuccessCriterion::min_successes, "min_successes",
                                     "successful episodes an evaluation needs (0: every episode)"),
                                0, 10'000)}),
          ParamBindings<E>{
              Bind(&E::stop_on_success, "stop_on_success",
                   "end training at the first evaluation that meets the success criterion"),
          })));
  return *table;
}

// a table's specs, made on first use
template <auto Table>
const std::vector<ParamSpec>& SpecsOnce() {
  static const auto* specs = new std::vector<ParamSpec>(SpecsOf(Table()));
  return *specs;
}

}  // namespace

const std::vector<ParamSpec>& ExperimentTableSpec() { return SpecsOnce<ExperimentTable>(); }
const std::vector<ParamSpec>& EnvironmentTableSpec() { return SpecsOnce<EnvironmentTable>(); }
const std::vector<ParamSpec>& RewardTableSpec() { return SpecsOnce<RewardTable>(); }
const std::vector<ParamSpec>& AlgorithmTableSpec() { return SpecsOnce<AlgorithmTable>(); }
const std::vector<ParamSpec>& EvaluationTableSpec() { return SpecsOnce<EvaluationTable>(); }

Experiment ReadExperimentDocument(const toml::table& doc, const std::string& source,
                                  PluginRegistry& registry) {
  CheckTopLevelTables(doc, source);

  // [experiment], then the plugins it makes available
  Experiment experiment;
  experiment.source = source;
  const toml::table& exp_table =
      RequireTable(doc, "experiment", source, "it holds name, seeds, total_steps, ...");
  const std::string exp_where = TableWhere(exp_table, source);
  ReadInto(ExperimentTable(), ReadTable(exp_table, "experiment", exp_where, ExperimentTableSpec()),
           experiment);
  if (!IsPlainName(experiment.name)) {
    throw ConfigError(fmt::format(
        "{}: 'experiment.name' = \"{}\" must be a plain name of letters, digits, '_', '-', '.'",
        Where(exp_table.get("name")->source(), exp_where), experiment.name));
  }
  if (experiment.seeds.empty()) {
    throw ConfigError(fmt::format("{}: 'experiment.seeds' must hold at least one seed",
                                  Where(exp_table.get("seeds")->source(), exp_where)));
  }
  for (auto seed = experiment.seeds.begin(); seed != experiment.seeds.end(); ++seed) {
    if (std::find(experiment.seeds.begin(), seed, *seed) == seed) continue;
    throw ConfigError(
        fmt::format("{}: 'experiment.seeds' lists seed {} twice: each seed is one "
                    "run, in one directory",
                    Where(exp_table.get("seeds")->source(), exp_where), *seed));
  }
  const fs::path base = fs::absolute(fs::path(source)).parent_path();
  const std::vector<std::string> plugin_dirs = std::move(experiment.plugin_dirs);
  experiment.plugin_dirs.clear();
  for (const std::string& dir : plugin_dirs) {
    const fs::path full = fs::path(dir).is_absolute() ? fs::path(dir) : base / dir;
    std::error_code exists_error;
    if (!fs::exists(full, exists_error)) {
      throw ConfigError(fmt::format("{}: plugin directory '{}' does not exist",
                                    Where(exp_table.get("plugin_dirs")->source(), exp_where),
                                    full.string()));
    }
    experiment.plugin_dirs.push_back(fs::canonical(full).string());
  }
  try {
    registry.LoadSearchPath(experiment.plugin_dirs);
  } catch (const ConfigError& e) {
    throw ConfigError(
        fmt::format("{}: {}", Where(exp_table.get("plugin_dirs")->source(), exp_where), e.what()));
  }
  registry.LoadSearchPath(PluginRegistry::SearchPath(experiment.plugin_dirs));

  // [environment]
  const toml::table& env_table =
      RequireTable(doc, "environment", source, "e.g. plugin = \"biped\"");
  PluginTable env = ReadPluginTable(env_table, "environment", TableWhere(env_table, source),
                                    PluginKind::kEnvironment, EnvironmentTableSpec(), registry);
  ReadInto(EnvironmentTable(), env.framework, experiment);
  experiment.environment.params = env.params;
  // the declared perturbations, asked of an instance only when the file names some
  const toml::node* evaluation = doc.get("evaluation");
  const bool names_perturbations =
      env_table.contains("randomize") ||
      (evaluation && evaluation->is_table() && evaluation->as_table()->contains("robustness"));
  const std::vector<Perturbation> perturbations =
      names_perturbations ? registry.MakeEnvironment(env.plugin, env.params)->perturbations()
                          : std::vector<Perturbation>{};
  for (const auto& [name, range] :
       ReadPerturbationTable(env_table, "environment.randomize", TableWhere(env_table, source),
                             perturbations, /*pairs=*/true)) {
    experiment.randomize.push_back({name, range[0], range[1]});
  }

  // [[reward]]
  const toml::node* rewards = doc.get("reward");
  if (!rewards) {
    throw ConfigError(
        fmt::format("{}: missing [[reward]] tables (at least one reward term, e.g. "
                    "plugin = \"alive_bonus\")",
                    source));
  }
  if (!rewards->is_array_of_tables()) {
    throw ConfigError(fmt::format("{}: 'reward' must be an array of tables: write [[reward]]",
                                  Where(rewards->source(), source)));
  }
  const toml::array& reward_array = *rewards->as_array();
  for (size_t i = 0; i < reward_array.size(); ++i) {
    const toml::table& table = *reward_array.get(i)->as_table();
    PluginTable reward =
        ReadPluginTable(table, fmt::format("reward[{}]", i), TableWhere(table, source),
                        PluginKind::kReward, RewardTableSpec(), registry);
    experiment.rewards.push_back(ReadConfig(RewardTable(), reward.framework));
    experiment.rewards.back().params = reward.params;
  }

  // [algorithm]
  const toml::table& algo_table = RequireTable(doc, "algorithm", source, "e.g. plugin = \"ppo\"");
  PluginTable algo = ReadPluginTable(algo_table, "algorithm", TableWhere(algo_table, source),
                                     PluginKind::kAlgorithm, AlgorithmTableSpec(), registry);
  ReadInto(AlgorithmTable(), algo.framework, experiment);
  experiment.algorithm.params = algo.params;

  // [evaluation]
  static const toml::table kEmpty;
  const toml::table* eval_table =
      doc.get("evaluation") ? &RequireTable(doc, "evaluation", source, "") : &kEmpty;
  const Params eval =
      ReadTable(*eval_table, "evaluation", TableWhere(*eval_table, source), EvaluationTableSpec());
  ReadInto(EvaluationTable(), eval, experiment);
  experiment.success.conditions =
      ReadSuccessConditions(*eval_table, TableWhere(*eval_table, source), experiment, registry);
  for (auto& [name, magnitudes] :
       ReadPerturbationTable(*eval_table, "evaluation.robustness", TableWhere(*eval_table, source),
                             perturbations, /*pairs=*/false)) {
    experiment.robustness.push_back({name, std::move(magnitudes)});
  }
  if (experiment.stop_on_success && experiment.success.empty()) {
    throw ConfigError(fmt::format(
        "{}: 'evaluation.stop_on_success' needs a success criterion: evaluation.success",
        Where(eval_table->get("stop_on_success")->source(), TableWhere(*eval_table, source))));
  }
  return experiment;
}

Params ParsePluginParams(PluginKind kind, const std::string& name,
                         const std::vector<std::string>& overrides,
                         const PluginRegistry& registry) {
  const std::string table_name = kind == PluginKind::kEnvironment ? "environment"
                                 : kind == PluginKind::kReward    ? "reward"
                                                                  : "algorithm";
  // the name came from the command's arguments, not from a --set
  registry.Find(kind, name);
  toml::table doc;
  toml::table table;
  table.insert("plugin", name);
  if (kind == PluginKind::kReward) {
    doc.insert("reward", toml::array{std::move(table)});
  } else {
    doc.insert(table_name, std::move(table));
  }
  for (const std::string& override_text : overrides) {
    const std::string prefix = table_name + (kind == PluginKind::kReward ? ".0." : ".");
    ApplyOverride(doc,
                  override_text.rfind(prefix, 0) == 0 ? override_text : prefix + override_text);
  }
  const toml::table& filled = kind == PluginKind::kReward
                                  ? *doc["reward"].as_array()->get(0)->as_table()
                                  : *doc[table_name].as_table();
  // outside an experiment only the plugin's own parameters exist
  static const std::vector<ParamSpec> kPluginKeyOnly = {Required(StringParam("plugin", "", ""))};
  return ReadPluginTable(filled, table_name, "--set", kind, kPluginKeyOnly, registry).params;
}

std::string ResolvedToml(const Experiment& e) {
  std::string out;
  auto line = [&out](const std::string& key, const ParamValue& value) {
    out += fmt::format("{} = {}\n", key, FormatParamValue(value));
  };
  auto keys = [&line](const auto& table, const auto& config) {
    for (const auto& binding : table) line(binding.spec.name, binding.get(config));
  };
  auto params = [&line](const Params& p) {
    for (const auto& [key, value] : p.values()) line(key, value);
  };
  // a perturbation table, e.g. randomize = { push_impulse = [0, 2] }
  auto perturbations = [&out](const std::string& key, const auto& entries) {
    std::vector<std::string> texts;
    for (const auto& [name, numbers] : entries) {
      std::vector<std::string> values;
      for (double number : numbers) values.push_back(FormatParamValue(number));
      texts.push_back(fmt::format("{} = [{}]", name, fmt::join(values, ", ")));
    }
    if (!texts.empty()) out += fmt::format("{} = {{ {} }}\n", key, fmt::join(texts, ", "));
  };
  out += "[experiment]\n";
  keys(ExperimentTable(), e);
  out += "\n[environment]\n";
  keys(EnvironmentTable(), e);
  params(e.environment.params);
  std::vector<std::pair<std::string, std::vector<double>>> ranges;
  for (const PerturbationRange& r : e.randomize) ranges.push_back({r.name, {r.low, r.high}});
  perturbations("randomize", ranges);
  for (const RewardConfig& reward : e.rewards) {
    out += "\n[[reward]]\n";
    keys(RewardTable(), reward);
    params(reward.params);
  }
  out += "\n[algorithm]\n";
  keys(AlgorithmTable(), e);
  params(e.algorithm.params);
  out += "\n[evaluation]\n";
  keys(EvaluationTable(), e);
  std::vector<std::pair<std::string, std::vector<double>>> tests;
  for (const RobustnessTest& t : e.robustness) tests.push_back({t.perturbation, t.magnitudes});
  perturbations("robustness", tests);
  return out;
}

}  // namespace stride
