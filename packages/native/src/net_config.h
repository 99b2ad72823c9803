// The deep (VGG-style) network family of packages/model/src/networks/deep.ts, as the native engine sees it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace moodlens {

struct NetConfig {
  int inputSize = 48;
  int inputPool = 1;                 // average pooling of the input (1 = off)
  std::vector<int> blockWidths;      // filters per block
  int convsPerBlock = 2;
  bool gapHead = false;              // false: flatten
  int denseUnits = 256;              // 0: no hidden dense layer
  float blockDropout = 0.f;
  float denseDropout = 0.f;
  float l2 = 0.f;
  int classes = 7;
  // tfjs BatchNormalization defaults (momentum 0.99, epsilon 1e-3).
  float bnMomentum = 0.99f;
  float bnEpsilon = 1e-3f;
  bool bf16 = false;                 // bf16 activations/weights in compute, fp32 master weights
  int replicas = 2;                  // data-parallel halves, one thread each
  int threadsPerReplica = 1;         // OpenMP threads inside each replica
};

struct OptimizerConfig {
  bool adam = true;
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;  // tfjs Adam defaults (epsilon = backend epsilon)
  float momentum = 0.9f;                                // SGD, Nesterov as tfjs.train.momentum(lr, m, true)
};

// One weight in tfjs' model.weights order and layout (conv kernels HWIO, dense kernels [in, out] with the
// flatten order of NHWC), so exchanging with the tfjs model is a plain copy.
struct Param {
  std::string name;
  std::vector<int64_t> shape;
  bool trainable = true;
  bool decayed = false;  // carries the L2 regulariser
  std::vector<float> value, grad, m, v;
  size_t size() const { return value.size(); }
};

}  // namespace moodlens
