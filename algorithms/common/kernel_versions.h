// Loops compiled once per kernel path (stride/cpu.h) from one body and called
// on the active path. Files using it are compiled without contraction into
// fused multiply-adds and keep each sum in one order, so every version
// computes the baseline's bits.
#ifndef STRIDE_ALGORITHMS_COMMON_KERNEL_VERSIONS_H_
#define STRIDE_ALGORITHMS_COMMON_KERNEL_VERSIONS_H_

#include "stride/cpu.h"

namespace stride::algorithms {

// the version of a kernel for path
template <typename Function>
Function KernelVersion(KernelPath path, Function avx512, Function avx2, Function baseline) {
  switch (path) {
    case KernelPath::kAvx512:
      return avx512;
    case KernelPath::kAvx2:
      return avx2;
    case KernelPath::kBaseline:
      break;
  }
  return baseline;
}

}  // namespace stride::algorithms

#if defined(__x86_64__) && defined(__GNUC__)
#define STRIDE_TARGET_AVX512 __attribute__((target("avx512f")))
#define STRIDE_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define STRIDE_TARGET_AVX512
#define STRIDE_TARGET_AVX2
#endif

// a kernel's body, inlined into each path's version
#define STRIDE_KERNEL_BODY inline __attribute__((always_inline))

// defines `void name params`, which runs `name##Body args` compiled for the
// active path
#define STRIDE_KERNEL_VERSIONS(name, params, args)                                  \
  STRIDE_TARGET_AVX512 void name##Avx512 params { name##Body args; }                \
  STRIDE_TARGET_AVX2 void name##Avx2 params { name##Body args; }                    \
  void name##Baseline params { name##Body args; }                                   \
  void name params {                                                                \
    static void(*const version) params = ::stride::algorithms::KernelVersion(       \
        ::stride::ActiveKernelPath(), &name##Avx512, &name##Avx2, &name##Baseline); \
    version args;                                                                   \
  }

#endif  // STRIDE_ALGORITHMS_COMMON_KERNEL_VERSIONS_H_
