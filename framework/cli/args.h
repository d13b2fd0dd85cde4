// Command-line arguments of one stride command.
#ifndef STRIDE_CLI_ARGS_H_
#define STRIDE_CLI_ARGS_H_

#include <optional>
#include <string>
#include <vector>

namespace stride::cli {

class Args {
 public:
  // options: "--name" for flags, "--name=" for options that take a value
  Args(std::string command, std::vector<std::string> argv, std::vector<std::string> options);

  bool Flag(const std::string& name) const;
  std::optional<std::string> Value(const std::string& name) const;
  std::vector<std::string> Values(const std::string& name) const;
  std::optional<int64_t> Int(const std::string& name) const;
  const std::string& command() const { return command_; }
  std::optional<double> Double(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  // the positional at index, or a usage error naming what is missing
  const std::string& Positional(size_t index, const std::string& what) const;
  // a usage error if there are more than count positionals
  void ExpectAtMost(size_t count) const;

 private:
  template <typename T, typename Parse>
  std::optional<T> Number(const std::string& name, const char* what, Parse parse) const;

  std::string command_;
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> positionals_;
};

}  // namespace stride::cli

#endif  // STRIDE_CLI_ARGS_H_
