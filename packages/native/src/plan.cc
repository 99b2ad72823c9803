#include "plan.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "bf16.h"
#include "random.h"

namespace moodlens {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dnnl::prop_kind;

namespace {
memory::desc anyMd(const memory::dims& dims, dt type) { return memory::desc(dims, type, tag::any); }

// The channel block of the processor's own fp32 kernels: 16 floats on AVX-512, 8 on AVX2. A block the kernels do not
// have (nChw16c on an AVX2 processor, e.g. AMD EPYC) sends every layer to oneDNN's reference code: measured 40-97 s
// for one convolution of a 64-image batch instead of milliseconds.
int channelBlock() {
  const auto isa = static_cast<int>(dnnl::get_effective_cpu_isa());
  const auto avx512 = static_cast<int>(dnnl::cpu_isa::avx512_core);
  return (isa & avx512) == avx512 ? 16 : 8;
}
}  // namespace

// bf16: channels-last activations, the layout of oneDNN 2.6's AMX convolutions (blocked ones run without AMX);
// fp32: nChw16c on AVX-512, what its kernels pick for themselves (measured: as fast or faster than nhwc).
bool Plan::channelsLast() const {
  // AVX2: channels-last too. Its blocked layout (nChw8c) has no jit kernel for the first layer's weight gradient
  // (1 input channel) in 2.6, whose reference code took 3 s a batch; nhwc runs jit:avx2 in every layer.
  if (compute_ == dt::bf16 || channelBlock() != 16) return true;
  for (int width : config_.blockWidths) {
    if (width % channelBlock() != 0) return true;
  }
  return false;
}

// One fixed layout for every activation: with `any`, narrow layers (8 channels) got a different format for their
// output than for their input, and mixed formats fall back to oneDNN's reference kernels (~100x slower).
// Channels that are not a multiple of the block (padded blocks) also get reference kernels in 2.6: such nets run nhwc.
memory::desc Plan::activationMd(const memory::dims& dims) const {
  if (channelsLast()) return memory::desc(dims, compute_, tag::nhwc);
  return memory::desc(dims, compute_, channelBlock() == 16 ? tag::nChw16c : tag::nChw8c);
}

namespace {
size_t elements(const memory::desc& md) {
  const size_t bytes = md.get_size();
  return md.data_type() == dt::bf16 ? bytes / 2 : bytes / 4;
}
// Scales a tensor in place by a per-element factor (dropout mask), whatever its data type.
void scaleInPlace(const memory& mem, const std::vector<float>& mask) {
  const size_t count = elements(mem.get_desc());
  if (mem.get_desc().data_type() == dt::bf16) {
    auto* values = static_cast<uint16_t*>(mem.get_data_handle());
    for (size_t i = 0; i < count; i++) values[i] = floatToBf16(bf16ToFloat(values[i]) * mask[i]);
  } else {
    auto* values = static_cast<float*>(mem.get_data_handle());
    for (size_t i = 0; i < count; i++) values[i] *= mask[i];
  }
}
}  // namespace

Plan::Plan(const NetConfig& config, std::vector<Param>& params, std::vector<std::vector<float>>* grads,
           const dnnl::engine& engine, int batch, bool training)
    : config_(config), params_(params), grads_(grads), engine_(engine), batch_(batch), training_(training),
      compute_(config.bf16 ? dt::bf16 : dt::f32) {
  int side = config.inputSize / config.inputPool;
  // One channel: nchw and nhwc are the same bytes, but kernels pick by tag (AMX ones want channels-last).
  input_ = newAct(memory::desc({batch, 1, side, side}, compute_, channelsLast() ? tag::nhwc : tag::nchw), false);
  pooledInput_.resize(static_cast<size_t>(batch) * side * side);
  ActPtr x = input_;
  int channels = 1, p = 0, dropoutLayer = 0;
  bool first = true;
  for (int width : config.blockWidths) {
    for (int k = 0; k < config.convsPerBlock; k++) {
      x = convolution(x, channels, width, side, p, first);
      x = batchNormRelu(x, width, p);
      channels = width;
      first = false;
    }
    x = maxPool(x, channels, side);
    side /= 2;
    if (config.blockDropout > 0) dropout(x, config.blockDropout, dropoutLayer++);
  }
  if (config.gapHead) {
    x = globalAveragePool(x, channels, side);
    side = 1;
  }
  if (config.denseUnits > 0) {
    x = innerProduct(x, config.denseUnits, p, false, compute_);
    x = batchNormRelu(x, config.denseUnits, p);
  }
  if (config.denseDropout > 0) dropout(x, config.denseDropout, dropoutLayer++);
  logits_ = innerProduct(x, config.classes, p, true, dt::f32);
  if (p != static_cast<int>(params.size())) throw std::logic_error("plan and parameter list disagree");
  logitGrad_.resize(static_cast<size_t>(batch) * config.classes);
  finalizeScratch();
}

ActPtr Plan::newAct(const memory::desc& md, bool withDiff) {
  auto act = std::make_shared<Act>();
  act->md = md;
  act->y = memory(md, engine_);
  if (withDiff && training_) act->dy = memory(md, engine_);
  return act;
}

dnnl::primitive_attr Plan::attr() const {
  // User-managed scratchpad: the two replicas may get the same cached primitive, so each plan brings its own.
  dnnl::primitive_attr a;
  a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return a;
}

std::shared_ptr<memory> Plan::scratchFor(const memory::desc& md) {
  auto slot = std::make_shared<memory>();
  scratchSlots_.emplace_back(md, slot);
  return slot;
}

void Plan::finalizeScratch() {
  size_t size = 64;
  for (auto& [md, slot] : scratchSlots_) size = std::max(size, md.get_size());
  size = (size + 63) / 64 * 64;
  scratch_ = std::shared_ptr<void>(std::aligned_alloc(64, size), std::free);
  for (auto& [md, slot] : scratchSlots_) *slot = memory(md, engine_, scratch_.get());
}

ActPtr Plan::convolution(const ActPtr& src, int inChannels, int outChannels, int side, int& p, bool first) {
  const int kernel = p++;
  const memory::dims weightDims = {outChannels, inChannels, 3, 3};
  const memory::dims dstDims = {batch_, outChannels, side, side};
  const memory::dims strides = {1, 1}, pad = {1, 1};
  const auto kind = training_ ? prop_kind::forward_training : prop_kind::forward_inference;
  dnnl::convolution_forward::primitive_desc fpd(
      dnnl::convolution_forward::desc(kind, dnnl::algorithm::convolution_direct, src->md, anyMd(weightDims, compute_),
                                      activationMd(dstDims), strides, pad, pad),
      attr(), engine_);
  const memory::desc masterMd(weightDims, dt::f32, tag::hwio);
  memory master = user(masterMd, params_[kernel].value.data());
  memory weights(fpd.weights_desc(), engine_);
  dnnl::reorder::primitive_desc toWeightsPd(master, weights, attr());
  dnnl::reorder toWeights(toWeightsPd);
  auto toWeightsScratch = scratchFor(toWeightsPd.scratchpad_desc());
  dnnl::convolution_forward conv(fpd);
  auto convScratch = scratchFor(fpd.scratchpad_desc());
  ActPtr out = newAct(fpd.dst_desc(), true);
  Op op;
  op.forward = [=](dnnl::stream& s) {
    toWeights.execute(s, {{DNNL_ARG_FROM, master}, {DNNL_ARG_TO, weights}, {DNNL_ARG_SCRATCHPAD, *toWeightsScratch}});
    conv.execute(s, {{DNNL_ARG_SRC, src->y}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out->y}, {DNNL_ARG_SCRATCHPAD, *convScratch}});
  };
  if (training_) {
    dnnl::convolution_backward_weights::primitive_desc wpd(
        dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, src->md, anyMd(weightDims, dt::f32),
                                                 out->md, strides, pad, pad),
        attr(), engine_, fpd);
    memory weightGrad(wpd.diff_weights_desc(), engine_);
    memory masterGrad = user(masterMd, grad(kernel));
    dnnl::reorder::primitive_desc toMasterPd(weightGrad, masterGrad, attr());
    dnnl::reorder toMaster(toMasterPd);
    auto toMasterScratch = scratchFor(toMasterPd.scratchpad_desc());
    dnnl::convolution_backward_weights backWeights(wpd);
    auto backWeightsScratch = scratchFor(wpd.scratchpad_desc());
    std::function<void(dnnl::stream&)> backData = [](dnnl::stream&) {};
    if (!first) {
      dnnl::convolution_backward_data::primitive_desc dpd(
          dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, src->md, anyMd(weightDims, compute_),
                                                out->md, strides, pad, pad),
          attr(), engine_, fpd);
      memory dataWeights(dpd.weights_desc(), engine_);
      dnnl::reorder::primitive_desc toDataWeightsPd(master, dataWeights, attr());
      dnnl::reorder toDataWeights(toDataWeightsPd);
      auto toDataWeightsScratch = scratchFor(toDataWeightsPd.scratchpad_desc());
      dnnl::convolution_backward_data backDataPrim(dpd);
      auto backDataScratch = scratchFor(dpd.scratchpad_desc());
      backData = [=](dnnl::stream& s) {
        toDataWeights.execute(s, {{DNNL_ARG_FROM, master}, {DNNL_ARG_TO, dataWeights}, {DNNL_ARG_SCRATCHPAD, *toDataWeightsScratch}});
        backDataPrim.execute(s, {{DNNL_ARG_DIFF_DST, out->dy}, {DNNL_ARG_WEIGHTS, dataWeights}, {DNNL_ARG_DIFF_SRC, src->dy}, {DNNL_ARG_SCRATCHPAD, *backDataScratch}});
      };
    }
    op.backward = [=](dnnl::stream& s) {
      backWeights.execute(s, {{DNNL_ARG_SRC, src->y}, {DNNL_ARG_DIFF_DST, out->dy}, {DNNL_ARG_DIFF_WEIGHTS, weightGrad}, {DNNL_ARG_SCRATCHPAD, *backWeightsScratch}});
      toMaster.execute(s, {{DNNL_ARG_FROM, weightGrad}, {DNNL_ARG_TO, masterGrad}, {DNNL_ARG_SCRATCHPAD, *toMasterScratch}});
      backData(s);
    };
  }
  ops_.push_back(std::move(op));
  return out;
}

