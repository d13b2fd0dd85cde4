#include "algorithms/common/testing/test_util.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "algorithms/common/checkpoint.h"

namespace stride::algorithms::testing {
namespace {

// the tensor at "section/.../key"
torch::Tensor ReadTensorAt(torch::serialize::InputArchive& archive, const std::string& key) {
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return ReadTensor(archive, key);
  torch::serialize::InputArchive section = ReadNested(archive, key.substr(0, slash));
  return ReadTensorAt(section, key.substr(slash + 1));
}

}  // namespace

std::string FreshDirectory(const std::string& name) {
  // one tree per test process: ctest runs each case of a binary as its own process
  const auto dir =
      std::filesystem::temp_directory_path() / ("stride_test_" + std::to_string(getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::vector<std::string> ParameterTableRows(const std::vector<ParamSpec>& specs) {
  std::vector<std::string> rows;
  for (const ParamSpec& spec : specs) rows.push_back(ParamTableRow(spec));
  return rows;
}

std::vector<torch::Tensor> CheckpointTensors(const std::string& path, const AgentOptions& options) {
  torch::serialize::InputArchive archive = LoadArchive(path);
  torch::serialize::InputArchive agent_archive = ReadNested(archive, "agent");
  Agent agent = Agent::FromArchive(options, agent_archive);
  std::vector<torch::Tensor> tensors = agent.model()->parameters();
  if (agent.normalizer()) {
    tensors.push_back(agent.normalizer()->statistics().mean());
    tensors.push_back(agent.normalizer()->statistics().var());
  }
  tensors.push_back(ReadTensor(archive, "generator"));
  torch::serialize::InputArchive rollout = ReadNested(archive, "rollout");
  tensors.push_back(ReadTensor(rollout, "environments"));
  tensors.push_back(torch::tensor({ReadInt(archive, "global_step"), ReadInt(archive, "update")}));
  return tensors;
}

std::vector<torch::Tensor> CheckpointTensors(const std::string& path,
                                             const std::vector<std::string>& keys) {
  torch::serialize::InputArchive archive = LoadArchive(path);
  std::vector<torch::Tensor> tensors;
  for (const std::string& key : keys) tensors.push_back(ReadTensorAt(archive, key));
  tensors.push_back(torch::tensor({ReadInt(archive, "global_step"), ReadInt(archive, "update")}));
  return tensors;
}

}  // namespace stride::algorithms::testing
