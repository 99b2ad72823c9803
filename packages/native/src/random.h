// Dropout masks from a counter-based seed: (run seed, epoch, batch, replica, layer) fixes every mask, so a
// resumed run draws exactly the masks the uninterrupted run would have drawn.
#pragma once
#include <cstdint>

namespace moodlens {

struct SplitMix64 {
  uint64_t state;
  explicit SplitMix64(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t next32() { return static_cast<uint32_t>(next() >> 32); }
};

inline uint64_t mixSeed(uint64_t seed, uint64_t value) {
  SplitMix64 mixer(seed ^ (value * 0xD1B54A32D192ED03ull));
  return mixer.next();
}

}  // namespace moodlens
