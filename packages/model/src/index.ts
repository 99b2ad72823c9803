// Public API of @moodlens/model. Each folder is one concern and exposes its API through its own index.ts.
export * from "./backend";
export * from "./networks";
export * from "./artifacts";
export * from "./onnx";
export * from "./preprocess";
export * from "./detect";
export * from "./analyzer";
export * from "./explain";
// networks/ and preprocess/ both define the input side (48); the preprocessing contract is the public one.
export { INPUT_SIZE } from "./preprocess";
