// Faults injected into runs: full disks, kills and signals at random moments,
// two processes on one run, stale locks, damaged files and directories that
// cannot be written. Each case checks the error, the exit code, and that
// nothing written before was lost: the run resumes to the bits of a run that
// was never disturbed.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// VPG on the pendulum: a checkpoint after every update, an evaluation every
// fourth, about two seconds of training
std::string FaultExperiment() {
  return "[experiment]\n"
         "name = \"faults\"\n"
         "total_steps = 40_960\n"
         "checkpoint_every_steps = 2048\n"
         "\n[environment]\n"
         "plugin = \"pendulum\"\n"
         "num_envs = 8\n"
         "num_workers = 1\n"
         "\n[[reward]]\n"
         "plugin = \"alive_bonus\"\n"
         "\n[algorithm]\n"
         "plugin = \"vpg\"\n"
         "num_steps = 256\n"
         "\n[evaluation]\n"
         "every_steps = 8192\n"
         "episodes = 4\n";
}

// the runs of these tests: an experiment file and the output directory of each
struct Case {
  std::string dir;
  std::string experiment;
  std::string out;
  std::string run_dir() const { return out + "/faults/seed_0"; }
  std::string run() const { return "run " + experiment + " --out " + out; }
};

Case MakeCase(const std::string& name, const std::string& extra = "") {
  Case c;
  c.dir = TempDir("faults_" + name);
  c.experiment = c.dir + "/faults.toml";
  WriteFile(c.experiment, FaultExperiment() + extra);
  c.out = c.dir + "/runs";
  return c;
}

