// A multilayer perceptron on raw float buffers: forward and backward passes
// on stride's own matrix kernels (the same bits on every CPU), parameters and
// gradients in flat arrays the caller owns. Torch-free, so rollouts and
// updates pay no per-operation overhead.
#ifndef STRIDE_ALGORITHMS_COMMON_MLP_H_
#define STRIDE_ALGORITHMS_COMMON_MLP_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace stride::algorithms {

enum class Activation { kTanh, kRelu };

// "tanh" or "relu"; throws ConfigError otherwise
Activation ParseActivation(const std::string& name);
const char* ActivationName(Activation activation);

// the tanh the networks use: a rational function of degree 13 over 6 on
// [-7.9, 7.9] (the approximation Eigen uses), within a few float ulps of
// std::tanh and, unlike it, vectorized by the compiler: libm's tanh was most
// of the cost of a small network's update
inline float Tanh(float x) {
  const float clamped = std::max(-7.90531110763549805f, std::min(x, 7.90531110763549805f));
  const float x2 = clamped * clamped;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = x2 * p + -8.60467152213735e-11f;
  p = x2 * p + 5.12229709037114e-08f;
  p = x2 * p + 1.48572235717979e-05f;
  p = x2 * p + 6.37261928875436e-04f;
  p = x2 * p + 4.89352455891786e-03f;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = x2 * q + 2.26843463243900e-03f;
  q = x2 * q + 4.89352518554385e-03f;
  return std::abs(x) < 0.0004f ? x : clamped * p / q;
}

// the hidden activations of one forward pass, kept for the backward pass
struct MlpActivations {
  // one [rows, width] buffer per hidden layer
  std::vector<std::vector<float>> hidden;
  // scratch for the gradients flowing back, [rows, widest layer] twice
  std::vector<float> grad_a, grad_b;
  // each layer's weight as last seen and transposed, for the forward pass,
  // which transposes again only a weight that changed
  std::vector<std::vector<float>> weights, transposed;
};

class Mlp {
 public:
  // linear layers input -> hidden... -> output, the activation after every hidden one
  Mlp(int input, const std::vector<int64_t>& hidden, int output, Activation activation);

  int input() const { return sizes_.front(); }
  int output() const { return sizes_.back(); }
  int num_layers() const { return static_cast<int>(sizes_.size()) - 1; }
  // layer i: weight [out, in] row-major at weight_offset(i), bias [out] at bias_offset(i),
  // as torch::nn::Linear lays them out
  int64_t weight_offset(int layer) const { return offsets_[layer]; }
  int64_t bias_offset(int layer) const {
    return offsets_[layer] + sizes_[layer + 1] * sizes_[layer];
  }
  int64_t num_parameters() const { return offsets_.back(); }

  // y[rows, output] = f(x[rows, input]); the hidden activations go to cache
  void Forward(const float* params, const float* x, int rows, MlpActivations& cache,
               float* y) const;
  // gradients of a loss with d_y = dL/dy [rows, output] written (not added) to
  // grads, laid out as params; needs the cache of Forward on the same x
  void Backward(const float* params, const float* x, int rows, MlpActivations& cache,
                const float* d_y, float* grads) const;

 private:
  std::vector<int> sizes_;
  std::vector<int64_t> offsets_;
  Activation activation_;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_MLP_H_
