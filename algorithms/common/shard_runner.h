// Runs a fixed number of shards of work on one or two threads. The shards, not
// the threads, are the unit of computation: callers combine the shards'
// results in shard order, so the bits do not depend on the thread count.
#ifndef STRIDE_ALGORITHMS_COMMON_SHARD_RUNNER_H_
#define STRIDE_ALGORITHMS_COMMON_SHARD_RUNNER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace stride::algorithms {

class ShardRunner {
 public:
  // threads: 1 runs every shard on the caller's thread; 2 adds a helper thread
  explicit ShardRunner(int threads);
  ~ShardRunner();
  ShardRunner(const ShardRunner&) = delete;
  ShardRunner& operator=(const ShardRunner&) = delete;

  int threads() const { return helper_.joinable() ? 2 : 1; }
  // calls work(s) for s in [0, shards) and returns when every call has
  void Run(int shards, const std::function<void(int)>& work);

 private:
  void HelperLoop();

  std::thread helper_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // the helper's job: odd shards of the current generation
  const std::function<void(int)>* work_ = nullptr;
  int shards_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> finished_{0};
  std::atomic<bool> sleeping_{false};
  bool exit_ = false;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_SHARD_RUNNER_H_
