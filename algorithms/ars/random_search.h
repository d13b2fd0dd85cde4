// The step of ARS V2-t (Mania, Guy and Recht 2018, Algorithm 2) from the
// returns of one update's perturbed rollouts.
#ifndef STRIDE_ALGORITHMS_ARS_RANDOM_SEARCH_H_
#define STRIDE_ALGORITHMS_ARS_RANDOM_SEARCH_H_

#include <cstdint>
#include <vector>

namespace stride::algorithms::ars {

// the returns of M + nu delta_k (plus) and of M - nu delta_k (minus)
struct DirectionReturns {
  double plus = 0.0;
  double minus = 0.0;
};

// the b directions whose better rollout, max(r+, r-), returned most, best
// first; of equal ones the lower index comes first
std::vector<int> TopDirections(const std::vector<DirectionReturns>& returns, int b);

// sigma_R: the standard deviation (over 2b, as numpy's std) of the returns of
// the selected directions' rollouts
double SelectedReturnStd(const std::vector<DirectionReturns>& returns,
                         const std::vector<int>& selected);

// weights[size] += step_size / (b sigma_R) sum over the selected k of
// (r+_k - r-_k) directions[k * size ...]; returns the norm of the step. With
// sigma_R = 0 every selected r+ equals its r- and there is no step.
double ApplySearchStep(const std::vector<DirectionReturns>& returns,
                       const std::vector<int>& selected, double return_std,
                       const double* directions, double step_size, double* weights, int64_t size);

}  // namespace stride::algorithms::ars

#endif  // STRIDE_ALGORITHMS_ARS_RANDOM_SEARCH_H_
