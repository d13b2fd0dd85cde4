// Whole-file writes, sealed archives and the run-directory lock.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stride/durable_file.h"
#include "stride/error.h"
#include "stride/run_lock.h"

namespace stride {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string TempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("stride_durable_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// the smallest zip archive: no entries, an end record without a comment
std::string EmptyZip() {
  std::string end = "PK\x05\x06";
  end.append(18, '\0');
  return "entries and central directory" + end;
}

TEST(DurableFileTest, WritesWholeFilesAndLeavesNoTemporary) {
  const std::string dir = TempDir("write");
  WriteFileAtomically(dir + "/a.txt", "first");
  WriteFileAtomically(dir + "/a.txt", "second, longer");
  EXPECT_EQ(ReadFile(dir + "/a.txt"), "second, longer");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(DurableFileTest, FailuresNameTheFile) {
  const std::string dir = TempDir("fail");
  try {
    WriteFileAtomically(dir + "/missing/a.txt", "x");
    FAIL() << "wrote into a missing directory";
  } catch (const RuntimeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot write '" + dir + "/missing/a.txt': "));
  }
  EXPECT_THROW(ReadFile(dir + "/missing.txt"), RuntimeError);
  const std::string full = WriteFailure(dir + "/a.txt", ENOSPC, 3 * 1024);
  EXPECT_THAT(full, HasSubstr("No space left on device (3.0 KiB needed, "));
  EXPECT_THAT(full, HasSubstr(" free on its filesystem)"));
  EXPECT_THAT(WriteFailure(dir + "/a.txt", EACCES, 10), Not(HasSubstr("needed")));
}

TEST(DurableFileTest, SealedArchivesPassAndEveryChangedByteFails) {
  const std::string sealed = SealArchive(EmptyZip());
  EXPECT_THAT(sealed, HasSubstr("stride-crc32 "));
  EXPECT_NO_THROW(CheckArchive("a.pt", sealed));
  for (size_t at = 0; at < sealed.size(); ++at) {
    std::string damaged = sealed;
    damaged[at] ^= 0x01;
    EXPECT_THROW(CheckArchive("a.pt", damaged), RuntimeError) << "byte " << at;
  }
  try {
    CheckArchive("a.pt", sealed.substr(0, sealed.size() - 30));
    FAIL() << "a truncated archive passed";
  } catch (const RuntimeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'a.pt' is damaged: it is truncated"));
  }
  // archives written elsewhere carry no seal and are not judged
  EXPECT_NO_THROW(CheckArchive("b.pt", EmptyZip()));
  EXPECT_THROW(CheckArchive("c.pt", "not a zip archive at all, nor its end"), RuntimeError);
}

TEST(RunLockTest, SecondHolderIsRefusedNamingTheFirst) {
  const std::string dir = TempDir("lock") + "/run";
  {
    const RunLock held = RunLock::Acquire(dir);
    EXPECT_THAT(ReadFile(dir + "/lock"),
                HasSubstr("pid " + std::to_string(getpid()) + " on host "));
    try {
      RunLock::Acquire(dir);
      FAIL() << "a held run directory was locked twice";
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr("run directory '" + dir + "' is in use by pid " +
                                      std::to_string(getpid()) + " on host "));
    }
  }
  EXPECT_EQ(ReadFile(dir + "/lock"), "");
  EXPECT_NO_THROW(RunLock::Acquire(dir));
}

// a child started with the parent's hand-over entry adopts the parent's lock
// (here in one process, so both share one descriptor table); an entry for
// another directory is ignored
TEST(RunLockTest, HandedOverLockIsAdopted) {
  const std::string dir = TempDir("hand_over") + "/run";
  RunLock parent = RunLock::Acquire(dir);
  const std::string entry = parent.HandOver();
  ASSERT_THAT(entry, HasSubstr("STRIDE_RUN_LOCK="));
  const size_t equals = entry.find('=');
  const std::string descriptor = entry.substr(equals + 1, entry.find(':') - equals);
  setenv("STRIDE_RUN_LOCK", (descriptor + dir + "x").c_str(), 1);
  EXPECT_THROW(RunLock::Acquire(dir), ConfigError);
  setenv("STRIDE_RUN_LOCK", entry.substr(equals + 1).c_str(), 1);
  EXPECT_NO_THROW(RunLock::Acquire(dir));
  EXPECT_EQ(std::getenv("STRIDE_RUN_LOCK"), nullptr);
}

}  // namespace
}  // namespace stride