// runs a bash script; its exit code
int Bash(const std::string& dir, const std::string& script) {
  WriteFile(dir + "/script.sh", script);
  const int status = std::system(("bash " + dir + "/script.sh 2>/dev/null").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// `stride ARGS` in the background, stopped by signal once it has started
// training (its handlers are installed), logged an update and delay_s more
// have passed; its exit code
int Interrupt(const Case& c, const std::string& args, const std::string& signal, double delay_s) {
  const std::string status = c.dir + "/status";
  fs::remove(status);
  Bash(c.dir, "env -u STRIDE_PLUGIN_PATH " + std::string(STRIDE_BINARY) + " " + args +
                  " >/dev/null 2>" + c.dir +
                  "/err & pid=$!\n"
                  "until grep -qs '] \\(starting\\|resuming\\)$' '" +
                  c.dir +
                  "/err' || ! kill -0 $pid 2>/dev/null; do sleep 0.02; done\n"
                  "until [ -s '" +
                  c.run_dir() +
                  "/metrics.csv' ] || ! kill -0 $pid 2>/dev/null; "
                  "do sleep 0.02; done\n"
                  "sleep " +
                  std::to_string(delay_s) +
                  "\n"
                  "kill -" +
                  signal +
                  " $pid 2>/dev/null\n"
                  "wait $pid; echo $? > " +
                  status + "\n");
  return std::atoi(ReadFile(status).c_str());
}

// the policy and deterministic logs of the undisturbed run, trained once
struct Reference {
  std::string policy, metrics, evaluations;
  uintmax_t checkpoint_bytes = 0;
};

const Reference& Undisturbed() {
  static const Reference reference = [] {
    const Case c = MakeCase("reference");
    const CliResult result = RunStride(c.run());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return Reference{ReadFile(c.run_dir() + "/policy.pt"),
                     DeterministicColumns(c.run_dir() + "/metrics.csv"),
                     DeterministicColumns(c.run_dir() + "/eval.csv"),
                     fs::file_size(c.run_dir() + "/checkpoints/checkpoint.pt")};
  }();
  return reference;
}

// the run, finished, holds exactly what the undisturbed run holds
void ExpectUndisturbed(const Case& c) {
  const Reference& reference = Undisturbed();
  ASSERT_TRUE(fs::exists(c.run_dir() + "/policy.pt"));
  EXPECT_TRUE(ReadFile(c.run_dir() + "/policy.pt") == reference.policy);
  EXPECT_EQ(DeterministicColumns(c.run_dir() + "/metrics.csv"), reference.metrics);
  EXPECT_EQ(DeterministicColumns(c.run_dir() + "/eval.csv"), reference.evaluations);
}

// the same command finishes what was interrupted
void Finish(const Case& c) {
  const CliResult result = RunStride(c.run());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ExpectUndisturbed(c);
}

// kills at random moments, most of them inside a checkpoint's write (one per
// update): every resume continues from the last complete checkpoint
TEST(FaultTest, SigkillAtRandomMomentsLosesNothing) {
  const Case c = MakeCase("sigkill");
  std::mt19937 random(7);
  std::uniform_real_distribution<double> delay(0.0, 0.6);
  for (int kill = 0; kill < 12; ++kill) {
    const int code = Interrupt(c, c.run(), "KILL", delay(random));
    // 137 = 128 + SIGKILL; 0 once the run finished before its kill
    EXPECT_THAT(code, AnyOf(137, 0)) << ReadFile(c.dir + "/err");
    EXPECT_THAT(ReadFile(c.dir + "/err"), Not(HasSubstr("error")));
  }
  Finish(c);
}

// SIGTERM and SIGINT during evaluations and checkpoints (one per update, an
// evaluation every other): 128 + the signal, then the same bits
TEST(FaultTest, SigtermAndSigintCheckpointAndExitWithTheirCodes) {
  const Case c = MakeCase("signals");
  std::mt19937 random(11);
  std::uniform_real_distribution<double> delay(0.0, 0.4);
  for (int stop = 0; stop < 6; ++stop) {
    const bool term = stop % 2 == 0;
    const int code = Interrupt(c, c.run(), term ? "TERM" : "INT", delay(random));
    if (code == 0) break;  // finished before the signal
    EXPECT_EQ(code, term ? 143 : 130) << ReadFile(c.dir + "/err");
    EXPECT_THAT(ReadFile(c.dir + "/err"), HasSubstr("stopped; continue with"));
    EXPECT_TRUE(fs::exists(c.run_dir() + "/checkpoints/checkpoint.pt"));
  }
  Finish(c);
}

// a second process on a run is refused while the first trains; a lock whose
// holder was killed blocks nothing
TEST(FaultTest, ConcurrentRunsAreRefusedAndStaleLocksAreNot) {
  const Case c = MakeCase("concurrent");
  const std::string first = c.dir + "/first_status";
  const std::string second = c.dir + "/second";
  Bash(c.dir, "env -u STRIDE_PLUGIN_PATH " + std::string(STRIDE_BINARY) + " " + c.run() +
                  " 2>/dev/null & pid=$!\n"
                  "until [ -s '" +
                  c.run_dir() +
                  "/metrics.csv' ] || ! kill -0 $pid 2>/dev/null; do sleep 0.02; done\n"
                  "kill -STOP $pid\n"
                  "echo $pid > " +
                  c.dir +
                  "/pid\n"
                  "env -u STRIDE_PLUGIN_PATH " +
                  STRIDE_BINARY + " " + c.run() + " 2>" + second + "_err; echo $? > " + second +
                  "_status\n"
                  "env -u STRIDE_PLUGIN_PATH " +
                  STRIDE_BINARY + " run --resume " + c.run_dir() + " 2>" + second +
                  "_resume_err; echo $? > " + second +
                  "_resume_status\n"
                  "kill -KILL $pid; wait $pid; echo $? > " +
                  first + "\n");
  const std::string pid = ReadFile(c.dir + "/pid");
  EXPECT_EQ(ReadFile(second + "_status"), "2\n");
  EXPECT_EQ(ReadFile(second + "_resume_status"), "2\n");
  for (const std::string& err : {ReadFile(second + "_err"), ReadFile(second + "_resume_err")}) {
    EXPECT_THAT(err, HasSubstr("run directory '" + c.run_dir() + "' is in use by pid " +
                               pid.substr(0, pid.size() - 1) + " on host "));
  }
  // the killed holder's name stays in the lock file; its lock does not
  EXPECT_EQ(ReadFile(first), "137\n");
  EXPECT_THAT(ReadFile(c.run_dir() + "/lock"), HasSubstr("pid " + pid.substr(0, pid.size() - 1)));
  Finish(c);
  EXPECT_EQ(ReadFile(c.run_dir() + "/lock"), "");
}

// the disk fills during training: the failing write is named with the space
// it needed, exit 1, and after space is freed the run resumes to the same bits
void ExpectFullDiskError(const CliResult& result, const Case& c) {
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr("cannot write '" + c.out));
  EXPECT_THAT(result.err, HasSubstr("No space left on device ("));
  EXPECT_THAT(result.err, HasSubstr(" needed, "));
  EXPECT_THAT(result.err, HasSubstr("nothing written before was lost"));
  EXPECT_THAT(result.err, Not(HasSubstr("terminate")));
}

TEST(FaultTest, FullDiskIsAnErrorThatLosesNothing) {
  // a disk of 600 KB: the first checkpoints fit, a later one does not
  const Case c = MakeCase("full_disk");
  const CliResult full = RunStride(c.run(), "LD_PRELOAD=" STRIDE_FULL_DISK_SHIM
                                            " STRIDE_FULL_DISK_BYTES=600000"
                                            " STRIDE_FULL_DISK_DIR=" +
                                                c.out);
  ExpectFullDiskError(full, c);
  EXPECT_TRUE(fs::exists(c.run_dir() + "/checkpoints/checkpoint.pt"));
  EXPECT_FALSE(fs::exists(c.run_dir() + "/policy.pt"));
  Finish(c);
}

// the same on a real filesystem that is full: a tmpfs that holds one
// checkpoint and the logs but not the next checkpoint beside it; grown, it
// lets the run finish (needs the right to mount, as root in CI)
TEST(FaultTest, FullTmpfsIsAnErrorThatLosesNothing) {
  const Case c = MakeCase("full_tmpfs");
  const std::string mount = c.dir + "/mnt";
  fs::create_directories(mount);
  const std::string stride = "env -u STRIDE_PLUGIN_PATH " + std::string(STRIDE_BINARY) + " ";
  const uintmax_t kib = (Undisturbed().checkpoint_bytes * 3 / 2 + 48 * 1024) / 1024;
  const std::string run = "run " + c.experiment + " --out " + mount;
  const int code =
      Bash(c.dir,
           "unshare -m bash -c '\n"
           "mount -t tmpfs -o size=" +
               std::to_string(kib) + "k tmpfs " + mount + " || exit 77\n" + stride + run +
               " >/dev/null 2>" + c.dir + "/full_err; echo $? > " + c.dir +
               "/full_status\n"
               "ls " +
               mount + "/faults/seed_0/checkpoints > " + c.dir +
               "/kept\n"
               "mount -o remount,size=64m " +
               mount + "\n" + stride + run + " >/dev/null 2>" + c.dir + "/err; echo $? > " + c.dir +
               "/status\n"
               "cp -r " +
               mount + " " + c.out +
               "\n"
               "' 2>/dev/null\n");
  if (code == 77) GTEST_SKIP() << "mounting a tmpfs is not allowed here";
  CliResult full{std::atoi(ReadFile(c.dir + "/full_status").c_str()), "",
                 ReadFile(c.dir + "/full_err")};
  Case mounted = c;
  mounted.out = mount;
  ExpectFullDiskError(full, mounted);
  EXPECT_EQ(ReadFile(c.dir + "/kept"), "checkpoint.pt\n");
  ASSERT_EQ(ReadFile(c.dir + "/status"), "0\n") << ReadFile(c.dir + "/err");
  ExpectUndisturbed(c);
}

// flips one bit of a file's middle byte
void FlipMiddleBit(const std::string& path) {
  std::string bytes = ReadFile(path);
  bytes[bytes.size() / 2] ^= 0x10;
  WriteFile(path, bytes);
}

void Truncate(const std::string& path) { fs::resize_file(path, fs::file_size(path) * 2 / 3); }

// a damaged checkpoint or policy is refused by name and left as it was
TEST(FaultTest, DamagedCheckpointsAndPoliciesAreRefusedByName) {
  const Case c = MakeCase("damaged");
  ASSERT_EQ(Interrupt(c, c.run(), "INT", 0.2), 130) << ReadFile(c.dir + "/err");
  const std::string checkpoint = c.run_dir() + "/checkpoints/checkpoint.pt";
  const std::string intact = ReadFile(checkpoint);
  for (const auto& damage : {FlipMiddleBit, Truncate}) {
    damage(checkpoint);
    const std::string damaged = ReadFile(checkpoint);
    const CliResult resumed = RunStride(c.run());
    EXPECT_EQ(resumed.exit_code, 1) << resumed.err;
    EXPECT_THAT(resumed.err, HasSubstr("'" + checkpoint + "' is damaged"));
    EXPECT_TRUE(ReadFile(checkpoint) == damaged);
    WriteFile(checkpoint, intact);
  }
  Finish(c);

  const std::string policy = c.run_dir() + "/policy.pt";
  for (const auto& damage : {FlipMiddleBit, Truncate}) {
    damage(policy);
    const CliResult evaluated = RunStride("eval " + c.run_dir());
    EXPECT_EQ(evaluated.exit_code, 1) << evaluated.err;
    EXPECT_THAT(evaluated.err, HasSubstr("'" + policy + "' is damaged"));
    WriteFile(policy, Undisturbed().policy);
  }
  EXPECT_EQ(RunStride("eval " + c.run_dir()).exit_code, 0);
}

// an events file that fails its checksums is named; a log row cut short by a
// crash is dropped on resume, and read past by compare
TEST(FaultTest, DamagedEventsAreNamedAndCutRowsRepaired) {
  const Case c = MakeCase("logs");
  ASSERT_EQ(Interrupt(c, c.run(), "INT", 0.2), 130) << ReadFile(c.dir + "/err");
  std::string events;
  for (const fs::directory_entry& entry : fs::directory_iterator(c.run_dir())) {
    if (entry.path().filename().string().find("tfevents") != std::string::npos) {
      events = entry.path().string();
    }
  }
  ASSERT_FALSE(events.empty());
  const std::string intact = ReadFile(events);
  FlipMiddleBit(events);
  const CliResult resumed = RunStride(c.run());
  EXPECT_EQ(resumed.exit_code, 1) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr(events + ": the record at byte"));
  WriteFile(events, intact);

  // rows being written when the process died: dropped on resume, read past by compare
  const auto cut_rows = [&c] {
    for (const char* log : {"/metrics.csv", "/eval.csv", "/metrics.jsonl"}) {
      WriteFile(c.run_dir() + log, ReadFile(c.run_dir() + log) + "123456,0.5,");
    }
  };
  cut_rows();
  Finish(c);
  cut_rows();
  const CliResult compared = RunStride("compare " + c.out + " --out " + c.dir + "/report");
  EXPECT_EQ(compared.exit_code, 0) << compared.err;
}

