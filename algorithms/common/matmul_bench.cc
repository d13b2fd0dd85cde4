// The networks' matrix products on stride's kernels, on every path this CPU
// has, against OpenBLAS's sgemm on the kernel it picked (OPENBLAS_CORETYPE
// chooses another): GFLOP/s, the best of several timed repetitions.
//
//   matmul_bench [--seconds S]
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "algorithms/common/matmul.h"
#include "stride/cpu.h"

// OpenBLAS's own entries, beside the standard CBLAS ones
extern "C" char* openblas_get_config();
extern "C" char* openblas_get_corename();

namespace stride::algorithms {
namespace {

using Clock = std::chrono::steady_clock;

// one product of a layer: c[m, n] from a[m, k] and b[k, n] in a network's layout
struct Shape {
  const char* network;
  const char* product;
  int m, n, k;
  // the left operand's layout: row-major [m, k], or transposed (stored [k, m])
  bool a_transposed;
  // the right operand's layout: row-major [k, n], or transposed (stored [n, k])
  bool b_transposed;
};

// PPO's 64 x 64 networks (the biped's 17 observations, 6 actions) on
// minibatches of 128 rows in 2 shards; SAC's
// 256 x 256 critic on batches of 256
const Shape kShapes[] = {
    {"ppo 64x64, 64 rows", "forward  y = x W^T", 64, 64, 64, false, true},
    {"ppo 64x64, 64 rows", "weights  dW = dY^T X", 64, 64, 64, true, false},
    {"ppo 64x64, 64 rows", "inputs   dX = dY W", 64, 64, 64, false, false},
    {"ppo 17->64, 64 rows", "forward  y = x W^T", 64, 64, 17, false, true},
    {"ppo 17->64, 64 rows", "weights  dW = dY^T X", 64, 17, 64, true, false},
    {"ppo 64->6, 64 rows", "forward  y = x W^T", 64, 6, 64, false, true},
    {"ppo 64->6, 64 rows", "inputs   dX = dY W", 64, 64, 6, false, false},
    {"sac 256x256, 256 rows", "forward  y = x W^T", 256, 256, 256, false, true},
    {"sac 256x256, 256 rows", "weights  dW = dY^T X", 256, 256, 256, true, false},
    {"sac 256x256, 256 rows", "inputs   dX = dY W", 256, 256, 256, false, false},
};

// the best time of one call of run over repetitions lasting about seconds
double BestSeconds(const std::function<void()>& run, double seconds) {
  run();
  double best = 1e30;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    const auto start = Clock::now();
    for (int i = 0; i < 10; ++i) run();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count() / 10);
  }
  return best;
}

}  // namespace

int Main(int argc, char** argv) {
  double seconds = 0.5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
  }
  std::printf("cpu: %s (%s)\n", CpuModel().c_str(), CpuVectorExtensions().c_str());
  std::printf("OpenBLAS: %s\n", openblas_get_config());
  std::printf("OpenBLAS kernel: %s\n\n", openblas_get_corename());
  std::printf("%-24s %-22s %8s %8s %8s %8s\n", "network", "product", "OpenBLAS", "avx512", "avx2",
              "baseline");
  std::mt19937 random(0);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (const Shape& s : kShapes) {
    std::vector<float> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.k) * s.n),
        c(static_cast<size_t>(s.m) * s.n), bt(b.size());
    for (float& x : a) x = uniform(random);
    for (float& x : b) x = uniform(random);
    const double flops = 2.0 * s.m * s.n * s.k;
    const double blas = BestSeconds(
        [&] {
          cblas_sgemm(CblasRowMajor, s.a_transposed ? CblasTrans : CblasNoTrans,
                      s.b_transposed ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, 1.0f, a.data(),
                      s.a_transposed ? s.m : s.k, b.data(), s.b_transposed ? s.k : s.n, 0.0f,
                      c.data(), s.n);
        },
        seconds);
    std::printf("%-24s %-22s %8.1f", s.network, s.product, flops / blas * 1e-9);
    for (KernelPath path : {KernelPath::kAvx512, KernelPath::kAvx2, KernelPath::kBaseline}) {
      if (!KernelPathAvailable(path)) {
        std::printf(" %8s", "-");
        continue;
      }
      const StridedMatrix left =
          s.a_transposed ? StridedMatrix{a.data(), 1, s.m} : StridedMatrix{a.data(), s.k, 1};
      const double ours = BestSeconds(
          [&] {
            // a transposed right operand is transposed first, as the forward pass does
            const float* right = b.data();
            if (s.b_transposed) {
              Transpose(b.data(), s.n, s.k, bt.data());
              right = bt.data();
            }
            MatMulOn(path, s.m, s.n, s.k, left, right, s.n, nullptr, c.data(), s.n);
          },
          seconds);
      std::printf(" %8.1f", flops / ours * 1e-9);
    }
    std::printf("\n");
  }
  std::printf("\nGFLOP/s, one thread, best of repetitions over %.1f s each\n", seconds);
  return 0;
}

}  // namespace stride::algorithms

int main(int argc, char** argv) { return stride::algorithms::Main(argc, argv); }
