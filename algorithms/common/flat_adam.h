// Adam (Kingma and Ba 2015) over a range of a flat parameter array, with the
// update torch::optim::Adam makes, and gradient-norm clipping. Torch-free.
#ifndef STRIDE_ALGORITHMS_COMMON_FLAT_ADAM_H_
#define STRIDE_ALGORITHMS_COMMON_FLAT_ADAM_H_

#include <cstdint>
#include <vector>

namespace stride::algorithms {

class FlatAdam {
 public:
  // optimizes parameters [begin, end) of a flat array
  FlatAdam(int64_t begin, int64_t end, double eps = 1e-8, double beta1 = 0.9, double beta2 = 0.999);

  // one step of params[begin, end) along gradient[begin, end)
  void Step(float* params, const float* gradient, double learning_rate);

  // steps taken and the moment estimates, for checkpoints
  int64_t steps = 0;
  std::vector<float> first_moment, second_moment;

 private:
  int64_t begin_, end_;
  double eps_, beta1_, beta2_;
};

// scales gradient so its Euclidean norm is at most max_norm, as
// torch::nn::utils::clip_grad_norm_ does; returns the norm before clipping
double ClipGradientNorm(std::vector<float>& gradient, double max_norm);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_FLAT_ADAM_H_