// an output directory that cannot be written is a clear error before training
TEST(FaultTest, ReadOnlyOutputDirectoryIsRefused) {
  const Case c = MakeCase("read_only");
  const std::string mount = c.dir + "/mnt";
  fs::create_directories(mount);
  const std::string run = "run " + c.experiment + " --out " + mount + "/runs";
  const int code =
      Bash(c.dir, "if [ $(id -u) = 0 ]; then unshare -m bash -c 'mount -t tmpfs -o ro tmpfs " +
                      mount + " || exit 77; env -u STRIDE_PLUGIN_PATH " + STRIDE_BINARY + " " +
                      run + " 2>" + c.dir + "/err; echo $? > " + c.dir +
                      "/status' 2>/dev/null\n"
                      "else chmod 555 " +
                      mount + "; env -u STRIDE_PLUGIN_PATH " + STRIDE_BINARY + " " + run + " 2>" +
                      c.dir + "/err; echo $? > " + c.dir + "/status; fi\n");
  if (code == 77) GTEST_SKIP() << "mounting a read-only tmpfs is not allowed here";
  EXPECT_EQ(ReadFile(c.dir + "/status"), "2\n");
  EXPECT_THAT(ReadFile(c.dir + "/err"),
              HasSubstr("cannot create run directory '" + mount + "/runs/faults/seed_0': "));
}

}  // namespace
}  // namespace stride::testing
