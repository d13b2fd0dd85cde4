// The matrix kernel: every path this CPU has gives the baseline's bits, on
// shapes with and without tails, and the products are right.
#include "algorithms/common/matmul.h"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace stride::algorithms {
namespace {

struct Product {
  std::vector<float> a, b, init;
  int m, n, k;
  bool transposed;
};

Product RandomProduct(int m, int n, int k, bool transposed, std::mt19937& random) {
  std::normal_distribution<float> normal;
  Product p{std::vector<float>(static_cast<size_t>(m) * k),
            std::vector<float>(static_cast<size_t>(k) * n),
            std::vector<float>(n),
            m,
            n,
            k,
            transposed};
  for (float& x : p.a) x = normal(random);
  for (float& x : p.b) x = normal(random);
  for (float& x : p.init) x = normal(random);
  return p;
}

std::vector<float> Compute(KernelPath path, const Product& p, bool with_init) {
  std::vector<float> c(static_cast<size_t>(p.m) * p.n, NAN);
  const StridedMatrix a =
      p.transposed ? StridedMatrix{p.a.data(), 1, p.m} : StridedMatrix{p.a.data(), p.k, 1};
  MatMulOn(path, p.m, p.n, p.k, a, p.b.data(), p.n, with_init ? p.init.data() : nullptr, c.data(),
           p.n);
  return c;
}

TEST(MatMulTest, EveryPathComputesTheBaselineBits) {
  std::mt19937 random(7);
  int paths_compared = 0;
  for (int m : {1, 3, 4, 5, 17, 128}) {
    for (int n : {1, 3, 4, 6, 14, 16, 17, 48, 64, 70, 256}) {
      for (int k : {1, 6, 14, 64}) {
        for (bool transposed : {false, true}) {
          const Product p = RandomProduct(m, n, k, transposed, random);
          for (bool with_init : {false, true}) {
            const std::vector<float> baseline = Compute(KernelPath::kBaseline, p, with_init);
            for (KernelPath path : {KernelPath::kAvx2, KernelPath::kAvx512}) {
              if (!KernelPathAvailable(path)) continue;
              const std::vector<float> other = Compute(path, p, with_init);
              ASSERT_EQ(std::memcmp(other.data(), baseline.data(), baseline.size() * 4), 0)
                  << KernelPathName(path) << " m=" << m << " n=" << n << " k=" << k;
              ++paths_compared;
            }
          }
        }
      }
    }
  }
  if (paths_compared == 0) GTEST_SKIP() << "this CPU has only the baseline path";
}

TEST(MatMulTest, SumsInTheInnerDimensionsOrder) {
  std::mt19937 random(3);
  for (bool transposed : {false, true}) {
    const Product p = RandomProduct(9, 37, 21, transposed, random);
    const std::vector<float> c = Compute(ActiveKernelPath(), p, true);
    for (int i = 0; i < p.m; ++i) {
      for (int j = 0; j < p.n; ++j) {
        // the same sum, one unfused product at a time, in float
        volatile float sum = p.init[j];
        for (int q = 0; q < p.k; ++q) {
          const float a = transposed ? p.a[q * p.m + i] : p.a[i * p.k + q];
          volatile float product = a * p.b[q * p.n + j];
          sum = sum + product;
        }
        ASSERT_EQ(c[i * p.n + j], sum) << i << "," << j;
      }
    }
  }
}

TEST(MatMulTest, TransposeSwapsRowsAndColumns) {
  const std::vector<float> in = {1, 2, 3, 4, 5, 6};
  std::vector<float> out(6);
  Transpose(in.data(), 2, 3, out.data());
  EXPECT_EQ(out, (std::vector<float>{1, 4, 2, 5, 3, 6}));
  // 4 x 4 blocks and the rows and columns beyond them
  for (const auto& [rows, columns] : {std::pair{9, 7}, std::pair{8, 8}, std::pair{64, 17}}) {
    std::vector<float> matrix(rows * columns), transposed(rows * columns);
    for (size_t k = 0; k < matrix.size(); ++k) matrix[k] = static_cast<float>(k);
    Transpose(matrix.data(), rows, columns, transposed.data());
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < columns; ++j) {
        ASSERT_EQ(transposed[j * rows + i], matrix[i * columns + j]) << rows << "x" << columns;
      }
    }
  }
}

}  // namespace
}  // namespace stride::algorithms
