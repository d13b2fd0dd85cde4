#include "algorithms/common/matmul.h"

#include <algorithm>
#include <cstring>

#include "algorithms/common/kernel_versions.h"

namespace stride::algorithms {
namespace {

typedef float Float4 __attribute__((vector_size(16)));
typedef float Float8 __attribute__((vector_size(32)));
typedef float Float16 __attribute__((vector_size(64)));

template <typename V>
STRIDE_KERNEL_BODY V Load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}

template <typename V>
STRIDE_KERNEL_BODY void Store(float* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}

// an R x (NV vectors) block of c, its accumulators in registers
template <typename V, int R, int NV>
STRIDE_KERNEL_BODY void Block(int k, StridedMatrix a, const float* b, int64_t ldb,
                              const float* init, float* c, int64_t ldc) {
  constexpr int kWidth = sizeof(V) / sizeof(float);
  V acc[R][NV];
  for (int v = 0; v < NV; ++v) {
    const V start = init ? Load<V>(init + v * kWidth) : V{};
    for (int r = 0; r < R; ++r) acc[r][v] = start;
  }
  for (int p = 0; p < k; ++p) {
    V row[NV];
    for (int v = 0; v < NV; ++v) row[v] = Load<V>(b + p * ldb + v * kWidth);
    for (int r = 0; r < R; ++r) {
      const float s = a.data[r * a.row_stride + p * a.column_stride];
      for (int v = 0; v < NV; ++v) acc[r][v] += s * row[v];
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < NV; ++v) Store<V>(c + r * ldc + v * kWidth, acc[r][v]);
  }
}

// the columns [j, j + NV vectors) of every row, R rows at a time
template <typename V, int R, int NV>
STRIDE_KERNEL_BODY void Panel(int m, int k, StridedMatrix a, const float* b, int64_t ldb,
                              const float* init, float* c, int64_t ldc) {
  int i = 0;
  for (; i + R <= m; i += R) {
    const StridedMatrix rows{a.data + i * a.row_stride, a.row_stride, a.column_stride};
    Block<V, R, NV>(k, rows, b, ldb, init, c + i * ldc, ldc);
  }
  for (; i < m; ++i) {
    const StridedMatrix row{a.data + i * a.row_stride, a.row_stride, a.column_stride};
    Block<V, 1, NV>(k, row, b, ldb, init, c + i * ldc, ldc);
  }
}

// wide panels of V, then 4-wide ones, then single columns
template <typename V, int R, int NV>
STRIDE_KERNEL_BODY void MatMulOf(int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb,
                                 const float* init, float* c, int64_t ldc) {
  constexpr int kColumns = NV * sizeof(V) / sizeof(float);
  int j = 0;
  for (; j + kColumns <= n; j += kColumns) {
    Panel<V, R, NV>(m, k, a, b + j, ldb, init ? init + j : nullptr, c + j, ldc);
  }
  for (; j + 4 <= n; j += 4) {
    Panel<Float4, R, 1>(m, k, a, b + j, ldb, init ? init + j : nullptr, c + j, ldc);
  }
  for (; j < n; ++j) {
    for (int i = 0; i < m; ++i) {
      float sum = init ? init[j] : 0.0f;
      for (int p = 0; p < k; ++p) {
        sum += a.data[i * a.row_stride + p * a.column_stride] * b[p * ldb + j];
      }
      c[i * ldc + j] = sum;
    }
  }
}

STRIDE_TARGET_AVX512 void MatMulAvx512(int m, int n, int k, StridedMatrix a, const float* b,
                                       int64_t ldb, const float* init, float* c, int64_t ldc) {
  MatMulOf<Float16, 4, 4>(m, n, k, a, b, ldb, init, c, ldc);
}

STRIDE_TARGET_AVX2 void MatMulAvx2(int m, int n, int k, StridedMatrix a, const float* b,
                                   int64_t ldb, const float* init, float* c, int64_t ldc) {
  MatMulOf<Float8, 4, 3>(m, n, k, a, b, ldb, init, c, ldc);
}

void MatMulBaseline(int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb,
                    const float* init, float* c, int64_t ldc) {
  MatMulOf<Float4, 4, 3>(m, n, k, a, b, ldb, init, c, ldc);
}

}  // namespace

void MatMul(int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb, const float* init,
            float* c, int64_t ldc) {
  static const auto version = KernelVersion(&MatMulAvx512, &MatMulAvx2, &MatMulBaseline);
  version(m, n, k, a, b, ldb, init, c, ldc);
}

void MatMulOn(KernelPath path, int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb,
              const float* init, float* c, int64_t ldc) {
  switch (path) {
    case KernelPath::kAvx512:
      return MatMulAvx512(m, n, k, a, b, ldb, init, c, ldc);
    case KernelPath::kAvx2:
      return MatMulAvx2(m, n, k, a, b, ldb, init, c, ldc);
    case KernelPath::kBaseline:
      break;
  }
  MatMulBaseline(m, n, k, a, b, ldb, init, c, ldc);
}

void Transpose(const float* in, int rows, int columns, float* out) {
  // in tiles, so both sides stay in cache lines already loaded
  constexpr int kTile = 16;
  for (int i0 = 0; i0 < rows; i0 += kTile) {
    const int i1 = std::min(rows, i0 + kTile);
    for (int j0 = 0; j0 < columns; j0 += kTile) {
      const int j1 = std::min(columns, j0 + kTile);
      for (int j = j0; j < j1; ++j) {
        for (int i = i0; i < i1; ++i) {
          out[static_cast<int64_t>(j) * rows + i] = in[static_cast<int64_t>(i) * columns + j];
        }
      }
    }
  }
}

}  // namespace stride::algorithms
