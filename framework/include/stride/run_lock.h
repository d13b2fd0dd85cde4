// An exclusive hold on a run directory, so that two processes never train one
// run: the file DIR/lock, locked with flock(2) and naming its holder.
#ifndef STRIDE_RUN_LOCK_H_
#define STRIDE_RUN_LOCK_H_

#include <optional>
#include <string>

namespace stride {

class RunLock {
 public:
  // locks run_dir (creating it). Another live holder is a ConfigError naming
  // the directory and the holder's PID, host and start; a holder that died
  // holds nothing, as the kernel (or an NFS lock manager) releases its lock.
  // A child process started by HandOver() takes over its parent's lock here.
  static RunLock Acquire(const std::string& run_dir);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  // releases the lock and clears its holder
  ~RunLock();

  // "STRIDE_RUN_LOCK=FD:DIR", for the environment of a child process that
  // continues the run; the descriptor stays open across exec until
  // ReleaseToChild()
  std::string HandOver();
  // after the child has started: this process lets go, the child holds on
  void ReleaseToChild();

 private:
  RunLock(int fd, std::string run_dir);

  int fd_ = -1;
  int handed_fd_ = -1;
  std::string run_dir_;
};

// who holds run_dir ("pid 4242 on host node7 since ..."), or nullopt when no
// live process does; creates and changes nothing
std::optional<std::string> RunLockHolder(const std::string& run_dir);

}  // namespace stride

#endif  // STRIDE_RUN_LOCK_H_
