// Checkpoint files: torch archives written atomically, and typed entries.
#ifndef STRIDE_ALGORITHMS_COMMON_CHECKPOINT_H_
#define STRIDE_ALGORITHMS_COMMON_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include <torch/script.h>
#include <torch/torch.h>

namespace stride::algorithms {

// writes the archive sealed with its checksum (stride/durable_file.h) whole or
// not at all, so path always holds a complete checkpoint
void SaveArchiveAtomically(torch::serialize::OutputArchive& archive, const std::string& path);
// the TorchScript policy file: module with the run's config.toml inside,
// sealed with its checksum and written whole or not at all
void ExportModule(const torch::jit::Module& module, const std::string& path,
                  const std::string& config_toml);
// throws RuntimeError naming the file when it cannot be read, is truncated or
// fails its checksum
torch::serialize::InputArchive LoadArchive(const std::string& path);

// typed entries; the readers throw RuntimeError naming a missing key
void WriteInt(torch::serialize::OutputArchive& archive, const std::string& key, int64_t value);
void WriteDouble(torch::serialize::OutputArchive& archive, const std::string& key, double value);
void WriteString(torch::serialize::OutputArchive& archive, const std::string& key,
                 const std::string& value);
void WriteBytes(torch::serialize::OutputArchive& archive, const std::string& key,
                const std::vector<uint8_t>& bytes);
void WriteGenerator(torch::serialize::OutputArchive& archive, const std::string& key,
                    const at::Generator& generator);

// a module's parameters and buffers, or an optimizer's state, as a section
void WriteModule(torch::serialize::OutputArchive& archive, const std::string& key,
                 const torch::nn::Module& module);
void WriteOptimizer(torch::serialize::OutputArchive& archive, const std::string& key,
                    const torch::optim::Optimizer& optimizer);

int64_t ReadInt(torch::serialize::InputArchive& archive, const std::string& key);
double ReadDouble(torch::serialize::InputArchive& archive, const std::string& key);
std::string ReadString(torch::serialize::InputArchive& archive, const std::string& key);
std::vector<uint8_t> ReadBytes(torch::serialize::InputArchive& archive, const std::string& key);
torch::Tensor ReadTensor(torch::serialize::InputArchive& archive, const std::string& key);
void ReadGenerator(torch::serialize::InputArchive& archive, const std::string& key,
                   at::Generator& generator);
torch::serialize::InputArchive ReadNested(torch::serialize::InputArchive& archive,
                                          const std::string& key);
void ReadModule(torch::serialize::InputArchive& archive, const std::string& key,
                torch::nn::Module& module);
void ReadOptimizer(torch::serialize::InputArchive& archive, const std::string& key,
                   torch::optim::Optimizer& optimizer);

// throws RuntimeError unless the checkpoint was written by the named algorithm
void CheckAlgorithm(torch::serialize::InputArchive& archive, const std::string& algorithm,
                    const std::string& path);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_CHECKPOINT_H_
