// stride submit and stride status: the sbatch script, clear failures, every
// state of a run, and a one-node Slurm cluster started by the test itself on
// which a sweep finishes, cancelled, requeued and broken tasks behave, and
// srun -n 2 trains one run data-parallel.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "port_lease.h"
#include "stride/run_lock.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// 2 variants x 2 seeds of a few seconds each on the pendulum
constexpr char kSweep[] = R"([experiment]
name = "sweep"
seeds = [0, 1]
total_steps = 4_096
checkpoint_every_steps = 2_048

[environment]
plugin = "pendulum"
num_envs = 4

[[reward]]
plugin = "alive_bonus"

[algorithm]
plugin = "ppo"
num_steps = 256
num_minibatches = 4

[evaluation]
every_steps = 4_096
episodes = 2

[[variant]]
name = "ppo"

[[variant]]
name = "vpg"
algorithm = { plugin = "vpg", num_steps = 256 }
)";

std::string WriteSweep(const std::string& dir) {
  WriteFile(dir + "/sweep.toml", kSweep);
  return dir + "/sweep.toml";
}

// the output of a shell command
std::string Shell(const std::string& command) {
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (const size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
    pclose(pipe);
  }
  return output;
}

TEST(SubmitTest, DryRunPrintsOneArrayTaskPerUnfinishedRun) {
  const std::string dir = TempDir("submit_dry_run");
  const CliResult result = RunStride(
      "submit " + WriteSweep(dir) + " --slurm --dry-run --out " + dir + "/runs --partition debug" +
      " --time 10 --max-parallel 3 --sbatch-arg=--mem=1G --workers 2");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("#SBATCH --array=0-3%3\n"));
  EXPECT_THAT(result.out, HasSubstr("#SBATCH --cpus-per-task=2\n"));
  EXPECT_THAT(result.out, HasSubstr("#SBATCH --partition=debug\n#SBATCH --time=10\n"
                                    "#SBATCH --mem=1G\n"));
  EXPECT_THAT(result.out, HasSubstr("#SBATCH --output=" + dir + "/runs/sweep/slurm/%A_%a.log\n"));
  for (const char* run : {"ppo/seed_0", "ppo/seed_1", "vpg/seed_0", "vpg/seed_1"}) {
    EXPECT_THAT(result.out, HasSubstr("  '" + dir + "/runs/sweep/" + run + "'\n"));
  }
  EXPECT_THAT(result.out, HasSubstr(" run --resume \"$run\" --workers \"$SLURM_CPUS_PER_TASK\""));
  // a dry run changes nothing
  EXPECT_FALSE(fs::exists(dir + "/runs"));
}

TEST(SubmitTest, FailuresAreClear) {
  const std::string dir = TempDir("submit_failures");
  const std::string sweep = WriteSweep(dir);
  CliResult result = RunStride("submit " + sweep + " --out " + dir + "/runs");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("stride submit needs a scheduler: --slurm"));

  result = RunStride("submit " + sweep + " --slurm --out " + dir + "/runs", "PATH=/nonexistent");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("error: sbatch is not on PATH"));

  // sbatch's own words when it refuses the script
  WriteFile(dir + "/bin/sbatch",
            "#!/bin/sh\necho 'sbatch: error: invalid partition specified: nope' >&2\nexit 1\n");
  fs::permissions(dir + "/bin/sbatch", fs::perms::owner_all);
  result = RunStride("submit " + sweep + " --slurm --partition nope --out " + dir + "/runs",
                     "PATH=" + dir + "/bin:/usr/bin:/bin");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("error: sbatch refused " + dir + "/runs/sweep/slurm/submit_"));
  EXPECT_THAT(result.err, HasSubstr(": sbatch: error: invalid partition specified: nope"));
}

