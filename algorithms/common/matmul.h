// The matrix product of the networks, on every kernel path with the same
// bits: each output is its initial value plus the products added one at a
// time in the order of the inner dimension, unfused, whatever the vector width.
#ifndef STRIDE_ALGORITHMS_COMMON_MATMUL_H_
#define STRIDE_ALGORITHMS_COMMON_MATMUL_H_

#include <cstdint>

#include "stride/cpu.h"

namespace stride::algorithms {

// the left operand: element (i, p) at data[i * row_stride + p * column_stride],
// so a row-major matrix or its transpose
struct StridedMatrix {
  const float* data;
  int64_t row_stride;
  int64_t column_stride;
};

// c[i, j] = init[j] + sum over p < k, in order, of a(i, p) * b[p, j] for i < m,
// j < n; b and c row-major with leading dimensions ldb and ldc; init may be
// nullptr (zero)
void MatMul(int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb, const float* init,
            float* c, int64_t ldc);
// the same on a path this CPU has, rather than the active one
void MatMulOn(KernelPath path, int m, int n, int k, StridedMatrix a, const float* b, int64_t ldb,
              const float* init, float* c, int64_t ldc);

// out[j, i] = in[i, j] for a row-major [rows, columns] in
void Transpose(const float* in, int rows, int columns, float* out);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_MATMUL_H_
