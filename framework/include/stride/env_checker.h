// Checks that an environment keeps the Environment contract; used by
// `stride check-env` and by the conformance test over every environment.
#ifndef STRIDE_ENV_CHECKER_H_
#define STRIDE_ENV_CHECKER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "stride/environment.h"

namespace stride {

struct EnvCheckReport {
  // one line per check that held
  std::vector<std::string> passed;
  // one line per broken promise
  std::vector<std::string> failures;
  // simulator warnings and things worth a look that break nothing
  std::vector<std::string> warnings;
  // random-action episodes seen, and how they ended
  int episodes = 0;
  int terminated = 0;
  int truncated = 0;

  bool ok() const { return failures.empty(); }
};

EnvCheckReport CheckEnvironment(const std::function<std::unique_ptr<Environment>()>& make,
                                int random_steps, uint64_t seed);

}  // namespace stride

#endif  // STRIDE_ENV_CHECKER_H_
