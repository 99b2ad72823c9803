export {
  MODEL_FILES,
  MODEL_FORMAT_VERSION,
  validateMetadata,
  type ModelMetadata,
  type ModelMetadataInput,
  type OnnxQuantization,
} from "./metadata";
export {
  saveModelArtifacts,
  loadModelArtifacts,
  readModelMetadata,
  modelWeightsDigest,
  shardFileNames,
  weightShardNames,
  WEIGHT_SHARD_BYTES,
  type LoadedModel,
  type SaveModelOptions,
} from "./model-files";
export { sha256 } from "./files";
export {
  DEFAULT_MODEL_DIR,
  resolveServedModel,
  servedVersionName,
  unregisteredModel,
  type RegisteredVersion,
  type ServedModel,
  type ServedModelOptions,
} from "./served-model";
