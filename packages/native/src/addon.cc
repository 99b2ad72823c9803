// Node binding (plain N-API): class Network wrapping moodlens::Network. Every array crossing the boundary is
// copied, so JavaScript never holds a view into memory the engine may free.
#include <node_api.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "dnnl.hpp"
#include "fma_probe.h"
#include "network.h"
#include "random.h"

using moodlens::Network;

namespace {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw Failure(std::string("N-API call failed: ") + what);
}

napi_value property(napi_env env, napi_value object, const char* name) {
  napi_value value;
  check(env, napi_get_named_property(env, object, name, &value), name);
  return value;
}

double number(napi_env env, napi_value value) {
  double out;
  if (napi_get_value_double(env, value, &out) != napi_ok) throw Failure("expected a number");
  return out;
}

double numberOf(napi_env env, napi_value object, const char* name) {
  double out;
  if (napi_get_value_double(env, property(env, object, name), &out) != napi_ok) throw Failure(std::string(name) + " must be a number");
  return out;
}

bool boolOf(napi_env env, napi_value object, const char* name) {
  bool out;
  if (napi_get_value_bool(env, property(env, object, name), &out) != napi_ok) throw Failure(std::string(name) + " must be a boolean");
  return out;
}

std::string string(napi_env env, napi_value value) {
  char buffer[64];
  size_t length;
  if (napi_get_value_string_utf8(env, value, buffer, sizeof buffer, &length) != napi_ok) throw Failure("expected a string");
  return std::string(buffer, length);
}

template <typename T>
T* typedArray(napi_env env, napi_value value, napi_typedarray_type expected, size_t* length) {
  napi_typedarray_type type;
  void* data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &data, &buffer, &offset) != napi_ok || type != expected) {
    throw Failure("wrong typed array type");
  }
  return static_cast<T*>(data);
}

napi_value float32Array(napi_env env, const float* values, size_t count) {
  void* data;
  napi_value buffer, array;
  check(env, napi_create_arraybuffer(env, count * sizeof(float), &data, &buffer), "arraybuffer");
  if (count) std::memcpy(data, values, count * sizeof(float));
  check(env, napi_create_typedarray(env, napi_float32_array, count, buffer, 0, &array), "typedarray");
  return array;
}

napi_value makeNumber(napi_env env, double value) {
  napi_value out;
  check(env, napi_create_double(env, value, &out), "double");
  return out;
}

bool isNullish(napi_env env, napi_value value) {
  napi_valuetype type;
  check(env, napi_typeof(env, value, &type), "typeof");
  return type == napi_undefined || type == napi_null;
}

struct Call {
  napi_env env;
  napi_value self;
  napi_value args[9];
  size_t argc = 9;
  Network* network = nullptr;
  Call(napi_env e, napi_callback_info info) : env(e) {
    check(env, napi_get_cb_info(env, info, &argc, args, &self, nullptr), "cb_info");
    void* wrapped = nullptr;
    napi_unwrap(env, self, &wrapped);
    network = static_cast<Network*>(wrapped);
  }
  Network& net() {
    if (!network) throw Failure("the network was disposed");
    return *network;
  }
};

// Runs body, turning C++ exceptions (oneDNN's included) into JavaScript errors.
template <typename F>
napi_value guarded(napi_env env, napi_callback_info info, F body) {
  try {
    Call call(env, info);
    return body(call);
  } catch (const dnnl::error& error) {
    napi_throw_error(env, "NATIVE_ENGINE", (std::string("oneDNN: ") + error.what()).c_str());
  } catch (const std::exception& error) {
    napi_throw_error(env, "NATIVE_ENGINE", error.what());
  }
  return nullptr;
}

std::vector<float>& buffer(moodlens::Param& p, const std::string& kind) {
  if (kind == "value") return p.value;
  if (!p.trainable) throw Failure(p.name + " is not trainable");
  if (kind == "grad") return p.grad;
  if (kind == "m") return p.m;
  if (kind == "v") return p.v;
  throw Failure("unknown buffer " + kind);
}

moodlens::Param& paramAt(Network& network, double index) {
  if (index < 0 || index >= static_cast<double>(network.params().size())) throw Failure("parameter index out of range");
  return network.tfjsParam(static_cast<size_t>(index));
}

void finalize(napi_env, void* data, void*) { delete static_cast<Network*>(data); }

