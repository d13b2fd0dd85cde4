// Data-parallel PPO over c10d: two ranks on loopback compute the same bits as
// one process running the same two data shards (and check each update that
// they hold the same parameters), resume bitwise, refuse another world size,
// and end with an error naming a rank that was killed or hung.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "port_lease.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// ppo on the pendulum: 16 environments in two data shards, 2,048 steps per update
constexpr char kExperiment[] = R"([experiment]
name = "dp"
seeds = [0]
total_steps = 6_144
checkpoint_every_steps = 2_048

[environment]
plugin = "pendulum"
num_envs = 16
num_workers = 1

[[reward]]
plugin = "alive_bonus"

[algorithm]
plugin = "ppo"
num_steps = 128
num_minibatches = 4
update_epochs = 2
data_shards = 2

[evaluation]
every_steps = 2_048
episodes = 2
)";

// where the ranks of one launch meet: a loopback port the test holds, or a
// file of their own (c10d's FileStore), which involves no port at all
struct Meeting {
  int port = 0;
  std::string file;
};

Meeting AtFile(const std::string& dir) {
  static int launches = 0;
  return {0, dir + "/rendezvous_" + std::to_string(++launches)};
}

// `stride <arguments>` as one rank of a launch, in the background, in the
// process group of rank 0 so a signal reaches every rank at once; killed if
// still running when the test ends
class Rank {
 public:
  Rank(int rank, int world_size, const Meeting& meeting, const std::string& arguments,
       const std::string& dir, pid_t group = 0)
      : out_(dir + "/rank" + std::to_string(rank) + ".out"),
        err_(dir + "/rank" + std::to_string(rank) + ".err") {
    pid_ = fork();
    if (pid_ != 0) {
      setpgid(pid_, group);
      return;
    }
    setpgid(0, group);
    setenv("RANK", std::to_string(rank).c_str(), 1);
    setenv("WORLD_SIZE", std::to_string(world_size).c_str(), 1);
    setenv("MASTER_ADDR", "127.0.0.1", 1);
    if (meeting.file.empty()) {
      setenv("MASTER_PORT", std::to_string(meeting.port).c_str(), 1);
      unsetenv("STRIDE_RENDEZVOUS_FILE");
    } else {
      unsetenv("MASTER_PORT");
      setenv("STRIDE_RENDEZVOUS_FILE", meeting.file.c_str(), 1);
    }
    unsetenv("STRIDE_PLUGIN_PATH");
    dup2(open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
    dup2(open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
    const std::string command = std::string("exec ") + STRIDE_BINARY + " " + arguments;
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }

  ~Rank() {
    if (pid_ <= 0 || exit_code_ >= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  Rank(const Rank&) = delete;
  Rank& operator=(const Rank&) = delete;

  void Signal(int signal) const {
    if (pid_ > 0) kill(pid_, signal);
  }
  // every rank of the group this rank leads
  void SignalGroup(int signal) const {
    if (pid_ > 0) kill(-pid_, signal);
  }
  pid_t pid() const { return pid_; }

  // the exit code once the process has ended, -1 if it has not within seconds
  int Wait(int seconds = 300) {
    for (int i = 0; i < 10 * seconds && exit_code_ < 0; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return exit_code_;
  }
  std::string err() const { return ReadFile(err_); }

 private:
  std::string out_, err_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// both ranks of `stride <arguments> --distributed`, to the end
std::vector<int> RunTwoRanks(const std::string& arguments, const std::string& dir,
                             const Meeting& meeting) {
  Rank rank0(0, 2, meeting, arguments + " --distributed --timeout 60", dir);
  Rank rank1(1, 2, meeting, arguments + " --distributed --timeout 60", dir);
  const int code1 = rank1.Wait();
  const int code0 = rank0.Wait();
  EXPECT_EQ(code0, 0) << rank0.err();
  EXPECT_EQ(code1, 0) << rank1.err();
  return {code0, code1};
}

// the named columns of a CSV, row by row
std::string Columns(const std::string& csv, const std::vector<std::string>& names) {
  std::stringstream in(ReadFile(csv));
  std::vector<int> keep;
  std::string out;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> row;
    std::stringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) row.push_back(cell);
    if (keep.empty()) {
      for (const std::string& name : names) {
        for (size_t i = 0; i < row.size(); ++i) {
          if (row[i] == name) keep.push_back(static_cast<int>(i));
        }
      }
    }
    for (int i : keep) out += row[i] + ",";
    out += "\n";
  }
  return out;
}

const std::vector<std::string> kLearning = {
    "step",      "policy_loss",   "value_loss",        "entropy",
    "approx_kl", "clip_fraction", "explained_variance"};

bool WaitFor(const std::string& path, int seconds) {
  for (int i = 0; i < 10 * seconds && !fs::exists(path); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return fs::exists(path);
}

TEST(DataParallelTest, TwoRanksComputeTheBitsOfOneProcessRunningBothShards) {
  const std::string dir = TempDir("two_ranks");
  WriteFile(dir + "/dp.toml", kExperiment);
  const CliResult alone = RunStride("run " + dir + "/dp.toml --out " + dir + "/alone");
  ASSERT_EQ(alone.exit_code, 0) << alone.err;
  const PortLease lease;
  RunTwoRanks("run " + dir + "/dp.toml --out " + dir + "/ranks", dir, {lease.port(), ""});

  const std::string a = dir + "/alone/dp/seed_0", b = dir + "/ranks/dp/seed_0";
  ASSERT_TRUE(fs::exists(b + "/policy.pt"));
  const std::string learning = Columns(a + "/metrics.csv", kLearning);
  EXPECT_EQ(learning.size() > 100, true) << learning;
  EXPECT_EQ(Columns(b + "/metrics.csv", kLearning), learning);
  EXPECT_EQ(DeterministicColumns(b + "/eval.csv"), DeterministicColumns(a + "/eval.csv"));
  const std::string manifest = ReadFile(b + "/manifest.json");
  EXPECT_THAT(manifest, HasSubstr("\"world_size\": 2,"));
  EXPECT_THAT(manifest, HasSubstr("\"launcher\": \"env\","));
  EXPECT_THAT(ReadFile(a + "/manifest.json"), HasSubstr("\"world_size\": 1,"));
  // every episode of both ranks is counted: 16 pendulum episodes of 200 steps per 3,200
  EXPECT_EQ(Columns(b + "/metrics.csv", {"episodes"}), Columns(a + "/metrics.csv", {"episodes"}));
}

TEST(DataParallelTest, ResumesBitwiseOverTheSameRanksAndRefusesOthers) {
  const std::string dir = TempDir("resume");
  WriteFile(dir + "/dp.toml", kExperiment);
  const std::string longer = " --set experiment.total_steps=100_000 --set evaluation.every_steps=0";
  RunTwoRanks("run " + dir + "/dp.toml --out " + dir + "/whole" + longer, dir, AtFile(dir));

  // stopped by a signal to both ranks once the first checkpoint exists
  const std::string run = dir + "/parts/dp/seed_0";
  {
    const Meeting meeting = AtFile(dir);
    const std::string arguments =
        "run " + dir + "/dp.toml --out " + dir + "/parts" + longer + " --distributed";
    Rank rank0(0, 2, meeting, arguments, dir);
    Rank rank1(1, 2, meeting, arguments, dir, rank0.pid());
    ASSERT_TRUE(WaitFor(run + "/checkpoints/checkpoint.pt", 120)) << rank0.err();
    rank0.SignalGroup(SIGTERM);
    EXPECT_EQ(rank0.Wait(), 143) << rank0.err();
    EXPECT_EQ(rank1.Wait(), 143) << rank1.err();
  }
  ASSERT_FALSE(fs::exists(run + "/policy.pt")) << "the run finished before it was stopped";

  const CliResult alone = RunStride("run --resume " + run);
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_THAT(alone.err, HasSubstr("the run was trained over 2 ranks, and resumes only over as "
                                   "many, not 1"));

  RunTwoRanks("run --resume " + run, dir, AtFile(dir));
  EXPECT_EQ(DeterministicColumns(run + "/metrics.csv"),
            DeterministicColumns(dir + "/whole/dp/seed_0/metrics.csv"));
  EXPECT_EQ(DeterministicColumns(run + "/eval.csv"),
            DeterministicColumns(dir + "/whole/dp/seed_0/eval.csv"));
}

// the arguments of a run in dir too long to finish, with a collective timeout
std::string EndlessRun(const std::string& dir, int timeout) {
  WriteFile(dir + "/dp.toml", kExperiment);
  return "run " + dir + "/dp.toml --out " + dir +
         " --set experiment.total_steps=10_000_000 --distributed --timeout " +
         std::to_string(timeout);
}

TEST(DataParallelTest, AKilledRankEndsTheRunWithAnErrorNamingIt) {
  const std::string dir = TempDir("killed");
  const Meeting meeting = AtFile(dir);
  const std::string arguments = EndlessRun(dir, 20);
  Rank rank0(0, 2, meeting, arguments, dir), rank1(1, 2, meeting, arguments, dir);
  ASSERT_TRUE(WaitFor(dir + "/dp/seed_0/checkpoints/checkpoint.pt", 120)) << rank0.err();
  rank1.Signal(SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  EXPECT_EQ(rank0.Wait(60), 1) << rank0.err();
  // from its closed sockets, before the 20 s collective timeout would end it
  EXPECT_LT(std::chrono::steady_clock::now() - killed, std::chrono::seconds(19));
  EXPECT_THAT(rank0.err(), HasSubstr("data-parallel rank 0 of 2: "));
  EXPECT_THAT(rank0.err(), HasSubstr("rank 1 stopped responding (killed, crashed or hung)"));
  rank1.Wait();
}

TEST(DataParallelTest, AHungRankEndsTheRunAfterTheTimeoutWithAnErrorNamingIt) {
  const std::string dir = TempDir("hung");
  const Meeting meeting = AtFile(dir);
  const std::string arguments = EndlessRun(dir, 10);
  Rank rank0(0, 2, meeting, arguments, dir), rank1(1, 2, meeting, arguments, dir);
  ASSERT_TRUE(WaitFor(dir + "/dp/seed_0/checkpoints/checkpoint.pt", 120)) << rank0.err();
  rank1.Signal(SIGSTOP);
  EXPECT_EQ(rank0.Wait(60), 1) << rank0.err();
  EXPECT_THAT(rank0.err(), HasSubstr("rank 1 stopped responding (killed, crashed or hung)"));
  rank1.Signal(SIGKILL);
  rank1.Wait();
}

TEST(DataParallelTest, ARankThatNeverStartsIsNamedAfterTheTimeout) {
  const std::string dir = TempDir("alone");
  WriteFile(dir + "/dp.toml", kExperiment);
  const PortLease lease;
  Rank rank0(0, 2, {lease.port(), ""},
             "run " + dir + "/dp.toml --out " + dir + " --distributed --timeout 5", dir);
  EXPECT_EQ(rank0.Wait(60), 1) << rank0.err();
  EXPECT_THAT(rank0.err(), HasSubstr("data-parallel rank 0 of 2: cannot join the other ranks at "
                                     "127.0.0.1:"));
  EXPECT_THAT(rank0.err(), HasSubstr("rank 1 never joined"));
}

TEST(DataParallelTest, ABusyPortIsNamedWithTheVariableToChange) {
  const std::string dir = TempDir("busy");
  WriteFile(dir + "/dp.toml", kExperiment);
  // a listener of this test holds the port the kernel gave it
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  Rank rank0(0, 2, {port, ""},
             "run " + dir + "/dp.toml --out " + dir + " --distributed --timeout 30", dir);
  EXPECT_EQ(rank0.Wait(120), 1) << rank0.err();
  close(listener);
  EXPECT_THAT(rank0.err(), HasSubstr("data-parallel rank 0 of 2: port " + std::to_string(port) +
                                     " on this host is in use by another process; set "
                                     "MASTER_PORT to a free port"));
}

TEST(DataParallelTest, LaunchAndConfigurationErrorsAreClear) {
  const std::string dir = TempDir("errors");
  WriteFile(dir + "/dp.toml", kExperiment);
  const CliResult unlaunched = RunStride("run " + dir + "/dp.toml --distributed",
                                         "-u RANK -u WORLD_SIZE -u SLURM_PROCID -u SLURM_NTASKS");
  EXPECT_EQ(unlaunched.exit_code, 2);
  EXPECT_THAT(unlaunched.err, HasSubstr("no launcher set this process's rank"));
  const CliResult not_a_rank =
      RunStride("run " + dir + "/dp.toml --distributed", "RANK=2 WORLD_SIZE=2");
  EXPECT_EQ(not_a_rank.exit_code, 2);
  EXPECT_THAT(not_a_rank.err, HasSubstr("RANK=2 is not a rank of WORLD_SIZE=2"));
  const CliResult shards =
      RunStride("run " + dir + "/dp.toml --out " + dir + "/shards --set algorithm.data_shards=3");
  EXPECT_EQ(shards.exit_code, 2);
  EXPECT_THAT(shards.err, HasSubstr("ppo: data_shards = 3 does not divide the minibatch of 512"));
  const CliResult timeout = RunStride("run " + dir + "/dp.toml --timeout 5");
  EXPECT_EQ(timeout.exit_code, 2);
  EXPECT_THAT(timeout.err, HasSubstr("--timeout is the data-parallel collectives' timeout"));

  // an algorithm that cannot, and environments that do not divide
  const Meeting meeting = AtFile(dir);
  std::string vpg_experiment = kExperiment;
  vpg_experiment = vpg_experiment.substr(0, vpg_experiment.find("[algorithm]")) +
                   "[algorithm]\nplugin = \"vpg\"\nnum_steps = 128\n";
  WriteFile(dir + "/vpg.toml", vpg_experiment);
  const std::string vpg = "run " + dir + "/vpg.toml --out " + dir + "/vpg --distributed";
  Rank vpg0(0, 2, meeting, vpg, dir), vpg1(1, 2, meeting, vpg, dir);
  EXPECT_EQ(vpg0.Wait(), 2);
  EXPECT_EQ(vpg1.Wait(), 2);
  EXPECT_THAT(vpg0.err(), HasSubstr("algorithm 'vpg' does not train data-parallel over 2 ranks"));

  const std::string odd = "run " + dir + "/dp.toml --out " + dir + "/odd --distributed " +
                          "--set environment.num_envs=15";
  const Meeting odd_meeting = AtFile(dir);
  Rank odd0(0, 2, odd_meeting, odd, dir), odd1(1, 2, odd_meeting, odd, dir);
  EXPECT_EQ(odd0.Wait(), 2);
  EXPECT_EQ(odd1.Wait(), 2);
  EXPECT_THAT(odd1.err(), HasSubstr("experiment.num_envs = 15 does not divide among 2 ranks"));
}

}  // namespace
}  // namespace stride::testing