TEST(StatusTest, NamesEveryStateOfARun) {
  const std::string root = TempDir("status_states") + "/sweep";
  for (const char* run : {"a/seed_0", "a/seed_1", "b/seed_0", "b/seed_1", "b/seed_2"}) {
    WriteFile(root + "/" + run + "/config.toml", "[experiment]\n");
  }
  WriteFile(root + "/a/seed_0/policy.pt", "");
  WriteFile(root + "/a/seed_1/checkpoints/checkpoint.pt", "");
  WriteFile(root + "/b/seed_1/slurm_task",
            "job 7 task 3 host node2 log " + root + "/7_3.log\nexit 1\n");
  WriteFile(root + "/7_3.log", "[b/seed_1] resuming\nerror: the checkpoint is damaged\n");
  const RunLock held = RunLock::Acquire(root + "/b/seed_2");

  const CliResult result = RunStride("status " + root);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, ::testing::MatchesRegex(
                              "run +state +slurm task +detail\n"
                              "a/seed_0 +finished +- +\n"
                              "a/seed_1 +interrupted +- +resumes from its checkpoint\n"
                              "b/seed_0 +new +- +\n"
                              "b/seed_1 +failed +7_3 +exit 1: error: the checkpoint is damaged; "
                              "log .*/7_3.log\n"
                              "b/seed_2 +running +- +by pid [0-9]+ on host .* since .*\n"
                              "5 runs: 1 finished, 1 running, 1 interrupted, 1 failed, 1 new\n"));

  EXPECT_EQ(RunStride("status " + root + "/nothing_here").exit_code, 2);
  const CliResult empty = RunStride("status " + TempDir("status_empty"));
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("holds no run directories"));
}

// a one-node Slurm cluster of this machine in a temporary directory:
// munged, slurmctld and slurmd with their own socket, ports and state
class SlurmCluster {
 public:
  // why no cluster can be started here, if so
  static std::optional<std::string> Unavailable() {
    if (geteuid() != 0) return "the daemons run as root, and this test does not";
    for (const char* daemon : {"munged", "slurmctld", "slurmd", "sbatch", "scontrol"}) {
      if (Shell(std::string("command -v ") + daemon).empty()) {
        return std::string(daemon) + " is not installed (Debian: slurm-wlm, munge)";
      }
    }
    return std::nullopt;
  }

