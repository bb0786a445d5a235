// bufferprospector/detail/task_pool.hpp -- the worker threads behind options.nprocesses.
// IWYU pragma: private (used by intra/loop_blocking.hpp and intra/layer_scheduler.hpp).
//
// The searches parallelise small loops (the partitions of one layer search, the chunks of one
// exhaustive loop-blocking sweep), thousands of times per network: starting threads for each
// would cost more than the loop. So the workers are started once, on first use, and wait for
// work; the calling thread works too, and takes indices from the same counter, so a loop never
// waits for a slow-to-wake worker. Results must not depend on which thread ran which index:
// callers write each index's result to its own slot and merge in index order.
//
//   bp::detail::parallel_for(n, opt.nprocesses, [&](std::size_t i) { out[i] = work(i); });
//
// A parallel_for inside a task, or while another thread's parallel_for runs, runs inline
// (sequentially, on the calling thread): there is one pool per process and no nesting.
#pragma once

#include <algorithm>           // std::min
#include <atomic>              // std::atomic
#include <condition_variable>  // std::condition_variable
#include <cstddef>             // std::size_t
#include <cstdint>             // std::uint64_t
#include <exception>           // std::exception_ptr, std::rethrow_exception
#include <memory>              // std::addressof
#include <mutex>               // std::mutex, std::unique_lock
#include <thread>              // std::thread
#include <type_traits>         // std::remove_reference_t
#include <vector>              // std::vector

namespace bp::detail {

class task_pool {
 public:
  /// The process-wide pool (workers are started by the first parallel loop that needs them and
  /// joined at exit).
  static task_pool& shared() {
    static task_pool pool;
    return pool;
  }

  task_pool() = default;
  task_pool(const task_pool&) = delete;
  task_pool& operator=(const task_pool&) = delete;
  ~task_pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  /// Calls fn(i) for every i in [0, n) on up to `threads` threads (the caller included) and
  /// returns when all calls have returned. The first exception a call throws is rethrown here
  /// (after the other calls finished). Inline when threads <= 1, n <= 1, inside a task, or
  /// while the pool runs another loop.
  template <class Fn>
  void parallel_for(std::size_t n, std::size_t threads, Fn&& fn) {
    std::unique_lock<std::mutex> busy(job_mutex_, std::defer_lock);
    if (threads <= 1 || n <= 1 || in_task() || !busy.try_lock()) {
      for (std::size_t i = 0; i < n; ++i) fn(i);
      return;
    }
    const std::size_t helpers = std::min(threads, n) - 1;
    start_workers(helpers);

    using F = std::remove_reference_t<Fn>;
    const auto invoke = [](void* f, std::size_t i) { (*static_cast<F*>(f))(i); };
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = {invoke, const_cast<void*>(static_cast<const void*>(std::addressof(fn))), n};
      next_.store(0, std::memory_order_relaxed);
      open_slots_ = helpers;
      joined_ = finished_ = 0;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();

    in_task() = true;
    run_indices();
    in_task() = false;

    std::unique_lock<std::mutex> lock(mutex_);
    open_slots_ = 0;  // no late joiners: every index is taken
    done_.wait(lock, [&] { return finished_ == joined_; });
    job_ = {};
    if (error_) std::rethrow_exception(error_);
  }

 private:
  struct job {
    void (*invoke)(void*, std::size_t) = nullptr;
    void* fn = nullptr;
    std::size_t n = 0;
  };

  static bool& in_task() {
    thread_local bool flag = false;
    return flag;
  }

  void start_workers(std::size_t count) {
    std::lock_guard<std::mutex> lock(mutex_);
    while (workers_.size() < count) workers_.emplace_back([this] { work(); });
  }

  void run_indices() {
    for (std::size_t i = next_.fetch_add(1, std::memory_order_relaxed); i < job_.n;
         i = next_.fetch_add(1, std::memory_order_relaxed)) {
      try {
        job_.invoke(job_.fn, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void work() {
    in_task() = true;
    std::uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || (generation_ != seen && open_slots_ > 0); });
      if (stop_) return;
      seen = generation_;
      --open_slots_;
      ++joined_;
      lock.unlock();
      run_indices();
      lock.lock();
      if (++finished_ == joined_) done_.notify_one();
    }
  }

  std::mutex job_mutex_;  // one loop at a time
  std::mutex mutex_;      // guards everything below except next_
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  job job_;
  std::atomic<std::size_t> next_{0};
  std::size_t open_slots_ = 0, joined_ = 0, finished_ = 0;
  std::uint64_t generation_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
};

/// task_pool::shared().parallel_for(n, threads, fn).
template <class Fn>
void parallel_for(std::size_t n, std::size_t threads, Fn&& fn) {
  task_pool::shared().parallel_for(n, threads, fn);
}

}  // namespace bp::detail