ActPtr Plan::batchNormRelu(const ActPtr& input, int channels, int& p) {
  const int gamma = p++, beta = p++, movingMean = p++, movingVariance = p++;
  // A dense layer's [n, c] output seen as [n, c, 1, 1] channels-last (same bytes): oneDNN's jit batch norm
  // handles that shape, while 2-D batch norm runs a slow generic kernel.
  ActPtr in = input;
  if (input->md.dims().size() == 2) {
    in = std::make_shared<Act>();
    in->md = memory::desc({input->md.dims()[0], channels, 1, 1}, input->md.data_type(), tag::nhwc);
    in->y = memory(in->md, engine_, input->y.get_data_handle());
    if (training_) in->dy = memory(in->md, engine_, input->dy.get_data_handle());
  }
  auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift |
               dnnl::normalization_flags::fuse_norm_relu;
  if (!training_) flags = flags | dnnl::normalization_flags::use_global_stats;
  const auto kind = training_ ? prop_kind::forward_training : prop_kind::forward_inference;
  dnnl::batch_normalization_forward::primitive_desc fpd(
      dnnl::batch_normalization_forward::desc(kind, in->md, config_.bnEpsilon, flags), attr(), engine_);
  const memory::desc vectorMd({channels}, dt::f32, tag::x);
  memory scale = user(vectorMd, params_[gamma].value.data());
  memory shift = user(vectorMd, params_[beta].value.data());
  memory mean = training_ ? memory(fpd.mean_desc(), engine_) : user(vectorMd, params_[movingMean].value.data());
  memory variance = training_ ? memory(fpd.variance_desc(), engine_) : user(vectorMd, params_[movingVariance].value.data());
  memory workspace = training_ ? memory(fpd.workspace_desc(), engine_) : memory();
  ActPtr out = newAct(fpd.dst_desc(), true);
  dnnl::batch_normalization_forward bn(fpd);
  auto bnScratch = scratchFor(fpd.scratchpad_desc());
  Op op;
  op.forward = [=](dnnl::stream& s) {
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, in->y}, {DNNL_ARG_DST, out->y}, {DNNL_ARG_SCALE, scale},
                                            {DNNL_ARG_SHIFT, shift}, {DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, variance},
                                            {DNNL_ARG_SCRATCHPAD, *bnScratch}};
    if (workspace) args[DNNL_ARG_WORKSPACE] = workspace;
    bn.execute(s, args);
  };
  if (training_) {
    stats_.push_back({movingMean, movingVariance, mean, variance});
    dnnl::batch_normalization_backward::primitive_desc bpd(
        dnnl::batch_normalization_backward::desc(prop_kind::backward, out->md, in->md, config_.bnEpsilon, flags), attr(),
        engine_, fpd);
    dnnl::batch_normalization_backward back(bpd);
    auto backScratch = scratchFor(bpd.scratchpad_desc());
    memory scaleGrad = user(vectorMd, grad(gamma));
    memory shiftGrad = user(vectorMd, grad(beta));
    op.backward = [=](dnnl::stream& s) {
      back.execute(s, {{DNNL_ARG_SRC, in->y}, {DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, variance}, {DNNL_ARG_DIFF_DST, out->dy},
                       {DNNL_ARG_SCALE, scale}, {DNNL_ARG_SHIFT, shift}, {DNNL_ARG_WORKSPACE, workspace},
                       {DNNL_ARG_DIFF_SRC, in->dy}, {DNNL_ARG_DIFF_SCALE, scaleGrad}, {DNNL_ARG_DIFF_SHIFT, shiftGrad},
                       {DNNL_ARG_SCRATCHPAD, *backScratch}});
    };
  }
  ops_.push_back(std::move(op));
  return out;
}

