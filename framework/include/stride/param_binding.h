// A parameter declared once: a table binds each parameter's name, doc and
// allowed values to a field of a config struct, whose initializer is the
// default. The declared specs (validation, `stride plugins describe`, the
// README rows) and the config read from validated Params both come from it:
//
//   struct Config {
//     double learning_rate = 3e-4;
//   };
//   const ParamBindings<Config> kTable = {
//       InRange(Bind(&Config::learning_rate, "learning_rate", "Adam step size"), 0.0, 1.0)};
//   SpecsOf(kTable);               // declared with the default 3e-4
//   ReadConfig(kTable, params);    // a Config with the value the experiment set
#ifndef STRIDE_PARAM_BINDING_H_
#define STRIDE_PARAM_BINDING_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "stride/params.h"

namespace stride {

// one parameter bound to a field of Config
template <typename Config>
struct ParamBinding {
  ParamSpec spec;
  // the field's value as a parameter value, and the field set from params
  std::function<ParamValue(const Config&)> get;
  std::function<void(const Params&, Config&)> read;
};

template <typename Config>
using ParamBindings = std::vector<ParamBinding<Config>>;

namespace param_binding_detail {

template <typename Field>
ParamType TypeOf() {
  if constexpr (std::is_same_v<Field, bool>) {
    return ParamType::kBool;
  } else if constexpr (std::is_integral_v<Field>) {
    return ParamType::kInt;
  } else if constexpr (std::is_floating_point_v<Field>) {
    return ParamType::kDouble;
  } else if constexpr (std::is_same_v<Field, std::string>) {
    return ParamType::kString;
  } else if constexpr (std::is_same_v<Field, std::vector<int64_t>>) {
    return ParamType::kIntList;
  } else {
    static_assert(std::is_same_v<Field, std::vector<std::string>>,
                  "a bound field is a bool, an integer, a float, a string or a list of "
                  "integers or strings");
    return ParamType::kStringList;
  }
}

template <typename Field>
ParamValue ToValue(const Field& field) {
  if constexpr (std::is_same_v<Field, bool>) {
    return field;
  } else if constexpr (std::is_integral_v<Field>) {
    return static_cast<int64_t>(field);
  } else if constexpr (std::is_floating_point_v<Field>) {
    return static_cast<double>(field);
  } else {
    return field;
  }
}

template <typename Field>
Field FromParams(const Params& params, const std::string& name) {
  if constexpr (std::is_same_v<Field, bool>) {
    return params.GetBool(name);
  } else if constexpr (std::is_integral_v<Field>) {
    return static_cast<Field>(params.GetInt(name));
  } else if constexpr (std::is_floating_point_v<Field>) {
    return static_cast<Field>(params.GetDouble(name));
  } else if constexpr (std::is_same_v<Field, std::string>) {
    return params.GetString(name);
  } else if constexpr (std::is_same_v<Field, std::vector<int64_t>>) {
    return params.GetIntList(name);
  } else {
    return params.GetStringList(name);
  }
}

}  // namespace param_binding_detail

// binds field to the parameter name; its default is the field's value in Config{}
template <typename Config, typename Field>
ParamBinding<Config> Bind(Field Config::*field, std::string name, std::string doc) {
  namespace detail = param_binding_detail;
  ParamBinding<Config> binding;
  binding.get = [field](const Config& config) { return detail::ToValue(config.*field); };
  binding.read = [field, name](const Params& params, Config& config) {
    config.*field = detail::FromParams<Field>(params, name);
  };
  binding.spec.name = std::move(name);
  binding.spec.type = detail::TypeOf<Field>();
  binding.spec.default_value = binding.get(Config{});
  binding.spec.doc = std::move(doc);
  return binding;
}

// the parameters of a member struct, with the defaults Outer{} gives it (a
// required one stays required)
template <typename Outer, typename Inner>
ParamBindings<Outer> Nest(Inner Outer::*member, const ParamBindings<Inner>& inner) {
  ParamBindings<Outer> table;
  for (const ParamBinding<Inner>& binding : inner) {
    ParamBinding<Outer> nested;
    nested.get = [member, get = binding.get](const Outer& outer) { return get(outer.*member); };
    nested.read = [member, read = binding.read](const Params& params, Outer& outer) {
      read(params, outer.*member);
    };
    nested.spec = binding.spec;
    if (nested.spec.default_value) nested.spec.default_value = nested.get(Outer{});
    table.push_back(std::move(nested));
  }
  return table;
}

// the modifiers of stride/params.h, on a bound parameter
template <typename Config>
ParamBinding<Config> InRange(ParamBinding<Config> binding, std::optional<double> min,
                             std::optional<double> max) {
  binding.spec = InRange(std::move(binding.spec), min, max);
  return binding;
}
template <typename Config>
ParamBinding<Config> OneOf(ParamBinding<Config> binding, std::vector<std::string> choices) {
  binding.spec = OneOf(std::move(binding.spec), std::move(choices));
  return binding;
}
template <typename Config>
ParamBinding<Config> Required(ParamBinding<Config> binding) {
  binding.spec = Required(std::move(binding.spec));
  return binding;
}

// the declared parameters, in table order
template <typename Config>
std::vector<ParamSpec> SpecsOf(const ParamBindings<Config>& table) {
  std::vector<ParamSpec> specs;
  for (const ParamBinding<Config>& binding : table) specs.push_back(binding.spec);
  return specs;
}

// sets the fields of config that table binds from validated params
template <typename Config>
void ReadInto(const ParamBindings<Config>& table, const Params& params, Config& config) {
  for (const ParamBinding<Config>& binding : table) binding.read(params, config);
}

// the config validated params give
template <typename Config>
Config ReadConfig(const ParamBindings<Config>& table, const Params& params) {
  Config config;
  ReadInto(table, params, config);
  return config;
}

// the tables one after another
template <typename Config>
ParamBindings<Config> Concat(ParamBindings<Config> first, const ParamBindings<Config>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

}  // namespace stride

#endif  // STRIDE_PARAM_BINDING_H_
