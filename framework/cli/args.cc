#include "args.h"

#include <algorithm>

#include <fmt/format.h>

#include "stride/error.h"
#include "stride/suggest.h"

namespace stride::cli {

Args::Args(std::string command, std::vector<std::string> argv, std::vector<std::string> options)
    : command_(std::move(command)) {
  std::vector<std::string> names;
  for (const std::string& option : options) {
    names.push_back(option.back() == '=' ? option.substr(0, option.size() - 1) : option);
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.size() < 2 || arg.rfind("--", 0) != 0) {
      positionals_.push_back(arg);
      continue;
    }
    // --name value, --name=value or --flag
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const bool takes_value = std::find(options.begin(), options.end(), name + "=") != options.end();
    const bool is_flag = std::find(options.begin(), options.end(), name) != options.end();
    if (!takes_value && !is_flag) {
      throw ConfigError(fmt::format("stride {}: unknown option '{}'{}; see stride {} --help",
                                    command_, name, DidYouMean(name, names), command_));
    }
    if (is_flag) {
      if (eq != std::string::npos) {
        throw ConfigError(fmt::format("stride {}: option '{}' takes no value", command_, name));
      }
      values_.emplace_back(name, "");
    } else if (eq != std::string::npos) {
      values_.emplace_back(name, arg.substr(eq + 1));
    } else {
      if (i + 1 >= argv.size()) {
        throw ConfigError(fmt::format("stride {}: option '{}' needs a value", command_, name));
      }
      values_.emplace_back(name, argv[++i]);
    }
  }
}

bool Args::Flag(const std::string& name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return true;
  }
  return false;
}

std::optional<std::string> Args::Value(const std::string& name) const {
  std::optional<std::string> last;
  for (const auto& [key, value] : values_) {
    if (key == name) last = value;
  }
  return last;
}

std::vector<std::string> Args::Values(const std::string& name) const {
  std::vector<std::string> all;
  for (const auto& [key, value] : values_) {
    if (key == name) all.push_back(value);
  }
  return all;
}

// the option's value read whole by parse (std::stoll, std::stod), or a usage error
template <typename T, typename Parse>
std::optional<T> Args::Number(const std::string& name, const char* what, Parse parse) const {
  const std::optional<std::string> text = Value(name);
  if (!text) return std::nullopt;
  size_t used = 0;
  T value{};
  try {
    value = parse(*text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text->size()) {
    throw ConfigError(
        fmt::format("stride {}: option '{}' needs {}, got '{}'", command_, name, what, *text));
  }
  return value;
}

std::optional<int64_t> Args::Int(const std::string& name) const {
  return Number<int64_t>(name, "an integer",
                         [](const std::string& s, size_t* used) { return std::stoll(s, used); });
}

std::optional<double> Args::Double(const std::string& name) const {
  return Number<double>(name, "a number",
                        [](const std::string& s, size_t* used) { return std::stod(s, used); });
}

const std::string& Args::Positional(size_t index, const std::string& what) const {
  if (index >= positionals_.size()) {
    throw ConfigError(
        fmt::format("stride {}: missing {}; see stride {} --help", command_, what, command_));
  }
  return positionals_[index];
}

void Args::ExpectAtMost(size_t count) const {
  if (positionals_.size() <= count) return;
  throw ConfigError(fmt::format("stride {}: unexpected argument '{}'; see stride {} --help",
                                command_, positionals_[count], command_));
}

}  // namespace stride::cli
