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

// the innermost running timer of this thread
thread_local PhaseTimer* g_innermost = nullptr;

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

PhaseTimer::PhaseTimer(const char* phase)
    : phase_(phase), start_(std::chrono::steady_clock::now()), outer_(g_innermost) {
  g_innermost = this;
}

PhaseTimer::~PhaseTimer() {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  AddPhaseTime(phase_, seconds - nested_seconds_);
  if (outer_) outer_->nested_seconds_ += seconds;
  g_innermost = outer_;
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