ActPtr Plan::maxPool(const ActPtr& src, int channels, int side) {
  const memory::dims strides = {2, 2}, kernel = {2, 2}, pad = {0, 0};
  const memory::dims dstDims = {batch_, channels, side / 2, side / 2};
  const auto kind = training_ ? prop_kind::forward_training : prop_kind::forward_inference;
  dnnl::pooling_forward::primitive_desc fpd(
      dnnl::pooling_forward::desc(kind, dnnl::algorithm::pooling_max, src->md, anyMd(dstDims, compute_), strides, kernel, pad, pad),
      attr(), engine_);
  ActPtr out = newAct(fpd.dst_desc(), true);
  memory workspace = training_ ? memory(fpd.workspace_desc(), engine_) : memory();
  dnnl::pooling_forward pool(fpd);
  auto poolScratch = scratchFor(fpd.scratchpad_desc());
  Op op;
  op.forward = [=](dnnl::stream& s) {
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src->y}, {DNNL_ARG_DST, out->y}, {DNNL_ARG_SCRATCHPAD, *poolScratch}};
    if (workspace) args[DNNL_ARG_WORKSPACE] = workspace;
    pool.execute(s, args);
  };
  if (training_) {
    dnnl::pooling_backward::primitive_desc bpd(
        dnnl::pooling_backward::desc(dnnl::algorithm::pooling_max, src->md, out->md, strides, kernel, pad, pad), attr(), engine_, fpd);
    dnnl::pooling_backward back(bpd);
    auto backScratch = scratchFor(bpd.scratchpad_desc());
    op.backward = [=](dnnl::stream& s) {
      back.execute(s, {{DNNL_ARG_DIFF_DST, out->dy}, {DNNL_ARG_DIFF_SRC, src->dy}, {DNNL_ARG_WORKSPACE, workspace}, {DNNL_ARG_SCRATCHPAD, *backScratch}});
    };
  }
  ops_.push_back(std::move(op));
  return out;
}

