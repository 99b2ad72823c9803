// Peak fp32 FMA throughput per core: independent AVX-512 (else AVX2) fused multiply-adds on registers, per
// CPU-second of each thread, for the bench's "share of peak" figure.
#include "fma_probe.h"

#include <immintrin.h>

#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

namespace moodlens {
namespace {

// CPU time of the calling thread: on a shared machine the rate per CPU-second is the core's peak, whatever
// share of the core the scheduler gave us.
double threadSeconds() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec * 1e-9;
}

// 16 independent accumulators hide the FMA latency (4 cycles x 2 ports on recent Xeons needs >= 8).
__attribute__((target("avx512f"))) double fmaAvx512(double seconds) {
  __m512 acc[16];
  for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  const double start = threadSeconds();
  double flops = 0, elapsed = 0;
  do {
    for (int r = 0; r < 4096; r++)
      for (int i = 0; i < 16; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    flops += 4096.0 * 16 * 16 * 2;
    elapsed = threadSeconds() - start;
  } while (elapsed < seconds);
  float sink = 0;
  for (int i = 0; i < 16; i++) sink += _mm512_reduce_add_ps(acc[i]);
  volatile float keep = sink;
  (void)keep;
  return flops / elapsed;
}

__attribute__((target("avx2,fma"))) double fmaAvx2(double seconds) {
  __m256 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  const double start = threadSeconds();
  double flops = 0, elapsed = 0;
  do {
    for (int r = 0; r < 4096; r++)
      for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    flops += 4096.0 * 12 * 8 * 2;
    elapsed = threadSeconds() - start;
  } while (elapsed < seconds);
  float out[8];
  __m256 sum = acc[0];
  for (int i = 1; i < 12; i++) sum = _mm256_add_ps(sum, acc[i]);
  _mm256_storeu_ps(out, sum);
  volatile float keep = out[0];
  (void)keep;
  return flops / elapsed;
}

}  // namespace

FmaPeak measureFmaPeak(int threads, double seconds) {
  const bool avx512 = __builtin_cpu_supports("avx512f");
  std::vector<double> rates(threads, 0);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; t++) {
    workers.emplace_back([&, t] { rates[t] = avx512 ? fmaAvx512(seconds) : fmaAvx2(seconds); });
  }
  for (auto& worker : workers) worker.join();
  double total = 0;
  for (double rate : rates) total += rate;
  return {total / threads / 1e9, avx512 ? "avx512f" : "avx2"};
}

}  // namespace moodlens
