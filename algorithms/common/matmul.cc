#include "algorithms/common/matmul.h"

#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

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

// an R x (NV vectors) block of c, its accumulators in registers; the last
// vector of each row stores its first `last` floats only
template <typename V, int R, int NV>
STRIDE_KERNEL_BODY void Block(int k, StridedMatrix a, const float* b, int64_t ldb,
                              const float* init, float* c, int64_t ldc, int last) {
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
    for (int v = 0; v + 1 < NV; ++v) Store<V>(c + r * ldc + v * kWidth, acc[r][v]);
    if (last == kWidth) {
      Store<V>(c + r * ldc + (NV - 1) * kWidth, acc[r][NV - 1]);
    } else {
      std::memcpy(c + r * ldc + (NV - 1) * kWidth, &acc[r][NV - 1], last * sizeof(float));
    }
  }
}

// the columns [j, j + NV vectors) of every row, R rows at a time
template <typename V, int R, int NV>
STRIDE_KERNEL_BODY void Panel(int m, int k, StridedMatrix a, const float* b, int64_t ldb,
                              const float* init, float* c, int64_t ldc,
                              int last = sizeof(V) / sizeof(float)) {
  int i = 0;
  for (; i + R <= m; i += R) {
    const StridedMatrix rows{a.data + i * a.row_stride, a.row_stride, a.column_stride};
    Block<V, R, NV>(k, rows, b, ldb, init, c + i * ldc, ldc, last);
  }
  for (; i < m; ++i) {
    const StridedMatrix row{a.data + i * a.row_stride, a.row_stride, a.column_stride};
    Block<V, 1, NV>(k, row, b, ldb, init, c + i * ldc, ldc, last);
  }
}

// panels of NV vectors V (R rows at a time), then of one V (R1 rows), then
// 4-wide ones (R4 rows); the last 1 to 3 columns through a copy of them padded
// with zeros to 4. Narrow panels take more rows, to keep as many independent
// sums in flight.
template <typename V, int R, int NV, int R1, int R4>
STRIDE_KERNEL_BODY void MatMulOf(int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb,
                                 const float* init, float* c, int64_t ldc) {
  constexpr int kWidth = sizeof(V) / sizeof(float);
  int j = 0;
  for (; j + NV * kWidth <= n; j += NV * kWidth) {
    Panel<V, R, NV>(m, k, a, b + j, ldb, init ? init + j : nullptr, c + j, ldc);
  }
  for (; j + kWidth <= n; j += kWidth) {
    Panel<V, R1, 1>(m, k, a, b + j, ldb, init ? init + j : nullptr, c + j, ldc);
  }
  for (; j + 4 <= n; j += 4) {
    Panel<Float4, R4, 1>(m, k, a, b + j, ldb, init ? init + j : nullptr, c + j, ldc);
  }
  const int rest = n - j;
  if (rest == 0) return;
  thread_local std::vector<float> padded;
  padded.assign(static_cast<size_t>(k) * 4, 0.0f);
  for (int p = 0; p < k; ++p) std::memcpy(&padded[p * 4], b + p * ldb + j, rest * sizeof(float));
  float padded_init[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  if (init) std::memcpy(padded_init, init + j, rest * sizeof(float));
  Panel<Float4, R4, 1>(m, k, a, padded.data(), 4, init ? padded_init : nullptr, c + j, ldc, rest);
}

STRIDE_TARGET_AVX512 void MatMulAvx512(int m, int n, int k, StridedMatrix a, const float* b,
                                       int64_t ldb, const float* init, float* c, int64_t ldc) {
  MatMulOf<Float16, 4, 4, 8, 16>(m, n, k, a, b, ldb, init, c, ldc);
}

STRIDE_TARGET_AVX2 void MatMulAvx2(int m, int n, int k, StridedMatrix a, const float* b,
                                   int64_t ldb, const float* init, float* c, int64_t ldc) {
  MatMulOf<Float8, 4, 3, 8, 12>(m, n, k, a, b, ldb, init, c, ldc);
}

void MatMulBaseline(int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb,
                    const float* init, float* c, int64_t ldc) {
  MatMulOf<Float4, 4, 3, 8, 8>(m, n, k, a, b, ldb, init, c, ldc);
}

}  // namespace

void MatMul(int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb, const float* init,
            float* c, int64_t ldc) {
  MatMulOn(ActiveKernelPath(), m, n, k, a, b, ldb, init, c, ldc);
}

void MatMulOn(KernelPath path, int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb,
              const float* init, float* c, int64_t ldc) {
  KernelVersion(path, &MatMulAvx512, &MatMulAvx2, &MatMulBaseline)(m, n, k, a, b, ldb, init, c,
                                                                   ldc);
}

void Transpose(const float* in, int rows, int columns, float* out) {
  const auto at = [](int64_t row, int64_t column, int64_t stride) { return row * stride + column; };
  int i = 0;
#if defined(__SSE2__)
  // 4 x 4 blocks through registers
  for (; i + 4 <= rows; i += 4) {
    int j = 0;
    for (; j + 4 <= columns; j += 4) {
      __m128 r0 = _mm_loadu_ps(in + at(i, j, columns));
      __m128 r1 = _mm_loadu_ps(in + at(i + 1, j, columns));
      __m128 r2 = _mm_loadu_ps(in + at(i + 2, j, columns));
      __m128 r3 = _mm_loadu_ps(in + at(i + 3, j, columns));
      _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
      _mm_storeu_ps(out + at(j, i, rows), r0);
      _mm_storeu_ps(out + at(j + 1, i, rows), r1);
      _mm_storeu_ps(out + at(j + 2, i, rows), r2);
      _mm_storeu_ps(out + at(j + 3, i, rows), r3);
    }
    for (; j < columns; ++j) {
      for (int r = i; r < i + 4; ++r) out[at(j, r, rows)] = in[at(r, j, columns)];
    }
  }
#endif
  for (; i < rows; ++i) {
    for (int j = 0; j < columns; ++j) out[at(j, i, rows)] = in[at(i, j, columns)];
  }
}

}  // namespace stride::algorithms