ActPtr Plan::globalAveragePool(const ActPtr& src, int channels, int side) {
  const memory::dims strides = {side, side}, kernel = {side, side}, pad = {0, 0};
  const auto kind = training_ ? prop_kind::forward_training : prop_kind::forward_inference;
  const auto algorithm = dnnl::algorithm::pooling_avg_exclude_padding;
  dnnl::pooling_forward::primitive_desc fpd(
      dnnl::pooling_forward::desc(kind, algorithm, src->md, anyMd({batch_, channels, 1, 1}, compute_), strides, kernel, pad, pad),
      attr(), engine_);
  ActPtr out = newAct(fpd.dst_desc(), true);
  dnnl::pooling_forward pool(fpd);
  auto poolScratch = scratchFor(fpd.scratchpad_desc());
  Op op;
  op.forward = [=](dnnl::stream& s) { pool.execute(s, {{DNNL_ARG_SRC, src->y}, {DNNL_ARG_DST, out->y}, {DNNL_ARG_SCRATCHPAD, *poolScratch}}); };
  if (training_) {
    dnnl::pooling_backward::primitive_desc bpd(dnnl::pooling_backward::desc(algorithm, src->md, out->md, strides, kernel, pad, pad),
                                               attr(), engine_, fpd);
    dnnl::pooling_backward back(bpd);
    auto backScratch = scratchFor(bpd.scratchpad_desc());
    op.backward = [=](dnnl::stream& s) {
      back.execute(s, {{DNNL_ARG_DIFF_DST, out->dy}, {DNNL_ARG_DIFF_SRC, src->dy}, {DNNL_ARG_SCRATCHPAD, *backScratch}});
    };
  }
  ops_.push_back(std::move(op));
  return out;
}

