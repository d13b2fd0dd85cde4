// Elementwise loops compiled for AVX-512, AVX2 and the x86-64 baseline, one
// picked by the CPU at load time. The files using it are compiled without
// contraction into fused multiply-adds, so every version computes the same
// bits as the baseline.
#ifndef STRIDE_ALGORITHMS_COMMON_VECTOR_CLONES_H_
#define STRIDE_ALGORITHMS_COMMON_VECTOR_CLONES_H_

#if defined(__x86_64__) && defined(__GNUC__)
#define STRIDE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define STRIDE_VECTOR_CLONES
#endif

#endif  // STRIDE_ALGORITHMS_COMMON_VECTOR_CLONES_H_
