// bf16 <-> fp32 for the few element-wise loops outside oneDNN (input, dropout, logits' gradient).
#pragma once
#include <cstdint>
#include <cstring>

namespace moodlens {

inline float bf16ToFloat(uint16_t value) {
  const uint32_t bits = static_cast<uint32_t>(value) << 16;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

// Round to nearest even, as oneDNN's reorders do (inputs here are finite).
inline uint16_t floatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

}  // namespace moodlens
