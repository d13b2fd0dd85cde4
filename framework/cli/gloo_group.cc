#include "gloo_group.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "stride/error.h"
#include "stride/phase_times.h"

namespace stride::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

int EnvInt(const char* name, const std::string& text) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < 0 || value > (1 << 20)) {
    throw ConfigError(fmt::format("data-parallel launch: {}='{}' is not a count", name, text));
  }
  return static_cast<int>(value);
}

// "node[01-04,07],gpu3" -> "node01"; "a,b" -> "a"
std::string FirstHost(const std::string& nodelist) {
  const size_t bracket = nodelist.find('[');
  const size_t comma = nodelist.find(',');
  if (bracket == std::string::npos || (comma != std::string::npos && comma < bracket)) {
    return nodelist.substr(0, comma);
  }
  const size_t end = nodelist.find_first_of(",-]", bracket + 1);
  return nodelist.substr(0, bracket) + nodelist.substr(bracket + 1, end - bracket - 1);
}

std::string MasterAddress() {
  if (auto address = Env("MASTER_ADDR")) return *address;
  if (auto nodes = Env("SLURM_STEP_NODELIST")) return FirstHost(*nodes);
  if (auto nodes = Env("SLURM_JOB_NODELIST")) return FirstHost(*nodes);
  return "127.0.0.1";
}

uint16_t MasterPort() {
  if (auto port = Env("MASTER_PORT")) {
    const int value = EnvInt("MASTER_PORT", *port);
    if (value < 1 || value > 65535) {
      throw ConfigError(fmt::format("data-parallel launch: MASTER_PORT={} is not a port", value));
    }
    return static_cast<uint16_t>(value);
  }
  // one port per Slurm job, so jobs sharing a node do not meet, below the
  // ephemeral range, where outgoing connections take their ports
  if (auto job = Env("SLURM_JOB_ID"))
    return static_cast<uint16_t>(20000 + EnvInt("SLURM_JOB_ID", *job) % 10000);
  return 29500;
}

// the ports this host gives outgoing connections, as "32768-60999"
std::string EphemeralRange() {
  std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0, high = 0;
  if (!(file >> low >> high)) return "32768-60999";
  return fmt::format("{}-{}", low, high);
}

bool AddressInUse(const std::string& what) {
  return what.find("Address already in use") != std::string::npos;
}

