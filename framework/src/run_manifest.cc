#include "run_manifest.h"

#include <cmath>

#include <elf.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "stride/build_info.h"
#include "stride/cpu.h"
#include "stride/durable_file.h"
#include "stride/error.h"
#include "stride/plugin.h"

namespace stride {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string UtcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string HostName() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

constexpr char kTimeToSuccessKey[] = "time_to_success";

std::string TimeToSuccessJson(const std::optional<TimeToSuccess>& time) {
  if (!time) return "null";
  return fmt::format("{{\"steps\": {}, \"train_seconds\": {:.3f}}}", time->steps,
                     time->train_seconds);
}

}  // namespace

void SetManifestField(const std::string& path, const std::string& key, const std::string& json) {
  const std::string prefix = fmt::format("  {}: ", JsonString(key));
  std::istringstream in(ReadFile(path));
  std::string text;
  bool found = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) {
      text += prefix + json + ",\n";
      found = true;
    } else {
      text += line + "\n";
    }
  }
  if (found) WriteFileAtomically(path, text);
}

void SetTimeToSuccess(const std::string& path, const std::optional<TimeToSuccess>& time) {
  SetManifestField(path, kTimeToSuccessKey, TimeToSuccessJson(time));
}

bool KeptEvaluation::Beats(const KeptEvaluation& other) const {
  if (success_fraction != other.success_fraction) return success_fraction > other.success_fraction;
  // a non-finite return is worse than any number
  if (!std::isfinite(other.mean_return)) return std::isfinite(mean_return);
  return mean_return > other.mean_return;
}

std::string KeptPolicyJson(const char* file, const std::optional<KeptEvaluation>& evaluation) {
  if (!evaluation) return "null";
  const double r = evaluation->mean_return;
  return fmt::format(
      "{{\"file\": {}, \"step\": {}, \"success_fraction\": {}, \"mean_return\": {}}}",
      JsonString(file), evaluation->step, evaluation->success_fraction,
      std::isfinite(r) ? fmt::format("{:.3f}", r) : std::string("null"));
}

std::string ElfBuildId(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof(Elf64_Ehdr) || std::string(bytes.data(), 4) != ELFMAG ||
      bytes[EI_CLASS] != ELFCLASS64) {
    return "";
  }
  const auto* header = reinterpret_cast<const Elf64_Ehdr*>(bytes.data());
  for (int i = 0; i < header->e_phnum; ++i) {
    const size_t at = header->e_phoff + static_cast<size_t>(i) * header->e_phentsize;
    if (at + sizeof(Elf64_Phdr) > bytes.size()) return "";
    const auto* segment = reinterpret_cast<const Elf64_Phdr*>(bytes.data() + at);
    if (segment->p_type != PT_NOTE) continue;
    // walk the notes of this segment
    size_t offset = segment->p_offset;
    const size_t end = std::min<size_t>(segment->p_offset + segment->p_filesz, bytes.size());
    while (offset + sizeof(Elf64_Nhdr) <= end) {
      const auto* note = reinterpret_cast<const Elf64_Nhdr*>(bytes.data() + offset);
      const size_t name_at = offset + sizeof(Elf64_Nhdr);
      const size_t desc_at = name_at + ((note->n_namesz + 3) & ~3u);
      if (desc_at + note->n_descsz > end) break;
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
          std::string(bytes.data() + name_at, 3) == "GNU") {
        std::string hex;
        for (size_t k = 0; k < note->n_descsz; ++k) {
          hex += fmt::format("{:02x}", static_cast<unsigned char>(bytes[desc_at + k]));
        }
        return hex;
      }
      offset = desc_at + ((note->n_descsz + 3) & ~3u);
    }
  }
  return "";
}

std::string ContentHash(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", hash);
}

std::string RunManifestJson(const Experiment& experiment, const PluginRegistry& registry,
                            int64_t seed, const std::string& config_toml,
                            const std::string& command,
                            const std::map<std::string, std::string>& versions,
                            const ProcessGroup& group) {
  // the plugins this run uses, with the library that provided each
  std::vector<std::string> plugins;
  auto add = [&](PluginKind kind, const std::string& name) {
    const RegisteredPlugin& plugin = registry.Find(kind, name);
    plugins.push_back(
        fmt::format("    {{\"kind\": {}, \"name\": {}, \"library\": {}, \"build_id\": {}}}",
                    JsonString(PluginKindName(kind)), JsonString(name), JsonString(plugin.library),
                    JsonString(ElfBuildId(plugin.library))));
  };
  add(PluginKind::kEnvironment, experiment.environment.plugin);
  for (const RewardConfig& reward : experiment.rewards) add(PluginKind::kReward, reward.plugin);
  add(PluginKind::kAlgorithm, experiment.algorithm.plugin);

  std::vector<std::string> version_lines = {
      fmt::format("    \"stride\": {}", JsonString(STRIDE_VERSION))};
  for (const auto& [name, version] : versions) {
    version_lines.push_back(fmt::format("    {}: {}", JsonString(name), JsonString(version)));
  }
  // with a success criterion, its first success and that policy; the best policy always
  std::string kept = fmt::format("  \"{}\": null,\n", kBestPolicyKey);
  if (!experiment.success.empty()) {
    kept = fmt::format("  \"{}\": null,\n  \"{}\": null,\n", kTimeToSuccessKey,
                       kFirstSuccessPolicyKey) +
           kept;
  }
  return fmt::format(
      "{{\n"
      "  \"experiment\": {},\n"
      "  \"seed\": {},\n"
      "{}"
      "  \"config_hash\": {},\n"
      "  \"command\": {},\n"
      "  \"host\": {},\n"
      "  \"world_size\": {},\n"
      "  \"launcher\": {},\n"
      "  \"start_time\": {},\n"
      "  \"build_fingerprint\": {},\n"
      "  \"cpu\": {{\"model\": {}, \"extensions\": {}, \"kernel_path\": {}, "
      "\"arithmetic\": {}}},\n"
      "  \"versions\": {{\n{}\n  }},\n"
      "  \"plugins\": [\n{}\n  ]\n"
      "}}\n",
      JsonString(experiment.name), seed, kept, JsonString(ContentHash(config_toml)),
      JsonString(command), JsonString(HostName()), group.world_size(), JsonString(group.launcher()),
      JsonString(UtcNow()), JsonString(STRIDE_BUILD_FINGERPRINT), JsonString(CpuModel()),
      JsonString(CpuVectorExtensions()), JsonString(KernelPathName(ActiveKernelPath())),
      JsonString(ArithmeticPinned() ? "pinned" : "as loaded"), fmt::join(version_lines, ",\n"),
      fmt::join(plugins, ",\n"));
}

}  // namespace stride