  explicit SlurmCluster(const std::string& dir) : dir_(dir), ports_(2) {
    const std::string host = Trimmed(Shell("hostname -s"));
    const int port = ports_.port();
    fs::create_directories(dir_ + "/state");
    fs::create_directories(dir_ + "/spool");
    WriteFile(
        dir_ + "/slurm.conf",
        "ClusterName=stride\nSlurmctldHost=" + host + "\nSlurmUser=root\nSlurmdUser=root\n" +
            "SlurmctldPort=" + std::to_string(port) + "\nSlurmdPort=" + std::to_string(port + 1) +
            "\nAuthType=auth/munge\nCredType=cred/munge\n" + "AuthInfo=socket=" + dir_ +
            "/munge.socket\nProctrackType=proctrack/pgid\n" +
            "TaskPlugin=task/none\nSelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n" +
            "StateSaveLocation=" + dir_ + "/state\nSlurmdSpoolDir=" + dir_ + "/spool\n" +
            "SlurmctldPidFile=" + dir_ + "/slurmctld.pid\nSlurmdPidFile=" + dir_ +
            "/slurmd.pid\nSlurmctldLogFile=" + dir_ + "/slurmctld.log\nSlurmdLogFile=" + dir_ +
            "/slurmd.log\nReturnToService=2\nMpiDefault=none\nKillWait=30\n" +
            "JobAcctGatherType=jobacct_gather/none\n" +
            "AccountingStorageType=accounting_storage/none\nNodeName=" + host +
            " CPUs=2 State=UNKNOWN\nPartitionName=debug Nodes=" + host +
            " Default=YES MaxTime=INFINITE State=UP\n");
    Shell("munged --force --socket=" + dir_ + "/munge.socket --key-file=/etc/munge/munge.key" +
          " --pid-file=" + dir_ + "/munged.pid --log-file=" + dir_ +
          "/munged.log --seed-file=" + dir_ + "/munge.seed");
    Shell(Environment() + " sh -c 'slurmctld -D -i >" + dir_ + "/ctld.out 2>&1 & echo $! >" + dir_ +
          "/ctld.pid; slurmd -D >" + dir_ + "/d.out 2>&1 & echo $! >" + dir_ + "/d.pid'");
    for (int i = 0; i < 60 && Trimmed(Client("sinfo -h -o %T")) != "idle"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  ~SlurmCluster() {
    Client("scancel --full --quiet -u root");
    for (const char* pid : {"/d.pid", "/ctld.pid", "/munged.pid"}) {
      Shell("kill $(cat " + dir_ + pid + ") 2>/dev/null");
    }
  }

  bool up() { return Trimmed(Client("sinfo -h -o %T")) == "idle" || !Client("squeue -h").empty(); }
  std::string Environment() const { return "SLURM_CONF=" + dir_ + "/slurm.conf"; }
  // a Slurm client command's output
  std::string Client(const std::string& command) const {
    return Shell(Environment() + " " + command + " 2>&1");
  }
  const std::string& dir() const { return dir_; }

 private:
  static std::string Trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
  std::string dir_;
  // slurmctld's port and slurmd's after it
  PortLease ports_;
};

class SlurmClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto reason = SlurmCluster::Unavailable()) GTEST_SKIP() << *reason;
    dir_ = TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    // slurmd's unix sockets live in its spool directory: paths of at most 108 bytes
    const std::string cluster_dir = TempDir("slurm_" + std::to_string(++clusters_));
    cluster_.emplace(cluster_dir);
    ASSERT_TRUE(cluster_->up()) << ReadFile(cluster_dir + "/slurmctld.log")
                                << ReadFile(cluster_dir + "/slurmd.log");
  }

  CliResult Stride(const std::string& arguments) {
    return RunStride(arguments, cluster_->Environment());
  }

  // waits up to seconds until `stride status root` prints text; its last output
  std::string StatusOnceItSays(const std::string& root, const std::string& text, int seconds) {
    std::string status;
    for (int i = 0; i < 2 * seconds; ++i) {
      status = Stride("status " + root).out;
      if (status.find(text) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return status;
  }

  bool WaitFor(const std::string& path, int seconds) {
    for (int i = 0; i < 10 * seconds && !fs::exists(path); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return fs::exists(path);
  }

  static inline int clusters_ = 0;
  std::string dir_;
  std::optional<SlurmCluster> cluster_;
};

TEST_F(SlurmClusterTest, SweepFinishesEveryRun) {
  const std::string sweep = WriteSweep(dir_);
  const CliResult submitted = Stride("submit " + sweep + " --slurm --max-parallel 2 --out " + dir_);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_THAT(submitted.out, HasSubstr(": 4 runs as array tasks 0-3, at most 2 at once;"));
  const std::string status = StatusOnceItSays(dir_ + "/sweep", "4 runs: 4 finished", 180);
  EXPECT_THAT(status, HasSubstr("4 runs: 4 finished")) << cluster_->Client("squeue");
  for (const char* run : {"ppo/seed_0", "ppo/seed_1", "vpg/seed_0", "vpg/seed_1"}) {
    EXPECT_TRUE(fs::exists(dir_ + "/sweep/" + run + "/policy.pt")) << run;
  }
  // submitted again, nothing is left to do
  const CliResult again = Stride("submit " + sweep + " --slurm --out " + dir_);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("all 4 runs have finished; nothing to submit"));
}

// one run long enough to be stopped: ppo on the pendulum for 200k steps
std::string LongRun(const std::string& sweep, const std::string& out) {
  return "submit " + sweep + " --slurm --variant ppo --seed 0 --out " + out +
         " --set experiment.total_steps=200000 --set experiment.checkpoint_every_steps=4096";
}

TEST_F(SlurmClusterTest, CancelledTaskResumesWhenResubmittedAndABrokenOneFailsByName) {
  const std::string sweep = WriteSweep(dir_), run = dir_ + "/sweep/ppo/seed_0";
  ASSERT_EQ(Stride(LongRun(sweep, dir_)).exit_code, 0);
  ASSERT_TRUE(WaitFor(run + "/checkpoints/checkpoint.pt", 120));
  EXPECT_THAT(StatusOnceItSays(dir_ + "/sweep", "running", 10), HasSubstr("by pid"));
  cluster_->Client("scancel --full -u root");
  std::string status = StatusOnceItSays(dir_ + "/sweep", "interrupted", 60);
  EXPECT_THAT(status, HasSubstr("interrupted  ")) << status;
  // the task's script appends its exit after the run has let go of its lock
  for (int i = 0; i < 300 && ReadFile(run + "/slurm_task").find("exit ") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(ReadFile(run + "/slurm_task"), HasSubstr("exit 143"));

  // resubmitted, it resumes from its checkpoint and finishes
  const CliResult resubmitted = Stride(LongRun(sweep, dir_));
  ASSERT_EQ(resubmitted.exit_code, 0) << resubmitted.err;
  status = StatusOnceItSays(dir_ + "/sweep", "1 finished", 240);
  EXPECT_THAT(status, HasSubstr("1 runs: 1 finished"));
  EXPECT_THAT(Shell("cat " + dir_ + "/sweep/slurm/*.log"), HasSubstr("ppo/seed_0] resuming"));

  // a task whose run cannot train fails with its error in stride status
  const std::string broken = dir_ + "/broken";
  ASSERT_EQ(Stride(LongRun(sweep, broken)).exit_code, 0);
  const std::string broken_run = broken + "/sweep/ppo/seed_0";
  ASSERT_TRUE(WaitFor(broken_run + "/checkpoints/checkpoint.pt", 120));
  cluster_->Client("scancel --full -u root");
  StatusOnceItSays(broken + "/sweep", "interrupted", 60);
  WriteFile(broken_run + "/checkpoints/checkpoint.pt", "not a checkpoint");
  ASSERT_EQ(Stride(LongRun(sweep, broken)).exit_code, 0);
  status = StatusOnceItSays(broken + "/sweep", "failed", 60);
  EXPECT_THAT(status, HasSubstr("failed")) << status;
  EXPECT_THAT(status, HasSubstr("exit 1: error: "));
  EXPECT_THAT(status, HasSubstr("checkpoint.pt"));
}

TEST_F(SlurmClusterTest, RequeuedTaskResumes) {
  const std::string sweep = WriteSweep(dir_), run = dir_ + "/sweep/ppo/seed_0";
  ASSERT_EQ(Stride(LongRun(sweep, dir_)).exit_code, 0);
  ASSERT_TRUE(WaitFor(run + "/checkpoints/checkpoint.pt", 120));
  const std::string job = Shell("cut -d' ' -f2 " + run + "/slurm_task | head -1");
  // as preemption does: stopped, put back in the queue and started again
  cluster_->Client("scontrol requeue " + job.substr(0, job.find('\n')));
  StatusOnceItSays(dir_ + "/sweep", "interrupted", 60);
  cluster_->Client("scontrol update JobId=" + job.substr(0, job.find('\n')) + " StartTime=now");
  const std::string status = StatusOnceItSays(dir_ + "/sweep", "1 finished", 240);
  EXPECT_THAT(status, HasSubstr("1 runs: 1 finished")) << cluster_->Client("squeue");
  EXPECT_THAT(Shell("cat " + dir_ + "/sweep/slurm/*.log"), HasSubstr("ppo/seed_0] resuming"));
}

TEST_F(SlurmClusterTest, SrunRunsDataParallelPpo) {
  WriteFile(dir_ + "/dp.toml", R"([experiment]
name = "dp"
total_steps = 4_096

[environment]
plugin = "pendulum"
num_envs = 8
num_workers = 1

[[reward]]
plugin = "alive_bonus"

[algorithm]
plugin = "ppo"
num_steps = 256
num_minibatches = 4
)");
  // the ranks meet at a port this test holds, not the one derived from the job id
  const PortLease lease;
  const std::string output =
      cluster_->Client("MASTER_PORT=" + std::to_string(lease.port()) +
                       " srun -n 2 --kill-on-bad-exit=1 " + std::string(STRIDE_BINARY) + " run " +
                       dir_ + "/dp.toml --out " + dir_ + " --distributed --timeout 60");
  EXPECT_TRUE(fs::exists(dir_ + "/dp/seed_0/policy.pt")) << output;
  const std::string manifest = ReadFile(dir_ + "/dp/seed_0/manifest.json");
  EXPECT_THAT(manifest, HasSubstr("\"world_size\": 2,"));
  EXPECT_THAT(manifest, HasSubstr("\"launcher\": \"slurm\","));
  EXPECT_THAT(output, HasSubstr("data-parallel over 2 ranks"));
}

}  // namespace
}  // namespace stride::testing