// the TCP store at master:port; rank 0 serves it, and waits out a busy port
// (the socket of a run that just ended) for up to 10 s of the timeout
c10::intrusive_ptr<c10d::Store> ConnectTcpStore(const Launch& launch, const std::string& master,
                                                uint16_t port, std::chrono::seconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = port;
  options.isServer = launch.rank == 0;
  options.numWorkers = static_cast<size_t>(launch.world_size);
  options.waitWorkers = false;
  options.timeout = timeout;
  const auto deadline =
      Clock::now() + std::min<std::chrono::seconds>(timeout, std::chrono::seconds(10));
  for (;;) {
    try {
      return c10::make_intrusive<c10d::TCPStore>(master, options);
    } catch (const std::exception& e) {
      if (!options.isServer || !AddressInUse(e.what())) throw;
      if (Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      throw RuntimeError(fmt::format(
          "data-parallel rank 0 of {}: port {} on this host is in use by another process; "
          "set MASTER_PORT to a free port for every rank (one below this host's ephemeral range "
          "{}, which outgoing connections take)",
          launch.world_size, port, EphemeralRange()));
    }
  }
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0;
}

std::shared_ptr<::gloo::transport::Device> MakeDevice(const std::optional<std::string>& master) {
  if (auto interface = Env("GLOO_SOCKET_IFNAME")) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(*interface);
  }
  if (master && IsLoopback(*master)) {
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// the message of a c10d or Gloo exception without its source location
std::string Reason(const std::string& what) {
  const std::string line = what.substr(0, what.find('\n'));
  const size_t bracket = line.rfind("] ");
  return !line.empty() && line.front() == '[' && bracket != std::string::npos
             ? line.substr(bracket + 2)
             : line;
}

std::vector<uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

class GlooGroup : public ProcessGroup {
 public:
  GlooGroup(Launch launch, c10::intrusive_ptr<c10d::Store> store,
            c10::intrusive_ptr<c10d::ProcessGroupGloo> group)
      : launch_(std::move(launch)), store_(std::move(store)), group_(std::move(group)) {}

  int rank() const override { return launch_.rank; }
  int world_size() const override { return launch_.world_size; }
  const std::string& launcher() const override { return launch_.launcher; }

  void Sum(float* values, int64_t n) override {
    SumTensor(torch::from_blob(values, {n}, torch::kFloat32));
  }
  void Sum(double* values, int64_t n) override {
    SumTensor(torch::from_blob(values, {n}, torch::kFloat64));
  }

  std::vector<std::vector<uint8_t>> AllGather(const std::vector<uint8_t>& bytes) override {
    // the sizes first, then every rank's bytes padded to the largest
    torch::Tensor size = torch::tensor({static_cast<int64_t>(bytes.size())}, torch::kInt64);
    const std::vector<torch::Tensor> sizes = Gather(size);
    int64_t largest = 1;
    for (const torch::Tensor& s : sizes) largest = std::max(largest, s.item<int64_t>());
    torch::Tensor mine = torch::zeros({largest}, torch::kUInt8);
    std::copy(bytes.begin(), bytes.end(), mine.data_ptr<uint8_t>());
    const std::vector<torch::Tensor> gathered = Gather(mine);
    std::vector<std::vector<uint8_t>> result;
    for (size_t r = 0; r < gathered.size(); ++r) {
      const uint8_t* data = gathered[r].data_ptr<uint8_t>();
      result.emplace_back(data, data + sizes[r].item<int64_t>());
    }
    return result;
  }

  void Broadcast(std::vector<uint8_t>& bytes) override {
    torch::Tensor size = torch::tensor({static_cast<int64_t>(bytes.size())}, torch::kInt64);
    BroadcastTensor(size);
    bytes.resize(size.item<int64_t>());
    if (bytes.empty()) return;
    BroadcastTensor(
        torch::from_blob(bytes.data(), {static_cast<int64_t>(bytes.size())}, torch::kUInt8));
  }

  void MarkProgress(int64_t update) override {
    try {
      store_->set(Key("progress", rank()), Bytes(std::to_string(update)));
    } catch (const std::exception& e) {
      throw RuntimeError(Diagnose("marking progress", e.what()));
    }
  }

  void ReportFailure(const std::string& message) override {
    if (diagnosed_) return;  // the failure is another rank's, already named
    try {
      store_->set(Key("failed", rank()), Bytes(message));
    } catch (const std::exception&) {
      // the store went with rank 0; the others see this rank's sockets close
    }
  }

 private:
  static std::string Key(const char* what, int rank) {
    return fmt::format("stride/{}/{}", what, rank);
  }

  void SumTensor(torch::Tensor tensor) {
    std::vector<at::Tensor> tensors{std::move(tensor)};
    Wait("all-reduce", [&] { return group_->allreduce(tensors); });
  }

  void BroadcastTensor(torch::Tensor tensor) {
    std::vector<at::Tensor> tensors{std::move(tensor)};
    Wait("broadcast", [&] { return group_->broadcast(tensors); });
  }

  std::vector<torch::Tensor> Gather(const torch::Tensor& tensor) {
    std::vector<at::Tensor> input{tensor};
    std::vector<std::vector<at::Tensor>> output(1);
    for (int r = 0; r < world_size(); ++r) output[0].push_back(torch::empty_like(tensor));
    Wait("all-gather", [&] { return group_->allgather(output, input); });
    return output[0];
  }

  template <typename Start>
  void Wait(const char* collective, const Start& start) {
    PhaseTimer timer("communication");
    try {
      start()->wait();
    } catch (const std::exception& e) {
      throw RuntimeError(Diagnose(collective, e.what()));
    }
  }

  // what went wrong, naming the ranks: those that reported an error, and
  // those that neither reported one nor noticed the failure as this rank did
  // (killed, crashed or hung)
  std::string Diagnose(const std::string& collective, const std::string& error) {
    diagnosed_ = true;
    const std::string head = fmt::format("data-parallel rank {} of {}: {} failed ({})", rank(),
                                         world_size(), collective, Reason(error));
    std::vector<std::string> failed;
    std::vector<int> gone;
    try {
      store_->setTimeout(std::chrono::seconds(5));
      store_->set(Key("lost", rank()), {});
      const auto deadline = Clock::now() + std::chrono::seconds(3);
      for (int r = 0; r < world_size(); ++r) {
        if (r == rank()) continue;
        for (;;) {
          if (store_->check({Key("failed", r)})) {
            const std::vector<uint8_t> message = store_->get(Key("failed", r));
            failed.push_back(
                fmt::format("rank {} failed: {}", r, std::string(message.begin(), message.end())));
            break;
          }
          if (store_->check({Key("lost", r)})) break;
          if (Clock::now() > deadline) {
            gone.push_back(r);
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    } catch (const std::exception&) {
      return head +
             ": rank 0, which holds the rendezvous store, is gone (killed, crashed or "
             "unreachable)";
    }
    std::string text = head;
    for (const std::string& f : failed) text += "; " + f;
    if (!gone.empty()) {
      text += fmt::format("; rank{} {} stopped responding (killed, crashed or hung)",
                          gone.size() > 1 ? "s" : "", fmt::join(gone, ", "));
    }
    return text;
  }

  Launch launch_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
  bool diagnosed_ = false;
};

}  // namespace

Launch DetectLaunch() {
  const struct {
    const char* rank;
    const char* size;
    const char* launcher;
  } kLaunchers[] = {{"RANK", "WORLD_SIZE", "env"},
                    {"SLURM_PROCID", "SLURM_NTASKS", "slurm"},
                    {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "openmpi"},
                    {"PMI_RANK", "PMI_SIZE", "pmi"}};
  for (const auto& candidate : kLaunchers) {
    const std::optional<std::string> rank = Env(candidate.rank);
    const std::optional<std::string> size = Env(candidate.size);
    if (!rank || !size) continue;
    Launch launch{EnvInt(candidate.rank, *rank), EnvInt(candidate.size, *size), candidate.launcher};
    if (launch.world_size < 1 || launch.rank >= launch.world_size) {
      throw ConfigError(fmt::format("data-parallel launch: {}={} is not a rank of {}={}",
                                    candidate.rank, launch.rank, candidate.size,
                                    launch.world_size));
    }
    return launch;
  }
  throw ConfigError(
      "--distributed: no launcher set this process's rank: start it with srun, mpirun, or "
      "RANK and WORLD_SIZE (and MASTER_ADDR, MASTER_PORT) in the environment");
}

std::unique_ptr<ProcessGroup> ConnectGlooGroup(const Launch& launch, std::chrono::seconds timeout) {
  std::optional<std::string> master;
  std::string where;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    if (auto file = Env("STRIDE_RENDEZVOUS_FILE")) {
      where = "file " + *file;
      // MASTER_ADDR, when set, still says whether the ranks share this host
      master = Env("MASTER_ADDR");
      store = c10::make_intrusive<c10d::FileStore>(*file, launch.world_size);
      store->setTimeout(timeout);
    } else {
      master = MasterAddress();
      const uint16_t port = MasterPort();
      where = fmt::format("{}:{}", *master, port);
      store = ConnectTcpStore(launch, *master, port, timeout);
    }
    store->set(fmt::format("stride/joined/{}", launch.rank), {});
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(MakeDevice(master));
    auto group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(store, launch.rank, launch.world_size, options);
    return std::make_unique<GlooGroup>(launch, std::move(store), std::move(group));
  } catch (const RuntimeError&) {
    throw;
  } catch (const std::exception& e) {
    std::string text = fmt::format(
        "data-parallel rank {} of {}: cannot join the other ranks at "
        "{} within {} s: {}",
        launch.rank, launch.world_size, where, timeout.count(), Reason(e.what()));
    // the ranks that never reached the store
    std::vector<int> missing;
    try {
      for (int r = 0; store && r < launch.world_size; ++r) {
        if (!store->check({fmt::format("stride/joined/{}", r)})) missing.push_back(r);
      }
    } catch (const std::exception&) {
      missing.clear();
    }
    if (!missing.empty()) {
      text += fmt::format("; rank{} {} never joined", missing.size() > 1 ? "s" : "",
                          fmt::join(missing, ", "));
    }
    throw RuntimeError(text);
  }
}

}  // namespace stride::cli