napi_value construct(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    if (call.argc < 1) throw Failure("new Network(config)");
    napi_value c = call.args[0];
    moodlens::NetConfig config;
    config.inputSize = static_cast<int>(numberOf(env, c, "inputSize"));
    config.inputPool = static_cast<int>(numberOf(env, c, "inputPool"));
    napi_value widths = property(env, c, "blockWidths");
    uint32_t count;
    check(env, napi_get_array_length(env, widths, &count), "blockWidths");
    for (uint32_t i = 0; i < count; i++) {
      napi_value width;
      check(env, napi_get_element(env, widths, i, &width), "blockWidths[i]");
      config.blockWidths.push_back(static_cast<int>(number(env, width)));
    }
    config.convsPerBlock = static_cast<int>(numberOf(env, c, "convsPerBlock"));
    config.gapHead = boolOf(env, c, "gapHead");
    config.denseUnits = static_cast<int>(numberOf(env, c, "denseUnits"));
    config.blockDropout = static_cast<float>(numberOf(env, c, "blockDropout"));
    config.denseDropout = static_cast<float>(numberOf(env, c, "denseDropout"));
    config.l2 = static_cast<float>(numberOf(env, c, "l2"));
    config.classes = static_cast<int>(numberOf(env, c, "classes"));
    config.bf16 = boolOf(env, c, "bf16");
    config.replicas = static_cast<int>(numberOf(env, c, "replicas"));
    config.threadsPerReplica = static_cast<int>(numberOf(env, c, "threadsPerReplica"));
    moodlens::OptimizerConfig optimizer;
    optimizer.adam = boolOf(env, c, "adam");
    optimizer.momentum = static_cast<float>(numberOf(env, c, "momentum"));
    auto network = std::make_unique<Network>(config, optimizer);
    check(env, napi_wrap(env, call.self, network.get(), finalize, nullptr, nullptr), "wrap");
    network.release();
    return call.self;
  });
}

napi_value paramInfo(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    Network& network = call.net();
    const size_t count = network.params().size();
    napi_value list;
    check(env, napi_create_array_with_length(env, count, &list), "array");
    for (size_t i = 0; i < count; i++) {
      const moodlens::Param& param = network.tfjsParam(i);
      napi_value entry, name, shape, trainable;
      check(env, napi_create_object(env, &entry), "object");
      check(env, napi_create_string_utf8(env, param.name.c_str(), param.name.size(), &name), "name");
      check(env, napi_create_array_with_length(env, param.shape.size(), &shape), "shape");
      for (size_t d = 0; d < param.shape.size(); d++) {
        check(env, napi_set_element(env, shape, d, makeNumber(env, static_cast<double>(param.shape[d]))), "dim");
      }
      check(env, napi_get_boolean(env, param.trainable, &trainable), "bool");
      check(env, napi_set_named_property(env, entry, "name", name), "set");
      check(env, napi_set_named_property(env, entry, "shape", shape), "set");
      check(env, napi_set_named_property(env, entry, "trainable", trainable), "set");
      check(env, napi_set_element(env, list, i, entry), "set");
    }
    return list;
  });
}

napi_value read(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    auto& values = buffer(paramAt(call.net(), number(env, call.args[1])), string(env, call.args[0]));
    return float32Array(env, values.data(), values.size());
  });
}

napi_value write(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    auto& values = buffer(paramAt(call.net(), number(env, call.args[1])), string(env, call.args[0]));
    size_t length;
    const float* source = typedArray<float>(env, call.args[2], napi_float32_array, &length);
    if (length != values.size()) throw Failure("size mismatch writing a parameter");
    std::memcpy(values.data(), source, length * sizeof(float));
    return nullptr;
  });
}

napi_value getScalars(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    napi_value out;
    check(env, napi_create_object(env, &out), "object");
    check(env, napi_set_named_property(env, out, "accBeta1", makeNumber(env, call.net().accBeta1)), "set");
    check(env, napi_set_named_property(env, out, "accBeta2", makeNumber(env, call.net().accBeta2)), "set");
    check(env, napi_set_named_property(env, out, "iterations", makeNumber(env, call.net().iterations)), "set");
    return out;
  });
}

napi_value setScalars(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    call.net().accBeta1 = static_cast<float>(numberOf(env, call.args[0], "accBeta1"));
    call.net().accBeta2 = static_cast<float>(numberOf(env, call.args[0], "accBeta2"));
    call.net().iterations = numberOf(env, call.args[0], "iterations");
    return nullptr;
  });
}

// forwardBackward(pixels: Uint8Array, labels: Int32Array, classWeights: Float32Array, smoothing, normalizer,
//                 seed, epoch, batch[, targets: Float32Array of n * classes soft labels]) -> { loss, correct }
napi_value forwardBackward(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    if (call.argc < 8) throw Failure("forwardBackward needs 8 arguments");
    Network& network = call.net();
    size_t pixelCount, labelCount, weightCount;
    const auto* pixels = typedArray<uint8_t>(env, call.args[0], napi_uint8_array, &pixelCount);
    const auto* labels = typedArray<int32_t>(env, call.args[1], napi_int32_array, &labelCount);
    const auto* weights = typedArray<float>(env, call.args[2], napi_float32_array, &weightCount);
    const size_t area = static_cast<size_t>(network.config().inputSize) * network.config().inputSize;
    if (pixelCount != labelCount * area) throw Failure("pixels and labels disagree on the batch size");
    if (weightCount != static_cast<size_t>(network.config().classes)) throw Failure("one class weight per class");
    for (size_t i = 0; i < labelCount; i++) {
      if (labels[i] < 0 || labels[i] >= network.config().classes) throw Failure("label out of range");
    }
    const auto seed = static_cast<uint64_t>(static_cast<int64_t>(number(env, call.args[5])));
    const uint64_t dropoutSeed = moodlens::mixSeed(moodlens::mixSeed(seed, static_cast<uint64_t>(number(env, call.args[6]))),
                                                   static_cast<uint64_t>(number(env, call.args[7])));
    const float* targets = nullptr;
    if (call.argc > 8 && !isNullish(env, call.args[8])) {
      size_t targetCount;
      targets = typedArray<float>(env, call.args[8], napi_float32_array, &targetCount);
      if (targetCount != labelCount * network.config().classes) throw Failure("targets need one row of class values per label");
    }
    moodlens::StepInput input{pixels,     labels, static_cast<int>(labelCount), weights, static_cast<float>(number(env, call.args[3])),
                              static_cast<float>(number(env, call.args[4])), dropoutSeed, targets};
    auto result = network.forwardBackward(input);
    napi_value out;
    check(env, napi_create_object(env, &out), "object");
    check(env, napi_set_named_property(env, out, "loss", makeNumber(env, result.loss)), "set");
    check(env, napi_set_named_property(env, out, "correct", makeNumber(env, result.correct)), "set");
    return out;
  });
}

