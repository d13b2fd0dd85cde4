// One arithmetic on every CPU: the quickstart trained on each kernel path this
// CPU has, with glibc's FMA or AVX2 variants masked, and with OpenBLAS on its
// SSE3 kernels, writes the same metrics, evaluations, checkpoint and policy
// bytes.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "stride/cpu.h"

namespace stride::testing {
namespace {

using ::testing::HasSubstr;

// three updates of the quickstart, an evaluation and a checkpoint after each
constexpr char kShortRun[] =
    " --set experiment.total_steps=12_288 --set experiment.checkpoint_every_steps=4_096"
    " --set evaluation.every_steps=4_096 --set evaluation.episodes=2"
    " --set evaluation.stop_on_success=false";

struct Outputs {
  std::string metrics, eval, checkpoint, policy, manifest;
};

Outputs Train(const std::string& name, const std::string& environment) {
  const std::string dir = TempDir("arithmetic_" + name);
  const CliResult run =
      RunStride("run " STRIDE_SOURCE_DIR "/experiments/quickstart.toml --out " + dir + kShortRun,
                environment);
  EXPECT_EQ(run.exit_code, 0) << name << ": " << run.err;
  const std::string seed = dir + "/quickstart/seed_0";
  return {DeterministicColumns(seed + "/metrics.csv"), DeterministicColumns(seed + "/eval.csv"),
          ReadFile(seed + "/checkpoints/checkpoint.pt"), ReadFile(seed + "/policy.pt"),
          ReadFile(seed + "/manifest.json")};
}

TEST(ArithmeticTest, EveryPathAndMaskTrainsTheSameBits) {
  const Outputs reference = Train("baseline", "STRIDE_KERNEL_PATH=baseline");
  EXPECT_THAT(reference.manifest, HasSubstr("\"kernel_path\": \"baseline\""));
  EXPECT_THAT(reference.manifest, HasSubstr("\"arithmetic\": \"pinned\""));
  ASSERT_THAT(reference.eval, HasSubstr("\n12288,"));

  std::vector<std::pair<std::string, std::string>> variants = {
      {"fma_masked", "GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA"},
      {"avx2_masked", "GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2"},
      {"openblas_sse3", "OPENBLAS_CORETYPE=Prescott"},
  };
  for (KernelPath path : {KernelPath::kAvx2, KernelPath::kAvx512}) {
    if (KernelPathAvailable(path)) {
      variants.emplace_back(KernelPathName(path),
                            std::string("STRIDE_KERNEL_PATH=") + KernelPathName(path));
    }
  }
  for (const auto& [name, environment] : variants) {
    const Outputs outputs = Train(name, environment);
    EXPECT_EQ(outputs.metrics, reference.metrics) << name;
    EXPECT_EQ(outputs.eval, reference.eval) << name;
    EXPECT_TRUE(outputs.checkpoint == reference.checkpoint) << name;
    EXPECT_TRUE(outputs.policy == reference.policy) << name;
  }
}

TEST(ArithmeticTest, AnUnknownOrMissingPathIsRefused) {
  const CliResult unknown = RunStride("--version", "STRIDE_KERNEL_PATH=neon");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("STRIDE_KERNEL_PATH=neon is not a kernel path: baseline, "
                                     "avx2 or avx512"));
  const CliResult version = RunStride("--version", "STRIDE_KERNEL_PATH=baseline");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("kernel path baseline, arithmetic as loaded"));
}

}  // namespace
}  // namespace stride::testing
