#include "algorithms/common/shard_runner.h"

#include <chrono>

#include <immintrin.h>
#include <omp.h>

namespace stride::algorithms {
namespace {

// how long the helper spins for the next job before it sleeps; updates hand
// out a job every few hundred microseconds, rollouts leave it idle for longer
constexpr auto kSpin = std::chrono::microseconds(200);

}  // namespace

ShardRunner::ShardRunner(int threads) {
  if (threads >= 2) helper_ = std::thread([this] { HelperLoop(); });
}

ShardRunner::~ShardRunner() {
  if (!helper_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    exit_ = true;
    generation_.fetch_add(1);
  }
  wake_.notify_one();
  helper_.join();
}

void ShardRunner::Run(int shards, const std::function<void(int)>& work) {
  if (!helper_.joinable()) {
    for (int s = 0; s < shards; ++s) work(s);
    return;
  }
  // the helper takes the odd shards, this thread the even ones
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    work_ = &work;
    shards_ = shards;
    generation = generation_.fetch_add(1) + 1;
  }
  if (sleeping_.load()) wake_.notify_one();
  for (int s = 0; s < shards; s += 2) work(s);
  while (finished_.load(std::memory_order_acquire) != generation) _mm_pause();
}

void ShardRunner::HelperLoop() {
  // BLAS calls from this thread stay on this thread
  omp_set_num_threads(1);
  uint64_t seen = 0;
  for (;;) {
    // spin briefly for the next job, then sleep until woken
    const auto spin_until = std::chrono::steady_clock::now() + kSpin;
    while (generation_.load(std::memory_order_acquire) == seen &&
           std::chrono::steady_clock::now() < spin_until) {
      _mm_pause();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (generation_.load() == seen) {
      sleeping_.store(true);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      sleeping_.store(false);
    }
    if (exit_) return;
    seen = generation_.load();
    const std::function<void(int)>* work = work_;
    const int shards = shards_;
    lock.unlock();
    for (int s = 1; s < shards; s += 2) (*work)(s);
    finished_.store(seen, std::memory_order_release);
  }
}

}  // namespace stride::algorithms
