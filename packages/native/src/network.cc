#include "network.h"

#include <omp.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "random.h"

namespace moodlens {

namespace {
Param makeParam(const std::string& name, std::vector<int64_t> shape, bool trainable, bool decayed, float fill) {
  Param p;
  p.name = name;
  p.shape = std::move(shape);
  p.trainable = trainable;
  p.decayed = decayed;
  size_t size = 1;
  for (auto d : p.shape) size *= static_cast<size_t>(d);
  p.value.assign(size, fill);
  if (trainable) {
    p.grad.assign(size, 0.f);
    p.m.assign(size, 0.f);
    p.v.assign(size, 0.f);
  }
  return p;
}

void addBatchNorm(std::vector<Param>& params, const std::string& layer, int channels) {
  params.push_back(makeParam(layer + "/gamma", {channels}, true, false, 1.f));
  params.push_back(makeParam(layer + "/beta", {channels}, true, false, 0.f));
  params.push_back(makeParam(layer + "/moving_mean", {channels}, false, false, 0.f));
  params.push_back(makeParam(layer + "/moving_variance", {channels}, false, false, 1.f));
}
}  // namespace

// Same layers, names, order and shapes as tfjs' model.weights of buildDeepNetwork.
std::vector<Param> buildParams(const NetConfig& config) {
  std::vector<Param> params;
  int channels = 1, side = config.inputSize / config.inputPool;
  for (size_t b = 0; b < config.blockWidths.size(); b++) {
    const int width = config.blockWidths[b];
    for (int k = 1; k <= config.convsPerBlock; k++) {
      const std::string prefix = "block" + std::to_string(b + 1);
      params.push_back(makeParam(prefix + "_conv" + std::to_string(k) + "/kernel", {3, 3, channels, width}, true, true, 0.f));
      addBatchNorm(params, prefix + "_bn" + std::to_string(k), width);
      channels = width;
    }
    side /= 2;
  }
  int features = config.gapHead ? channels : side * side * channels;
  if (config.denseUnits > 0) {
    params.push_back(makeParam("dense/kernel", {features, config.denseUnits}, true, true, 0.f));
    addBatchNorm(params, "dense_bn", config.denseUnits);
    features = config.denseUnits;
  }
  params.push_back(makeParam("probabilities/kernel", {features, config.classes}, true, true, 0.f));
  params.push_back(makeParam("probabilities/bias", {config.classes}, true, false, 0.f));
  return params;
}

Network::Network(const NetConfig& config, const OptimizerConfig& optimizer)
    : accBeta1(optimizer.beta1), accBeta2(optimizer.beta2), config_(config), optimizer_(optimizer),
      params_(buildParams(config)), engine_(dnnl::engine::kind::cpu, 0) {
  if (config.replicas < 1 || config.replicas > 16) throw std::invalid_argument("replicas must be 1..16");
  for (int trainable = 1; trainable >= 0; trainable--) {
    for (size_t i = 0; i < params_.size(); i++) {
      if (params_[i].trainable == static_cast<bool>(trainable)) tfjsOrder_.push_back(i);
    }
  }
  replicas_.resize(config.replicas);
  for (auto& replica : replicas_) {
    replica.stream = std::make_unique<dnnl::stream>(engine_);
    for (auto& p : params_) replica.grads.emplace_back(p.trainable ? p.size() : 0, 0.f);
  }
  pool_ = std::make_unique<WorkerPool>(config.replicas);
}

Network::~Network() { pool_.reset(); }

Plan& Network::planFor(Replica& replica, int batch, bool training) {
  auto key = std::make_pair(batch, training);
  auto found = replica.plans.find(key);
  if (found != replica.plans.end()) return *found->second;
  auto plan = std::make_unique<Plan>(config_, params_, training ? &replica.grads : nullptr, engine_, batch, training);
  return *replica.plans.emplace(key, std::move(plan)).first->second;
}

void Network::split(int count, std::vector<int>& starts, std::vector<int>& sizes) const {
  const int parts = static_cast<int>(replicas_.size());
  int start = 0;
  for (int r = 0; r < parts; r++) {
    const int size = count / parts + (r < count % parts ? 1 : 0);
    starts.push_back(start);
    sizes.push_back(size);
    start += size;
  }
}

StepResult Network::forwardBackward(const StepInput& input) {
  std::vector<int> starts, sizes;
  split(input.count, starts, sizes);
  const size_t pixelsPerImage = static_cast<size_t>(config_.inputSize) * config_.inputSize;
  pool_->run([&](int r) {
    Replica& replica = replicas_[r];
    replica.last = nullptr;
    replica.loss = 0;
    replica.correct = 0;
    if (sizes[r] == 0) return;
    omp_set_num_threads(config_.threadsPerReplica);
    Plan& plan = planFor(replica, sizes[r], true);
    plan.forward(*replica.stream, input.pixels + starts[r] * pixelsPerImage, mixSeed(input.dropoutSeed, static_cast<uint64_t>(r)));
    const float* targets = input.targets ? input.targets + static_cast<size_t>(starts[r]) * config_.classes : nullptr;
    replica.loss =
        plan.loss(input.labels + starts[r], targets, input.classWeights, input.smoothing, input.normalizer, &replica.correct);
    plan.backward(*replica.stream);
    replica.last = &plan;
  });
  StepResult result{0, 0};
  for (auto& replica : replicas_) {
    result.loss += replica.loss;
    result.correct += replica.correct;
  }
  // Sum the replicas' gradients, then add the L2 terms once (tfjs: l2 * sum(w^2), gradient 2 * l2 * w).
  for (size_t i = 0; i < params_.size(); i++) {
    Param& p = params_[i];
    if (!p.trainable) continue;
    std::fill(p.grad.begin(), p.grad.end(), 0.f);
    for (auto& replica : replicas_) {
      if (!replica.last) continue;
      const float* g = replica.grads[i].data();
      for (size_t j = 0; j < p.size(); j++) p.grad[j] += g[j];
    }
    if (p.decayed && config_.l2 > 0) {
      double squares = 0;
      const float factor = 2.f * config_.l2;
      for (size_t j = 0; j < p.size(); j++) {
        squares += static_cast<double>(p.value[j]) * p.value[j];
        p.grad[j] += factor * p.value[j];
      }
      result.loss += config_.l2 * squares;
    }
  }
  // Moving statistics from the mean of the replicas' batch statistics (tfjs: moving -= (moving - batch) * (1 - momentum)).
  const float decay = 1.f - config_.bnMomentum;
  int active = 0;
  for (auto& replica : replicas_) active += replica.last ? 1 : 0;
  const Plan* first = nullptr;
  for (auto& replica : replicas_) if (replica.last) { first = replica.last; break; }
  if (first) {
    for (size_t layer = 0; layer < first->batchStats().size(); layer++) {
      Param& mean = params_[first->batchStats()[layer].movingMean];
      Param& variance = params_[first->batchStats()[layer].movingVariance];
      for (size_t c = 0; c < mean.size(); c++) {
        float batchMean = 0, batchVariance = 0;
        for (auto& replica : replicas_) {
          if (!replica.last) continue;
          const auto& stats = replica.last->batchStats()[layer];
          batchMean += static_cast<const float*>(stats.mean.get_data_handle())[c];
          batchVariance += static_cast<const float*>(stats.variance.get_data_handle())[c];
        }
        batchMean /= static_cast<float>(active);
        batchVariance /= static_cast<float>(active);
        mean.value[c] -= (mean.value[c] - batchMean) * decay;
        variance.value[c] -= (variance.value[c] - batchVariance) * decay;
      }
    }
  }
  return result;
}

void Network::update(float learningRate) {
  if (optimizer_.adam) {
    // tfjs' Adam, operation for operation in float32.
    const float b1 = optimizer_.beta1, b2 = optimizer_.beta2, eps = optimizer_.epsilon;
    const float oneMinusB1 = static_cast<float>(1.0 - b1), oneMinusB2 = static_cast<float>(1.0 - b2);
    const float correction1 = 1.f - accBeta1, correction2 = 1.f - accBeta2;
    const float step = -learningRate;
    for (auto& p : params_) {
      if (!p.trainable) continue;
      for (size_t j = 0; j < p.size(); j++) {
        const float g = p.grad[j];
        const float m = p.m[j] * b1 + g * oneMinusB1;
        const float v = p.v[j] * b2 + (g * g) * oneMinusB2;
        p.m[j] = m;
        p.v[j] = v;
        const float mHat = m / correction1, vHat = v / correction2;
        p.value[j] = (mHat / (std::sqrt(vHat) + eps)) * step + p.value[j];
      }
    }
    accBeta1 *= b1;
    accBeta2 *= b2;
  } else {
    // tfjs' momentum optimizer with Nesterov: accumulation in p.m.
    const float momentum = optimizer_.momentum, step = -learningRate;
    for (auto& p : params_) {
      if (!p.trainable) continue;
      for (size_t j = 0; j < p.size(); j++) {
        const float g = p.grad[j];
        const float accumulation = momentum * p.m[j] + g;
        p.m[j] = accumulation;
        p.value[j] = step * (g + accumulation * momentum) + p.value[j];
      }
    }
  }
  iterations += 1;
}

void Network::predict(const uint8_t* pixels, int count, float* out) {
  std::vector<int> starts, sizes;
  split(count, starts, sizes);
  const size_t pixelsPerImage = static_cast<size_t>(config_.inputSize) * config_.inputSize;
  pool_->run([&](int r) {
    if (sizes[r] == 0) return;
    omp_set_num_threads(config_.threadsPerReplica);
    Replica& replica = replicas_[r];
    Plan& plan = planFor(replica, sizes[r], false);
    plan.forward(*replica.stream, pixels + starts[r] * pixelsPerImage, 0);
    plan.probabilities(out + static_cast<size_t>(starts[r]) * config_.classes);
  });
}

}  // namespace moodlens
