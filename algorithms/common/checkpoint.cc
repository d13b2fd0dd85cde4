#include "algorithms/common/checkpoint.h"

#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "stride/durable_file.h"
#include "stride/error.h"

namespace stride::algorithms {
namespace {

c10::IValue ReadValue(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  if (!archive.try_read(key, value)) {
    throw RuntimeError(fmt::format("the checkpoint has no entry '{}'", key));
  }
  return value;
}

}  // namespace

void SaveArchiveAtomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  std::ostringstream bytes;
  try {
    archive.save_to(bytes);
  } catch (const c10::Error& e) {
    throw RuntimeError(fmt::format("cannot write {}: {}", path, e.what_without_backtrace()));
  }
  WriteFileAtomically(path, SealArchive(bytes.str()));
}

void ExportModule(const torch::jit::Module& module, const std::string& path,
                  const std::string& config_toml) {
  std::ostringstream bytes;
  try {
    module.save(bytes, {{"stride/config.toml", config_toml}});
  } catch (const c10::Error& e) {
    throw RuntimeError(fmt::format("cannot write {}: {}", path, e.what_without_backtrace()));
  }
  WriteFileAtomically(path, SealArchive(bytes.str()));
}

torch::serialize::InputArchive LoadArchive(const std::string& path) {
  std::istringstream bytes(ReadFile(path));
  CheckArchive(path, bytes.str());
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(bytes);
  } catch (const c10::Error& e) {
    throw RuntimeError(
        fmt::format("cannot read checkpoint {}: {}", path, e.what_without_backtrace()));
  }
  return archive;
}

void WriteInt(torch::serialize::OutputArchive& archive, const std::string& key, int64_t value) {
  archive.write(key, c10::IValue(value));
}

void WriteDouble(torch::serialize::OutputArchive& archive, const std::string& key, double value) {
  archive.write(key, c10::IValue(value));
}

void WriteString(torch::serialize::OutputArchive& archive, const std::string& key,
                 const std::string& value) {
  archive.write(key, c10::IValue(value));
}

void WriteBytes(torch::serialize::OutputArchive& archive, const std::string& key,
                const std::vector<uint8_t>& bytes) {
  torch::Tensor tensor = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  if (!bytes.empty()) std::memcpy(tensor.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  archive.write(key, tensor, /*is_buffer=*/true);
}

void WriteGenerator(torch::serialize::OutputArchive& archive, const std::string& key,
                    const at::Generator& generator) {
  archive.write(key, generator.get_state(), /*is_buffer=*/true);
}

void WriteModule(torch::serialize::OutputArchive& archive, const std::string& key,
                 const torch::nn::Module& module) {
  torch::serialize::OutputArchive nested(archive.compilation_unit());
  module.save(nested);
  archive.write(key, nested);
}

void WriteOptimizer(torch::serialize::OutputArchive& archive, const std::string& key,
                    const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive nested(archive.compilation_unit());
  optimizer.save(nested);
  archive.write(key, nested);
}

int64_t ReadInt(torch::serialize::InputArchive& archive, const std::string& key) {
  return ReadValue(archive, key).toInt();
}

double ReadDouble(torch::serialize::InputArchive& archive, const std::string& key) {
  return ReadValue(archive, key).toDouble();
}

std::string ReadString(torch::serialize::InputArchive& archive, const std::string& key) {
  return ReadValue(archive, key).toStringRef();
}

std::vector<uint8_t> ReadBytes(torch::serialize::InputArchive& archive, const std::string& key) {
  const torch::Tensor tensor = ReadTensor(archive, key).contiguous();
  const uint8_t* data = tensor.data_ptr<uint8_t>();
  return std::vector<uint8_t>(data, data + tensor.numel());
}

torch::Tensor ReadTensor(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor tensor;
  if (!archive.try_read(key, tensor, /*is_buffer=*/true)) {
    throw RuntimeError(fmt::format("the checkpoint has no tensor '{}'", key));
  }
  return tensor;
}

void ReadGenerator(torch::serialize::InputArchive& archive, const std::string& key,
                   at::Generator& generator) {
  generator.set_state(ReadTensor(archive, key));
}

torch::serialize::InputArchive ReadNested(torch::serialize::InputArchive& archive,
                                          const std::string& key) {
  torch::serialize::InputArchive nested;
  if (!archive.try_read(key, nested)) {
    throw RuntimeError(fmt::format("the checkpoint has no section '{}'", key));
  }
  return nested;
}

void ReadModule(torch::serialize::InputArchive& archive, const std::string& key,
                torch::nn::Module& module) {
  torch::serialize::InputArchive nested = ReadNested(archive, key);
  module.load(nested);
}

void ReadOptimizer(torch::serialize::InputArchive& archive, const std::string& key,
                   torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive nested = ReadNested(archive, key);
  optimizer.load(nested);
}

void CheckAlgorithm(torch::serialize::InputArchive& archive, const std::string& algorithm,
                    const std::string& path) {
  const std::string written_by = ReadString(archive, "algorithm");
  if (written_by != algorithm) {
    throw RuntimeError(
        fmt::format("{} is a checkpoint of algorithm '{}', not '{}'", path, written_by, algorithm));
  }
}

}  // namespace stride::algorithms
