// One replica's compiled network for one batch size: oneDNN primitives created once, memories in the formats
// the primitives prefer, kept across steps; only the weights are reordered from (and gradients to) the fp32
// master copies in tfjs layout at each step.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "dnnl.hpp"
#include "net_config.h"

namespace moodlens {

// An activation and its gradient, in one oneDNN memory format.
struct Act {
  dnnl::memory::desc md;
  dnnl::memory y, dy;
};
using ActPtr = std::shared_ptr<Act>;

// Batch statistics of one BN layer in the last training forward (moving averages are updated from them).
struct BatchStats {
  int movingMean, movingVariance;  // param indices
  dnnl::memory mean, variance;
};

class Plan {
 public:
  // grads: this replica's gradient buffers (master layout), written by backward(); nullptr for inference.
  Plan(const NetConfig& config, std::vector<Param>& params, std::vector<std::vector<float>>* grads,
       const dnnl::engine& engine, int batch, bool training);

  // Forward pass from 48x48 uint8 crops (divided by 255 here, as toModelInput does).
  void forward(dnnl::stream& stream, const uint8_t* pixels, uint64_t dropoutSeed);
  // After forward: softmax, label-smoothed class-weighted cross-entropy (summed, divided by normalizer) and its
  // gradient w.r.t. the logits; returns the loss, counts correct argmaxes.
  // Weighted cross-entropy against `targets` rows (soft labels) when given, else label-smoothed one-hot labels.
  double loss(const int32_t* labels, const float* targets, const float* classWeights, float smoothing, float normalizer,
              int* correct);
  void backward(dnnl::stream& stream);
  // After forward: softmax probabilities [batch * classes].
  void probabilities(float* out) const;

  const std::vector<BatchStats>& batchStats() const { return stats_; }
  int batch() const { return batch_; }

 private:
  struct Op {
    std::function<void(dnnl::stream&)> forward, backward;
  };
  ActPtr newAct(const dnnl::memory::desc& md, bool withDiff);
  dnnl::primitive_attr attr() const;
  dnnl::memory::desc activationMd(const dnnl::memory::dims& dims) const;
  bool channelsLast() const;
  std::shared_ptr<dnnl::memory> scratchFor(const dnnl::memory::desc& md);
  void finalizeScratch();
  dnnl::memory user(const dnnl::memory::desc& md, float* data) const { return dnnl::memory(md, engine_, data); }
  float* grad(int param) { return (*grads_)[param].data(); }

  ActPtr convolution(const ActPtr& src, int inChannels, int outChannels, int side, int& p, bool first);
  ActPtr batchNormRelu(const ActPtr& in, int channels, int& p);
  ActPtr maxPool(const ActPtr& src, int channels, int side);
  ActPtr globalAveragePool(const ActPtr& src, int channels, int side);
  ActPtr innerProduct(const ActPtr& src, int outputs, int& p, bool withBias, dnnl::memory::data_type dstType);
  void dropout(const ActPtr& act, float rate, int layer);

  const NetConfig& config_;
  std::vector<Param>& params_;
  std::vector<std::vector<float>>* grads_;
  dnnl::engine engine_;
  int batch_;
  bool training_;
  dnnl::memory::data_type compute_;
  std::vector<Op> ops_;
  std::vector<BatchStats> stats_;
  ActPtr input_, logits_;
  std::vector<float> logitGrad_;
  std::vector<std::pair<dnnl::memory::desc, std::shared_ptr<dnnl::memory>>> scratchSlots_;
  std::shared_ptr<void> scratch_;
  uint64_t dropoutSeed_ = 0;
  std::vector<float> pooledInput_;
};

}  // namespace moodlens