napi_value update(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    call.net().update(static_cast<float>(number(env, call.args[0])));
    return nullptr;
  });
}

napi_value predict(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    Network& network = call.net();
    size_t pixelCount;
    const auto* pixels = typedArray<uint8_t>(env, call.args[0], napi_uint8_array, &pixelCount);
    const size_t area = static_cast<size_t>(network.config().inputSize) * network.config().inputSize;
    if (pixelCount % area != 0) throw Failure("pixels must hold whole crops");
    const size_t count = pixelCount / area;
    std::vector<float> out(count * network.config().classes);
    if (count) network.predict(pixels, static_cast<int>(count), out.data());
    return float32Array(env, out.data(), out.size());
  });
}

napi_value dispose(napi_env env, napi_callback_info info) {
  return guarded(env, info, [&](Call& call) -> napi_value {
    void* wrapped = nullptr;
    napi_remove_wrap(env, call.self, &wrapped);
    delete static_cast<Network*>(wrapped);
    return nullptr;
  });
}

// What oneDNN runs on this machine (the ISA its kernels dispatch to), for logs and the bench.
napi_value isa(napi_env env, napi_callback_info) {
  const char* names[] = {"unknown", "sse41", "avx", "avx2", "avx512_mic", "avx512_mic_4ops", "avx512_core",
                         "avx512_core_vnni", "avx512_core_bf16", "avx512_core_amx", "avx2_vnni"};
  const auto value = static_cast<int>(dnnl::get_effective_cpu_isa());
  std::string name = "isa#" + std::to_string(value);
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core: name = names[6]; break;
    case dnnl::cpu_isa::avx512_core_vnni: name = names[7]; break;
    case dnnl::cpu_isa::avx512_core_bf16: name = names[8]; break;
    case dnnl::cpu_isa::avx512_core_amx: name = names[9]; break;
    case dnnl::cpu_isa::avx2: name = names[3]; break;
    default: break;
  }
  napi_value out;
  napi_create_string_utf8(env, name.c_str(), name.size(), &out);
  return out;
}

napi_value version(napi_env env, napi_callback_info) {
  const auto* v = dnnl_version();
  const std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value out;
  napi_create_string_utf8(env, text.c_str(), text.size(), &out);
  return out;
}

// fmaPeak(threads, seconds) -> { gflops, isa }
napi_value fmaPeak(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  double threads = 1, seconds = 0.5;
  if (argc > 0) napi_get_value_double(env, args[0], &threads);
  if (argc > 1) napi_get_value_double(env, args[1], &seconds);
  const auto peak = moodlens::measureFmaPeak(static_cast<int>(threads), seconds);
  napi_value out, isaName;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "gflops", makeNumber(env, peak.gflops));
  napi_create_string_utf8(env, peak.isa.c_str(), peak.isa.size(), &isaName);
  napi_set_named_property(env, out, "isa", isaName);
  return out;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"paramInfo", nullptr, paramInfo, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"read", nullptr, read, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"write", nullptr, write, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getScalars", nullptr, getScalars, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setScalars", nullptr, setScalars, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"forwardBackward", nullptr, forwardBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"update", nullptr, update, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"predict", nullptr, predict, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dispose", nullptr, dispose, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value constructor;
  napi_define_class(env, "Network", NAPI_AUTO_LENGTH, construct, nullptr, sizeof methods / sizeof methods[0], methods, &constructor);
  napi_set_named_property(env, exports, "Network", constructor);
  napi_value isaFunction, versionFunction;
  napi_create_function(env, "isa", NAPI_AUTO_LENGTH, isa, nullptr, &isaFunction);
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, version, nullptr, &versionFunction);
  napi_set_named_property(env, exports, "isa", isaFunction);
  napi_set_named_property(env, exports, "version", versionFunction);
  napi_value fmaFunction;
  napi_create_function(env, "fmaPeak", NAPI_AUTO_LENGTH, fmaPeak, nullptr, &fmaFunction);
  napi_set_named_property(env, exports, "fmaPeak", fmaFunction);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
