// A multilayer perceptron on raw float buffers: forward and backward passes
// with BLAS, parameters and gradients in flat arrays the caller owns. Torch-free,
// so rollouts and updates pay no per-operation overhead.
#ifndef STRIDE_ALGORITHMS_COMMON_MLP_H_
#define STRIDE_ALGORITHMS_COMMON_MLP_H_

#include <cstdint>
#include <string>
#include <vector>

namespace stride::algorithms {

enum class Activation { kTanh, kRelu };

// "tanh" or "relu"; throws ConfigError otherwise
Activation ParseActivation(const std::string& name);
const char* ActivationName(Activation activation);

// the tanh the networks use: a rational approximation within a few float ulps
// of std::tanh that the compiler vectorizes
float Tanh(float x);

// the hidden activations of one forward pass, kept for the backward pass
struct MlpActivations {
  // one [rows, width] buffer per hidden layer
  std::vector<std::vector<float>> hidden;
  // scratch for the gradients flowing back, [rows, widest layer] twice
  std::vector<float> grad_a, grad_b;
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
  int64_t bias_offset(int layer) const { return offsets_[layer] + sizes_[layer + 1] * sizes_[layer]; }
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
