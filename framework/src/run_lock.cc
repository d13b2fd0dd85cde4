#include "stride/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHandOverVariable = "STRIDE_RUN_LOCK";

std::string LockPath(const std::string& run_dir) { return (fs::path(run_dir) / "lock").string(); }

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "?";
  return name;
}

// "pid 4242 on host node7 since 2026-11-30T06:41:07Z"
std::string Holder() {
  const std::time_t now = std::time(nullptr);
  char since[32] = {};
  std::strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return fmt::format("pid {} on host {} since {}", getpid(), HostName(), since);
}

void WriteHolder(int fd) {
  const std::string holder = Holder() + "\n";
  // the holder line is for people; the lock itself is the flock
  if (ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t written = pwrite(fd, holder.data(), holder.size(), 0);
  }
}

std::string ReadHolder(int fd) {
  char text[512] = {};
  const ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
  std::string holder(text, n > 0 ? static_cast<size_t>(n) : 0);
  while (!holder.empty() && holder.back() == '\n') holder.pop_back();
  return holder.empty() ? "another process" : holder;
}

bool SameFile(int fd, const std::string& path) {
  struct stat held {
  }, named{};
  return fstat(fd, &held) == 0 && stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

// the descriptor a parent handed over for run_dir, or -1
int HandedOver(const std::string& run_dir) {
  const char* value = std::getenv(kHandOverVariable);
  if (!value) return -1;
  const std::string text = value;
  const size_t colon = text.find(':');
  if (colon == std::string::npos || text.substr(colon + 1) != run_dir) return -1;
  const int fd = std::atoi(text.substr(0, colon).c_str());
  unsetenv(kHandOverVariable);
  if (fd < 3 || !SameFile(fd, LockPath(run_dir))) return -1;
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

}  // namespace

RunLock RunLock::Acquire(const std::string& run_dir) {
  if (const int fd = HandedOver(run_dir); fd >= 0) {
    WriteHolder(fd);
    return RunLock(fd, run_dir);
  }
  std::error_code ec;
  fs::create_directories(run_dir, ec);
  if (!fs::is_directory(run_dir)) {
    throw ConfigError(fmt::format("cannot create run directory '{}': {}", run_dir,
                                  ec ? ec.message() : "not a directory"));
  }
  const std::string path = LockPath(run_dir);
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw ConfigError(
        fmt::format("cannot use run directory '{}': {}", run_dir, std::strerror(errno)));
  }
  // a second try after a moment: RunLockHolder() holds a shared lock for an instant
  const bool locked = flock(fd, LOCK_EX | LOCK_NB) == 0 ||
                      (errno == EWOULDBLOCK && (usleep(50'000), flock(fd, LOCK_EX | LOCK_NB) == 0));
  if (!locked) {
    const int error_number = errno;
    const std::string holder = ReadHolder(fd);
    close(fd);
    if (error_number == EWOULDBLOCK) {
      throw ConfigError(fmt::format(
          "run directory '{}' is in use by {}: one run is trained by one process at a time; "
          "wait for it to finish or stop it (a stopped run resumes from its checkpoint)",
          run_dir, holder));
    }
    throw RuntimeError(fmt::format("cannot lock '{}': {}", path, std::strerror(error_number)));
  }
  WriteHolder(fd);
  return RunLock(fd, run_dir);
}

RunLock::RunLock(int fd, std::string run_dir) : fd_(fd), run_dir_(std::move(run_dir)) {}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      handed_fd_(std::exchange(other.handed_fd_, -1)),
      run_dir_(std::move(other.run_dir_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    this->~RunLock();
    fd_ = std::exchange(other.fd_, -1);
    handed_fd_ = std::exchange(other.handed_fd_, -1);
    run_dir_ = std::move(other.run_dir_);
  }
  return *this;
}

RunLock::~RunLock() {
  if (handed_fd_ >= 0) close(handed_fd_);
  handed_fd_ = -1;
  if (fd_ < 0) return;
  [[maybe_unused]] const int truncated = ftruncate(fd_, 0);
  close(fd_);
  fd_ = -1;
}

std::string RunLock::HandOver() {
  if (handed_fd_ < 0) handed_fd_ = fcntl(fd_, F_DUPFD, 3);
  return fmt::format("{}={}:{}", kHandOverVariable, handed_fd_, run_dir_);
}

void RunLock::ReleaseToChild() {
  if (handed_fd_ >= 0) close(handed_fd_);
  if (fd_ >= 0) close(fd_);
  handed_fd_ = fd_ = -1;
}

std::optional<std::string> RunLockHolder(const std::string& run_dir) {
  const int fd = open(LockPath(run_dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  // a shared lock is refused only while someone holds the exclusive one
  std::optional<std::string> holder;
  if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
    holder = ReadHolder(fd);
  } else {
    flock(fd, LOCK_UN);
  }
  close(fd);
  return holder;
}

}  // namespace stride
