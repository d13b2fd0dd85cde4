#include "stride/cpu.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride {

bool KernelPathAvailable(KernelPath path) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  switch (path) {
    case KernelPath::kAvx512:
      return __builtin_cpu_supports("avx512f");
    case KernelPath::kAvx2:
      return __builtin_cpu_supports("avx2");
    case KernelPath::kBaseline:
      return true;
  }
  return false;
#else
  return path == KernelPath::kBaseline;
#endif
}

namespace {

KernelPath ChoosePath() {
  const char* forced = std::getenv("STRIDE_KERNEL_PATH");
  if (forced == nullptr || *forced == '\0') {
    for (KernelPath path : {KernelPath::kAvx512, KernelPath::kAvx2}) {
      if (KernelPathAvailable(path)) return path;
    }
    return KernelPath::kBaseline;
  }
  for (KernelPath path : {KernelPath::kBaseline, KernelPath::kAvx2, KernelPath::kAvx512}) {
    if (forced != std::string(KernelPathName(path))) continue;
    if (!KernelPathAvailable(path)) {
      throw ConfigError(
          fmt::format("STRIDE_KERNEL_PATH={}: this CPU ({}) does not have it", forced, CpuModel()));
    }
    return path;
  }
  throw ConfigError(
      fmt::format("STRIDE_KERNEL_PATH={} is not a kernel path: baseline, avx2 or avx512", forced));
}

constexpr char kPinned[] = "STRIDE_ARITHMETIC_PINNED";
constexpr char kHwcaps[] = "glibc.cpu.hwcaps=";
// Intel's and AMD's fused multiply-adds; glibc's AVX variants compute the SSE2 bits
constexpr char kMask[] = "-FMA,-FMA4";

// tunables with the FMA variants masked, keeping the user's
std::string WithFmaMasked(const char* tunables) {
  std::string text = tunables ? tunables : "";
  const size_t at = text.find(kHwcaps);
  if (at == std::string::npos) return text + (text.empty() ? "" : ":") + kHwcaps + kMask;
  const size_t end = text.find(':', at);
  const size_t insert = end == std::string::npos ? text.size() : end;
  const bool empty = insert == at + std::strlen(kHwcaps);
  return text.insert(insert, std::string(empty ? "" : ",") + kMask);
}

}  // namespace

void PinArithmetic(char** argv) {
  // started again once already (pinned or not): never loop
  if (std::getenv(kPinned) != nullptr) return;
  setenv("ATEN_CPU_CAPABILITY", "default", 1);
  setenv("GLIBC_TUNABLES", WithFmaMasked(std::getenv("GLIBC_TUNABLES")).c_str(), 1);
  setenv(kPinned, "1", 1);
  execv("/proc/self/exe", argv);
  std::fprintf(stderr,
               "warning: cannot start again with glibc's FMA variants masked (/proc/self/exe: "
               "%s); this process computes with the CPU's own libm and may give other bits than "
               "another CPU\n",
               std::strerror(errno));
}

bool ArithmeticPinned() {
  // what this process was loaded with, not only what it asked for
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const char* capability = std::getenv("ATEN_CPU_CAPABILITY");
  return std::getenv(kPinned) != nullptr && tunables != nullptr &&
         std::strstr(tunables, kMask) != nullptr && capability != nullptr &&
         std::string(capability) == "default";
}

const char* KernelPathName(KernelPath path) {
  switch (path) {
    case KernelPath::kAvx512:
      return "avx512";
    case KernelPath::kAvx2:
      return "avx2";
    case KernelPath::kBaseline:
      break;
  }
  return "baseline";
}

KernelPath ActiveKernelPath() {
  static const KernelPath path = ChoosePath();
  return path;
}

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    const size_t start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? "unknown" : line.substr(start);
  }
  return "unknown";
}

std::string CpuVectorExtensions() {
  std::string out;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  const auto add = [&out](bool has, const char* name) {
    if (has) out += (out.empty() ? "" : " ") + std::string(name);
  };
  add(__builtin_cpu_supports("sse2"), "sse2");
  add(__builtin_cpu_supports("avx"), "avx");
  add(__builtin_cpu_supports("avx2"), "avx2");
  add(__builtin_cpu_supports("fma"), "fma");
  add(__builtin_cpu_supports("avx512f"), "avx512f");
#endif
  return out;
}

}  // namespace stride
