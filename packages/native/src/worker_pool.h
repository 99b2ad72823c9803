// A fixed set of long-lived threads, one per data-parallel replica. Long-lived so that each keeps its own
// OpenMP settings (omp_set_num_threads is per thread) and oneDNN's per-thread scratchpads between steps.
#pragma once
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace moodlens {

class WorkerPool {
 public:
  explicit WorkerPool(int count) : errors_(count) {
    for (int i = 0; i < count; i++) threads_.emplace_back([this, i] { loop(i); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  int size() const { return static_cast<int>(threads_.size()); }

  // Runs task(i) on worker i for every worker, returns when all are done; rethrows the first failure.
  void run(const std::function<void(int)>& task) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      task_ = &task;
      pending_ = size();
      generation_++;
    }
    wake_.notify_all();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    for (auto& error : errors_) {
      if (error) {
        auto first = error;
        for (auto& e : errors_) e = nullptr;
        std::rethrow_exception(first);
      }
    }
  }

 private:
  void loop(int index) {
    unsigned long seen = 0;
    for (;;) {
      const std::function<void(int)>* task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        task = task_;
      }
      try {
        (*task)(index);
      } catch (...) {
        errors_[index] = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--pending_ == 0) done_.notify_all();
      }
    }
  }

  std::vector<std::thread> threads_;
  std::vector<std::exception_ptr> errors_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* task_ = nullptr;
  unsigned long generation_ = 0;
  int pending_ = 0;
  bool stopping_ = false;
};

}  // namespace moodlens
