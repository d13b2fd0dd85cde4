// Errors that cross the stride API. The CLI maps each kind to an exit code.
#ifndef STRIDE_ERROR_H_
#define STRIDE_ERROR_H_

#include <stdexcept>
#include <string>

namespace stride {

// a configuration or usage problem: the input must change (exit code 2)
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message);
  ~ConfigError() override;
};

// a failure while running a valid experiment (exit code 1)
class RuntimeError : public std::runtime_error {
 public:
  explicit RuntimeError(const std::string& message);
  ~RuntimeError() override;
};

}  // namespace stride

#endif  // STRIDE_ERROR_H_
