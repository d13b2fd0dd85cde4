// an environment that is no MuJoCo simulation: a point on a line pushed by its
// action, for the errors of commands that draw simulations
#include <algorithm>
#include <cstring>
#include <memory>

#include "stride/environment.h"
#include "stride/plugin.h"

namespace {

class LineEnv : public stride::Environment {
 public:
  const stride::Space& observation_space() const override { return observation_space_; }
  const stride::Space& action_space() const override { return action_space_; }
  const std::vector<std::string>& signal_names() const override { return signal_names_; }
  double dt() const override { return 0.1; }
  int max_episode_steps() const override { return 20; }

  void Reset(uint64_t seed, float* observation) override {
    position_ = static_cast<float>(seed % 7) * 0.1f;
    steps_ = 0;
    observation[0] = position_;
  }
  stride::StepResult Step(const float* action, float* observation, double*) override {
    position_ += 0.1f * std::clamp(action[0], -1.0f, 1.0f);
    observation[0] = position_;
    stride::StepResult result;
    result.truncated = ++steps_ >= max_episode_steps();
    return result;
  }

  std::vector<uint8_t> SaveState() const override {
    std::vector<uint8_t> state(sizeof(position_) + sizeof(steps_));
    std::memcpy(state.data(), &position_, sizeof(position_));
    std::memcpy(state.data() + sizeof(position_), &steps_, sizeof(steps_));
    return state;
  }
  void LoadState(const std::vector<uint8_t>& state) override {
    std::memcpy(&position_, state.data(), sizeof(position_));
    std::memcpy(&steps_, state.data() + sizeof(position_), sizeof(steps_));
  }

 private:
  stride::Space observation_space_{{"position"}, {-10.0}, {10.0}};
  stride::Space action_space_{{"push"}, {-1.0}, {1.0}};
  std::vector<std::string> signal_names_;
  float position_ = 0.0f;
  int steps_ = 0;
};

}  // namespace

std::vector<stride::PluginEntry> Entries() {
  return {
      stride::EnvironmentEntry("line", "a point on a line; not a MuJoCo simulation", {},
                               [](const stride::Params&) { return std::make_unique<LineEnv>(); })};
}
STRIDE_PLUGIN(Entries)