ActPtr Plan::innerProduct(const ActPtr& src, int outputs, int& p, bool withBias, dt dstType) {
  const int kernel = p++;
  const int bias = withBias ? p++ : -1;
  const memory::dims srcDims = src->md.dims();
  // tfjs kernels are [inputs, outputs] with inputs in NHWC flatten order: oneDNN's hwio (or io for 2-D input).
  const bool spatial = srcDims.size() == 4;
  const memory::dims weightDims = spatial ? memory::dims{outputs, srcDims[1], srcDims[2], srcDims[3]} : memory::dims{outputs, srcDims[1]};
  const memory::desc masterMd(weightDims, dt::f32, spatial ? tag::hwio : tag::io);
  const memory::desc biasMd({outputs}, dt::f32, tag::x);
  const memory::desc dstMd({batch_, outputs}, dstType, tag::nc);
  const auto kind = training_ ? prop_kind::forward_training : prop_kind::forward_inference;
  auto forwardDesc = withBias ? dnnl::inner_product_forward::desc(kind, src->md, anyMd(weightDims, compute_), biasMd, dstMd)
                              : dnnl::inner_product_forward::desc(kind, src->md, anyMd(weightDims, compute_), dstMd);
  dnnl::inner_product_forward::primitive_desc fpd(forwardDesc, attr(), engine_);
  memory master = user(masterMd, params_[kernel].value.data());
  memory biasValues = withBias ? user(biasMd, params_[bias].value.data()) : memory();
  memory weights(fpd.weights_desc(), engine_);
  dnnl::reorder::primitive_desc toWeightsPd(master, weights, attr());
  dnnl::reorder toWeights(toWeightsPd);
  auto toWeightsScratch = scratchFor(toWeightsPd.scratchpad_desc());
  dnnl::inner_product_forward ip(fpd);
  auto ipScratch = scratchFor(fpd.scratchpad_desc());
  ActPtr out = std::make_shared<Act>();
  out->md = dstMd;
  out->y = memory(dstMd, engine_);
  // The gradient arriving at this layer is in the compute type (bf16 logits' gradient is rounded to bf16).
  const memory::desc diffMd({batch_, outputs}, compute_, tag::nc);
  if (training_) out->dy = memory(diffMd, engine_);
  Op op;
  op.forward = [=](dnnl::stream& s) {
    toWeights.execute(s, {{DNNL_ARG_FROM, master}, {DNNL_ARG_TO, weights}, {DNNL_ARG_SCRATCHPAD, *toWeightsScratch}});
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src->y}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out->y}, {DNNL_ARG_SCRATCHPAD, *ipScratch}};
    if (withBias) args[DNNL_ARG_BIAS] = biasValues;
    ip.execute(s, args);
  };
  if (training_) {
    auto weightsDesc = withBias ? dnnl::inner_product_backward_weights::desc(src->md, anyMd(weightDims, dt::f32), biasMd, diffMd)
                                : dnnl::inner_product_backward_weights::desc(src->md, anyMd(weightDims, dt::f32), diffMd);
    dnnl::inner_product_backward_weights::primitive_desc wpd(weightsDesc, attr(), engine_, fpd);
    dnnl::inner_product_backward_weights backWeights(wpd);
    auto backWeightsScratch = scratchFor(wpd.scratchpad_desc());
    memory weightGrad(wpd.diff_weights_desc(), engine_);
    memory masterGrad = user(masterMd, grad(kernel));
    memory biasGrad = withBias ? user(biasMd, grad(bias)) : memory();
    dnnl::reorder::primitive_desc toMasterPd(weightGrad, masterGrad, attr());
    dnnl::reorder toMaster(toMasterPd);
    auto toMasterScratch = scratchFor(toMasterPd.scratchpad_desc());
    dnnl::inner_product_backward_data::primitive_desc dpd(
        dnnl::inner_product_backward_data::desc(src->md, anyMd(weightDims, compute_), diffMd), attr(), engine_, fpd);
    dnnl::inner_product_backward_data backData(dpd);
    auto backDataScratch = scratchFor(dpd.scratchpad_desc());
    memory dataWeights(dpd.weights_desc(), engine_);
    dnnl::reorder::primitive_desc toDataWeightsPd(master, dataWeights, attr());
    dnnl::reorder toDataWeights(toDataWeightsPd);
    auto toDataWeightsScratch = scratchFor(toDataWeightsPd.scratchpad_desc());
    op.backward = [=](dnnl::stream& s) {
      std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src->y}, {DNNL_ARG_DIFF_DST, out->dy}, {DNNL_ARG_DIFF_WEIGHTS, weightGrad}, {DNNL_ARG_SCRATCHPAD, *backWeightsScratch}};
      if (withBias) args[DNNL_ARG_DIFF_BIAS] = biasGrad;
      backWeights.execute(s, args);
      toMaster.execute(s, {{DNNL_ARG_FROM, weightGrad}, {DNNL_ARG_TO, masterGrad}, {DNNL_ARG_SCRATCHPAD, *toMasterScratch}});
      toDataWeights.execute(s, {{DNNL_ARG_FROM, master}, {DNNL_ARG_TO, dataWeights}, {DNNL_ARG_SCRATCHPAD, *toDataWeightsScratch}});
      backData.execute(s, {{DNNL_ARG_DIFF_DST, out->dy}, {DNNL_ARG_WEIGHTS, dataWeights}, {DNNL_ARG_DIFF_SRC, src->dy}, {DNNL_ARG_SCRATCHPAD, *backDataScratch}});
    };
  }
  ops_.push_back(std::move(op));
  return out;
}

