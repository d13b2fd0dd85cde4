#include <fmt/format.h>

#include "stride/error.h"
#include "stride/vec_env.h"

namespace stride {

RewardFunction::RewardFunction(std::vector<Term> terms,
                               const std::vector<std::string>& signal_names)
    : terms_(std::move(terms)) {
  SignalIndex index(signal_names);
  for (Term& term : terms_) {
    try {
      std::const_pointer_cast<RewardTerm>(term.term)->Bind(index);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("reward '{}': {}", term.name, e.what()));
    }
  }
}

double RewardFunction::Evaluate(const double* signals, double* term_values) const {
  double total = 0.0;
  for (size_t i = 0; i < terms_.size(); ++i) {
    term_values[i] = terms_[i].weight * terms_[i].term->Value(signals);
    total += term_values[i];
  }
  return total;
}

}  // namespace stride
