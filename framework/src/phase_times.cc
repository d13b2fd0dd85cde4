#include "stride/phase_times.h"

#include <mutex>

namespace stride {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<std::pair<std::string, double>> phases;
};

Registry& Phases() {
  static Registry registry;
  return registry;
}

}  // namespace

void AddPhaseTime(const std::string& phase, double seconds) {
  Registry& registry = Phases();
  std::lock_guard<std::mutex> lock(registry.mutex);
  for (auto& [name, total] : registry.phases) {
    if (name == phase) {
      total += seconds;
      return;
    }
  }
  registry.phases.emplace_back(phase, seconds);
}

std::vector<std::pair<std::string, double>> PhaseTimes() {
  Registry& registry = Phases();
  std::lock_guard<std::mutex> lock(registry.mutex);
  return registry.phases;
}

void ResetPhaseTimes() {
  Registry& registry = Phases();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.phases.clear();
}

}  // namespace stride
