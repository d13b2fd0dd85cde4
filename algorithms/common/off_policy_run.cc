#include "algorithms/common/off_policy_run.h"

#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "stride/error.h"

namespace stride::algorithms {

void OffPolicyRun::Save(torch::serialize::OutputArchive& archive) const {
  WriteString(archive, "algorithm", algorithm);
  WriteInt(archive, "global_step", global_step);
  WriteInt(archive, "update", update);
  WriteInt(archive, "gradient_steps", gradient_steps);
  WriteInt(archive, "observation_size", env->observation_size());
  WriteInt(archive, "action_size", env->action_size());
  WriteBytes(archive, "environments", env->SaveState());
  torch::serialize::OutputArchive replay(archive.compilation_unit());
  buffer->Save(replay);
  archive.write("replay_buffer", replay);
  WriteGenerator(archive, "generator", *generator);
}

void OffPolicyRun::Load(torch::serialize::InputArchive& archive, const std::string& path) {
  CheckAlgorithm(archive, algorithm, path);
  global_step = ReadInt(archive, "global_step");
  update = ReadInt(archive, "update");
  gradient_steps = ReadInt(archive, "gradient_steps");
  env->LoadState(ReadBytes(archive, "environments"));
  torch::serialize::InputArchive replay = ReadNested(archive, "replay_buffer");
  buffer->Load(replay);
  ReadGenerator(archive, "generator", *generator);
}

UpdateMeans::UpdateMeans(std::vector<std::string> names)
    : names_(std::move(names)), sums_(names_.size(), 0.0), counts_(names_.size(), 0) {}

void UpdateMeans::Add(size_t index, double value) {
  sums_[index] += value;
  ++counts_[index];
}

Metrics UpdateMeans::Means() const {
  Metrics means;
  for (size_t i = 0; i < names_.size(); ++i) {
    means.emplace_back(names_[i], counts_[i] > 0 ? sums_[i] / static_cast<double>(counts_[i])
                                                 : std::numeric_limits<double>::quiet_NaN());
  }
  return means;
}

void UpdateMeans::CheckFinite(int64_t update) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (counts_[i] > 0 && !std::isfinite(sums_[i])) {
      throw RuntimeError(fmt::format("update {}: non-finite {} ({})", update, names_[i],
                                     sums_[i] / static_cast<double>(counts_[i])));
    }
  }
}

void CheckFiniteParameters(int64_t update, const std::string& name,
                           const std::vector<torch::Tensor>& parameters) {
  for (const torch::Tensor& p : parameters) {
    if (!torch::isfinite(p).all().item<bool>()) {
      throw RuntimeError(fmt::format("update {}: non-finite parameter of the {}", update, name));
    }
  }
}

}  // namespace stride::algorithms
