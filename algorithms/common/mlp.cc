#include "algorithms/common/mlp.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "algorithms/common/kernel_versions.h"
#include "algorithms/common/matmul.h"
#include "stride/error.h"

namespace stride::algorithms {
namespace {

STRIDE_KERNEL_BODY void TanhInPlaceBody(float* v, int64_t n) {
  for (int64_t k = 0; k < n; ++k) v[k] = Tanh(v[k]);
}
STRIDE_KERNEL_VERSIONS(TanhInPlace, (float* v, int64_t n), (v, n))

STRIDE_KERNEL_BODY void ReluInPlaceBody(float* v, int64_t n) {
  for (int64_t k = 0; k < n; ++k) v[k] = std::max(v[k], 0.0f);
}
STRIDE_KERNEL_VERSIONS(ReluInPlace, (float* v, int64_t n), (v, n))

// d[k] *= tanh'(pre-activation) given the activation a[k] = tanh(.)
STRIDE_KERNEL_BODY void TanhBackwardInPlaceBody(float* d, const float* a, int64_t n) {
  for (int64_t k = 0; k < n; ++k) d[k] *= 1.0f - a[k] * a[k];
}
STRIDE_KERNEL_VERSIONS(TanhBackwardInPlace, (float* d, const float* a, int64_t n), (d, a, n))

STRIDE_KERNEL_BODY void ReluBackwardInPlaceBody(float* d, const float* a, int64_t n) {
  for (int64_t k = 0; k < n; ++k) d[k] = a[k] > 0.0f ? d[k] : 0.0f;
}
STRIDE_KERNEL_VERSIONS(ReluBackwardInPlace, (float* d, const float* a, int64_t n), (d, a, n))

// y[rows, out] = b + x[rows, in] W^T, through W^T, which weight and
// transposed keep while W does not change
void Linear(const float* w, const float* b, const float* x, int rows, int in, int out,
            std::vector<float>& weight, std::vector<float>& transposed, float* y) {
  const size_t size = static_cast<size_t>(in) * out;
  if (weight.size() != size || std::memcmp(weight.data(), w, size * sizeof(float)) != 0) {
    weight.assign(w, w + size);
    transposed.resize(size);
    Transpose(w, out, in, transposed.data());
  }
  MatMul(rows, out, in, {x, in, 1}, transposed.data(), out, b, y, out);
}

}  // namespace

Activation ParseActivation(const std::string& name) {
  if (name == "tanh") return Activation::kTanh;
  if (name == "relu") return Activation::kRelu;
  throw ConfigError(fmt::format("activation '{}' is not one of: tanh, relu", name));
}

const char* ActivationName(Activation activation) {
  return activation == Activation::kTanh ? "tanh" : "relu";
}

Mlp::Mlp(int input, const std::vector<int64_t>& hidden, int output, Activation activation)
    : activation_(activation) {
  sizes_.push_back(input);
  for (int64_t width : hidden) sizes_.push_back(static_cast<int>(width));
  sizes_.push_back(output);
  offsets_.push_back(0);
  for (int i = 0; i + 1 < static_cast<int>(sizes_.size()); ++i) {
    offsets_.push_back(offsets_.back() + static_cast<int64_t>(sizes_[i + 1]) * (sizes_[i] + 1));
  }
}

void Mlp::Forward(const float* params, const float* x, int rows, MlpActivations& cache,
                  float* y) const {
  cache.hidden.resize(num_layers() - 1);
  cache.weights.resize(num_layers());
  cache.transposed.resize(num_layers());
  const float* in = x;
  for (int i = 0; i < num_layers(); ++i) {
    const int out_size = sizes_[i + 1];
    const bool last = i + 1 == num_layers();
    float* out = y;
    if (!last) {
      cache.hidden[i].resize(static_cast<size_t>(rows) * out_size);
      out = cache.hidden[i].data();
    }
    Linear(params + weight_offset(i), params + bias_offset(i), in, rows, sizes_[i], out_size,
           cache.weights[i], cache.transposed[i], out);
    if (!last) {
      const int64_t n = static_cast<int64_t>(rows) * out_size;
      if (activation_ == Activation::kTanh) {
        TanhInPlace(out, n);
      } else {
        ReluInPlace(out, n);
      }
    }
    in = out;
  }
}

void Mlp::Backward(const float* params, const float* x, int rows, MlpActivations& cache,
                   const float* d_y, float* grads) const {
  const int widest = *std::max_element(sizes_.begin(), sizes_.end());
  cache.grad_a.resize(static_cast<size_t>(rows) * widest);
  cache.grad_b.resize(static_cast<size_t>(rows) * widest);
  // d_out: dL/d(pre-activation) of layer i, [rows, out]
  const float* d_out = d_y;
  for (int i = num_layers() - 1; i >= 0; --i) {
    const int in_size = sizes_[i], out_size = sizes_[i + 1];
    const float* in = i == 0 ? x : cache.hidden[i - 1].data();

    // dW = d_out^T in, db = column sums of d_out
    MatMul(out_size, in_size, rows, {d_out, 1, out_size}, in, in_size, nullptr,
           grads + weight_offset(i), in_size);
    float* db = grads + bias_offset(i);
    std::fill_n(db, out_size, 0.0f);
    for (int r = 0; r < rows; ++r) {
      const float* row = d_out + static_cast<int64_t>(r) * out_size;
      for (int j = 0; j < out_size; ++j) db[j] += row[j];
    }
    if (i == 0) break;

    // d_in = d_out W, through the activation of the layer below
    float* d_in = (d_out == cache.grad_a.data()) ? cache.grad_b.data() : cache.grad_a.data();
    MatMul(rows, in_size, out_size, {d_out, out_size, 1}, params + weight_offset(i), in_size,
           nullptr, d_in, in_size);
    const int64_t n = static_cast<int64_t>(rows) * in_size;
    if (activation_ == Activation::kTanh) {
      TanhBackwardInPlace(d_in, in, n);
    } else {
      ReluBackwardInPlace(d_in, in, n);
    }
    d_out = d_in;
  }
}

}  // namespace stride::algorithms
