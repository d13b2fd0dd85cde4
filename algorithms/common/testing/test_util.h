// Helpers shared by the algorithm tests.
#ifndef STRIDE_ALGORITHMS_COMMON_TESTING_TEST_UTIL_H_
#define STRIDE_ALGORITHMS_COMMON_TESTING_TEST_UTIL_H_

#include <string>
#include <vector>

#include <torch/torch.h>

#include "algorithms/common/agent.h"
#include "stride/durable_file.h"
#include "stride/params.h"

namespace stride::algorithms::testing {

// a clean directory under the system's temporary directory
std::string FreshDirectory(const std::string& name);
// the whole of a file; RuntimeError naming it if it cannot be read
using stride::ReadFile;

// the README.md parameter table row of each spec:
// | `name` | type | `default` | allowed (or "any") | doc |
std::vector<std::string> ParameterTableRows(const std::vector<ParamSpec>& specs);

// the networks, statistics, generator and environments a checkpoint holds; the
// files of equal runs can differ in bytes, as optimizer state is keyed by address
std::vector<torch::Tensor> CheckpointTensors(const std::string& path, const AgentOptions& options);
// the checkpoint's tensors of keys ("section/key" inside nested sections),
// then its global_step and update
std::vector<torch::Tensor> CheckpointTensors(const std::string& path,
                                             const std::vector<std::string>& keys);

}  // namespace stride::algorithms::testing

#endif  // STRIDE_ALGORITHMS_COMMON_TESTING_TEST_UTIL_H_
