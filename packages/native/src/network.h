// The native training engine for one network: fp32 master weights and optimizer state in tfjs layout,
// data-parallel replicas (one thread each, each with its own compiled plans per batch size), the optimizer step.
#pragma once
#include <map>
#include <memory>
#include <vector>

#include "dnnl.hpp"
#include "net_config.h"
#include "plan.h"
#include "worker_pool.h"

namespace moodlens {

struct StepInput {
  const uint8_t* pixels;  // n crops of inputSize^2 bytes
  const int32_t* labels;
  int count;
  const float* classWeights;
  float smoothing;
  float normalizer;         // divides the summed loss (the full batch size)
  uint64_t dropoutSeed;     // from (seed, epoch, batch)
  const float* targets;     // n * classes soft targets (distillation), or nullptr: label-smoothed one-hot of labels
};

struct StepResult {
  double loss;  // data loss + L2 terms, as tfjs' batchLoss
  int correct;
};

std::vector<Param> buildParams(const NetConfig& config);

class Network {
 public:
  Network(const NetConfig& config, const OptimizerConfig& optimizer);
  ~Network();

  // Gradients of the batch into params[i].grad (summed over replicas, L2 included); moving BN statistics updated.
  StepResult forwardBackward(const StepInput& input);
  // One optimizer step from params[i].grad with this learning rate.
  void update(float learningRate);
  // Inference (moving statistics, no dropout): probabilities [count * classes].
  void predict(const uint8_t* pixels, int count, float* out);

  std::vector<Param>& params() { return params_; }
  // Parameter i in tfjs' model.weights order (trainable weights first, then the moving statistics); internally
  // the parameters are in layer order.
  Param& tfjsParam(size_t i) { return params_[tfjsOrder_.at(i)]; }
  const NetConfig& config() const { return config_; }
  // Adam's running powers of beta (tfjs' accBeta1/accBeta2) and the step count.
  float accBeta1, accBeta2;
  double iterations = 0;

 private:
  struct Replica {
    std::unique_ptr<dnnl::stream> stream;
    std::map<std::pair<int, bool>, std::unique_ptr<Plan>> plans;
    std::vector<std::vector<float>> grads;
    Plan* last = nullptr;
    double loss = 0;
    int correct = 0;
  };
  Plan& planFor(Replica& replica, int batch, bool training);
  void split(int count, std::vector<int>& starts, std::vector<int>& sizes) const;

  NetConfig config_;
  OptimizerConfig optimizer_;
  std::vector<Param> params_;
  std::vector<size_t> tfjsOrder_;
  dnnl::engine engine_;
  std::vector<Replica> replicas_;
  std::unique_ptr<WorkerPool> pool_;
};

}  // namespace moodlens