void Plan::dropout(const ActPtr& act, float rate, int layer) {
  if (!training_) return;  // inference: identity, as tfjs' Dropout
  auto mask = std::make_shared<std::vector<float>>(elements(act->md));
  const float keepScale = 1.f / (1.f - rate);
  const uint32_t threshold = static_cast<uint32_t>(std::min(4294967295.0, static_cast<double>(rate) * 4294967296.0));
  Op op;
  op.forward = [=](dnnl::stream& s) {
    s.wait();
    SplitMix64 random(mixSeed(dropoutSeed_, static_cast<uint64_t>(layer)));
    for (auto& value : *mask) value = random.next32() < threshold ? 0.f : keepScale;
    scaleInPlace(act->y, *mask);
  };
  op.backward = [=](dnnl::stream& s) {
    s.wait();
    scaleInPlace(act->dy, *mask);
  };
  ops_.push_back(std::move(op));
}

void Plan::forward(dnnl::stream& stream, const uint8_t* pixels, uint64_t dropoutSeed) {
  dropoutSeed_ = dropoutSeed;
  const int pool = config_.inputPool, size = config_.inputSize, side = size / pool;
  const float area = static_cast<float>(pool * pool);
  for (int n = 0; n < batch_; n++) {
    const uint8_t* image = pixels + static_cast<size_t>(n) * size * size;
    float* out = pooledInput_.data() + static_cast<size_t>(n) * side * side;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        float sum = 0.f;
        for (int dy = 0; dy < pool; dy++)
          for (int dx = 0; dx < pool; dx++) sum += image[(y * pool + dy) * size + x * pool + dx] / 255.f;
        out[y * side + x] = pool == 1 ? sum : sum / area;
      }
    }
  }
  if (compute_ == dt::bf16) {
    auto* target = static_cast<uint16_t*>(input_->y.get_data_handle());
    for (size_t i = 0; i < pooledInput_.size(); i++) target[i] = floatToBf16(pooledInput_[i]);
  } else {
    std::memcpy(input_->y.get_data_handle(), pooledInput_.data(), pooledInput_.size() * sizeof(float));
  }
  for (auto& op : ops_) op.forward(stream);
  stream.wait();
}

