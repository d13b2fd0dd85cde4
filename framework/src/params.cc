#include "stride/params.h"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride {
namespace {

ParamSpec MakeSpec(std::string name, ParamType type, ParamValue value, std::string doc) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.default_value = std::move(value);
  spec.doc = std::move(doc);
  return spec;
}

std::string FormatNumber(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 1e15) {
    return fmt::format("{:.1f}", x);
  }
  return fmt::format("{}", x);
}

std::string QuoteString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string FormatBound(double x, ParamType type) {
  if (type == ParamType::kInt || type == ParamType::kIntList) {
    return fmt::format("{}", static_cast<int64_t>(x));
  }
  return fmt::format("{}", x);
}

}  // namespace

ParamSpec BoolParam(std::string name, bool default_value, std::string doc) {
  return MakeSpec(std::move(name), ParamType::kBool, default_value, std::move(doc));
}
ParamSpec IntParam(std::string name, int64_t default_value, std::string doc) {
  return MakeSpec(std::move(name), ParamType::kInt, default_value, std::move(doc));
}
ParamSpec DoubleParam(std::string name, double default_value, std::string doc) {
  return MakeSpec(std::move(name), ParamType::kDouble, default_value, std::move(doc));
}
ParamSpec StringParam(std::string name, std::string default_value, std::string doc) {
  return MakeSpec(std::move(name), ParamType::kString, std::move(default_value), std::move(doc));
}
ParamSpec IntListParam(std::string name, std::vector<int64_t> default_value, std::string doc) {
  return MakeSpec(std::move(name), ParamType::kIntList, std::move(default_value), std::move(doc));
}
ParamSpec StringListParam(std::string name, std::vector<std::string> default_value,
                          std::string doc) {
  return MakeSpec(std::move(name), ParamType::kStringList, std::move(default_value),
                  std::move(doc));
}
ParamSpec InRange(ParamSpec spec, std::optional<double> min, std::optional<double> max) {
  spec.min = min;
  spec.max = max;
  return spec;
}
ParamSpec OneOf(ParamSpec spec, std::vector<std::string> choices) {
  spec.choices = std::move(choices);
  return spec;
}
ParamSpec Required(ParamSpec spec) {
  spec.default_value.reset();
  return spec;
}

const char* ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kBool:
      return "boolean";
    case ParamType::kInt:
      return "integer";
    case ParamType::kDouble:
      return "float";
    case ParamType::kString:
      return "string";
    case ParamType::kIntList:
      return "array of integers";
    case ParamType::kStringList:
      return "array of strings";
  }
  return "unknown";
}

std::string FormatParamValue(const ParamValue& value) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(double d) const { return FormatNumber(d); }
    std::string operator()(const std::string& s) const { return QuoteString(s); }
    std::string operator()(const std::vector<int64_t>& v) const {
      return fmt::format("[{}]", fmt::join(v, ", "));
    }
    std::string operator()(const std::vector<std::string>& v) const {
      std::vector<std::string> parts;
      for (const std::string& s : v) parts.push_back(QuoteString(s));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
  };
  return std::visit(Visitor{}, value);
}

std::string DescribeAllowed(const ParamSpec& spec) {
  if (!spec.choices.empty()) {
    return fmt::format("one of: {}", fmt::join(spec.choices, ", "));
  }
  if (spec.min && spec.max) {
    return fmt::format("in [{}, {}]", FormatBound(*spec.min, spec.type),
                       FormatBound(*spec.max, spec.type));
  }
  if (spec.min) return fmt::format(">= {}", FormatBound(*spec.min, spec.type));
  if (spec.max) return fmt::format("<= {}", FormatBound(*spec.max, spec.type));
  return "";
}

std::string ParamTableRow(const ParamSpec& spec) {
  const std::string allowed = DescribeAllowed(spec);
  return fmt::format("| `{}` | {} | {} | {} | {} |", spec.name, ParamTypeName(spec.type),
                     spec.default_value ? "`" + FormatParamValue(*spec.default_value) + "`"
                                        : std::string("(required)"),
                     allowed.empty() ? "any" : allowed, spec.doc);
}

std::string ParamTable(const std::vector<ParamSpec>& specs) {
  std::string table =
      "| name | type | default | allowed | description |\n| --- | --- | --- | --- | --- |\n";
  for (const ParamSpec& spec : specs) table += ParamTableRow(spec) + "\n";
  return table;
}

Params::Params(std::map<std::string, ParamValue> values) : values_(std::move(values)) {}

const ParamValue& Params::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    throw RuntimeError(fmt::format("parameter '{}' was read but never declared", name));
  }
  return it->second;
}

namespace {
template <typename T>
const T& As(const ParamValue& value, const std::string& name, const char* wanted) {
  if (const T* v = std::get_if<T>(&value)) return *v;
  throw RuntimeError(fmt::format("parameter '{}' is not declared as {}", name, wanted));
}
}  // namespace

bool Params::GetBool(const std::string& name) const {
  return As<bool>(Get(name), name, "a boolean");
}
int64_t Params::GetInt(const std::string& name) const {
  return As<int64_t>(Get(name), name, "an integer");
}
double Params::GetDouble(const std::string& name) const {
  return As<double>(Get(name), name, "a float");
}
const std::string& Params::GetString(const std::string& name) const {
  return As<std::string>(Get(name), name, "a string");
}
const std::vector<int64_t>& Params::GetIntList(const std::string& name) const {
  return As<std::vector<int64_t>>(Get(name), name, "an array of integers");
}
const std::vector<std::string>& Params::GetStringList(const std::string& name) const {
  return As<std::vector<std::string>>(Get(name), name, "an array of strings");
}
bool Params::Has(const std::string& name) const { return values_.count(name) > 0; }
void Params::Set(const std::string& name, ParamValue value) { values_[name] = std::move(value); }

}  // namespace stride
