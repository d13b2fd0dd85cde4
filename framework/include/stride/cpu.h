// The processor stride computes on, and the vector path its own kernels take.
// Every path computes the same bits: a kernel's path changes its speed only.
#ifndef STRIDE_CPU_H_
#define STRIDE_CPU_H_

#include <string>

namespace stride {

enum class KernelPath { kBaseline, kAvx2, kAvx512 };

// "baseline" (x86-64's SSE2), "avx2" or "avx512"
const char* KernelPathName(KernelPath path);

// whether this CPU runs path
bool KernelPathAvailable(KernelPath path);

// the widest path this CPU runs, or the one STRIDE_KERNEL_PATH names; a
// ConfigError if that names no path or one this CPU lacks. Chosen once.
KernelPath ActiveKernelPath();

// Pins the arithmetic of the libraries stride calls to one path on every
// x86-64 CPU: glibc's libm without its FMA variants, which glibc picks when
// the process loads, so the process starts again once (execv) with them masked
// in GLIBC_TUNABLES; and LibTorch's CPU kernels at their baseline
// (ATEN_CPU_CAPABILITY=default). Returns once pinned, or with a warning if the
// process cannot start again.
void PinArithmetic(char** argv);
// whether this process runs with the arithmetic pinned
bool ArithmeticPinned();

// the CPU's model name ("unknown" where /proc/cpuinfo does not say)
std::string CpuModel();
// the vector extensions among sse2, avx, avx2, fma, avx512f this CPU has,
// space-separated
std::string CpuVectorExtensions();

}  // namespace stride

#endif  // STRIDE_CPU_H_