void Plan::probabilities(float* out) const {
  const int classes = config_.classes;
  const auto* logits = static_cast<const float*>(logits_->y.get_data_handle());
  for (int n = 0; n < batch_; n++) {
    const float* row = logits + static_cast<size_t>(n) * classes;
    float* target = out + static_cast<size_t>(n) * classes;
    const float top = *std::max_element(row, row + classes);
    float sum = 0.f;
    for (int k = 0; k < classes; k++) sum += target[k] = std::exp(row[k] - top);
    for (int k = 0; k < classes; k++) target[k] /= sum;
  }
}

double Plan::loss(const int32_t* labels, const float* targets, const float* classWeights, float smoothing, float normalizer,
                  int* correct) {
  const int classes = config_.classes;
  std::vector<float> probabilities(static_cast<size_t>(batch_) * classes);
  this->probabilities(probabilities.data());
  double total = 0;
  int hits = 0;
  const float off = smoothing / classes, on = 1.f - smoothing + off;
  for (int n = 0; n < batch_; n++) {
    const float* p = probabilities.data() + static_cast<size_t>(n) * classes;
    float* g = logitGrad_.data() + static_cast<size_t>(n) * classes;
    const int label = labels[n];
    const float* soft = targets ? targets + static_cast<size_t>(n) * classes : nullptr;
    const auto targetOf = [&](int k) { return soft ? soft[k] : (k == label ? on : off); };
    const float weight = classWeights[label] / normalizer;
    if (std::max_element(p, p + classes) - p == label) hits++;
    // tfjs: -sum(t * log(clip(p, 1e-7, 1))); the clip stops the gradient of terms whose p is below 1e-7.
    double sample = 0, unclippedTargets = 0;
    for (int k = 0; k < classes; k++) {
      const float target = targetOf(k);
      sample -= target * std::log(std::max(p[k], 1e-7f));
      if (p[k] > 1e-7f) unclippedTargets += target;
    }
    total += sample * weight;
    for (int k = 0; k < classes; k++) {
      const float target = targetOf(k);
      g[k] = weight * ((p[k] > 1e-7f ? -target : 0.f) + p[k] * static_cast<float>(unclippedTargets));
    }
  }
  *correct = hits;
  return total;
}

void Plan::backward(dnnl::stream& stream) {
  if (compute_ == dt::bf16) {
    auto* target = static_cast<uint16_t*>(logits_->dy.get_data_handle());
    for (size_t i = 0; i < logitGrad_.size(); i++) target[i] = floatToBf16(logitGrad_[i]);
  } else {
    std::memcpy(logits_->dy.get_data_handle(), logitGrad_.data(), logitGrad_.size() * sizeof(float));
  }
  for (auto op = ops_.rbegin(); op != ops_.rend(); ++op) {
    if (op->backward) op->backward(stream);
  }
  stream.wait();
}

}  // namespace moodlens
