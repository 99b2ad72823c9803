#pragma once
#include <string>

namespace moodlens {
struct FmaPeak {
  double gflops;  // per core: FLOP per CPU-second of one thread, averaged over the threads
  std::string isa;
};
// Runs `threads` threads of register-only FMAs for `seconds` of CPU time each.
FmaPeak measureFmaPeak(int threads, double seconds);
}  // namespace moodlens
