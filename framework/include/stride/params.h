// Declared plugin parameters and the validated values a factory receives.
//
// Every plugin declares its parameters as a list of ParamSpec. The framework
// validates an experiment's TOML table against that list before the factory
// runs, fills in defaults, and hands the factory a Params object in which every
// declared parameter is present with the declared type.
#ifndef STRIDE_PARAMS_H_
#define STRIDE_PARAMS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace stride {

enum class ParamType { kBool, kInt, kDouble, kString, kIntList, kStringList };

using ParamValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>,
                                std::vector<std::string>>;

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kDouble;
  // nullopt: the parameter is required
  std::optional<ParamValue> default_value;
  // inclusive bounds on a number, or on every element of a list
  std::optional<double> min;
  std::optional<double> max;
  // allowed values of a string; empty: any string
  std::vector<std::string> choices;
  std::string doc;
};

// spec builders, e.g. DoubleParam("clip_epsilon", 0.2, "clip range").
ParamSpec BoolParam(std::string name, bool default_value, std::string doc);
ParamSpec IntParam(std::string name, int64_t default_value, std::string doc);
ParamSpec DoubleParam(std::string name, double default_value, std::string doc);
ParamSpec StringParam(std::string name, std::string default_value, std::string doc);
ParamSpec IntListParam(std::string name, std::vector<int64_t> default_value, std::string doc);
ParamSpec StringListParam(std::string name, std::vector<std::string> default_value,
                          std::string doc);
// modifiers: InRange(IntParam(...), 1, 64), OneOf(StringParam(...), {...}),
// Required(StringParam("model", "", "..."))
ParamSpec InRange(ParamSpec spec, std::optional<double> min, std::optional<double> max);
ParamSpec OneOf(ParamSpec spec, std::vector<std::string> choices);
ParamSpec Required(ParamSpec spec);

const char* ParamTypeName(ParamType type);
// a value as it would be written in TOML, e.g. 0.2, "seed14", [64, 64]
std::string FormatParamValue(const ParamValue& value);
// "in [0, 1]", ">= 1", "one of: seed14, walker17", or ""
std::string DescribeAllowed(const ParamSpec& spec);
// the row of a plugin README's parameter table:
// | `name` | type | `default` | allowed (or any) | doc |
std::string ParamTableRow(const ParamSpec& spec);
// the whole table: its header and one row per spec
std::string ParamTable(const std::vector<ParamSpec>& specs);

// validated parameter values, every declared parameter present
class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, ParamValue> values);

  bool GetBool(const std::string& name) const;
  int64_t GetInt(const std::string& name) const;
  double GetDouble(const std::string& name) const;
  const std::string& GetString(const std::string& name) const;
  const std::vector<int64_t>& GetIntList(const std::string& name) const;
  const std::vector<std::string>& GetStringList(const std::string& name) const;

  bool Has(const std::string& name) const;
  void Set(const std::string& name, ParamValue value);
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  const ParamValue& Get(const std::string& name) const;
  std::map<std::string, ParamValue> values_;
};

}  // namespace stride

#endif  // STRIDE_PARAMS_H_
