// TensorFlow stores convolution kernels channels-last; ONNX's Conv wants them channels-first. Both ONNX writers
// (the classifier export and the BlazeFace conversion) reorder with these.

/** Conv kernel [KH,KW,CI,CO] (HWIO) -> [CO,CI,KH,KW] (OIHW). */
export function convKernelToOnnx(kernel: Float32Array, [kh, kw, ci, co]: readonly number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let h = 0; h < kh!; h++)
    for (let w = 0; w < kw!; w++)
      for (let i = 0; i < ci!; i++)
        for (let o = 0; o < co!; o++)
          out[((o * ci! + i) * kh! + h) * kw! + w] = kernel[((h * kw! + w) * ci! + i) * co! + o]!;
  return out;
}

/** Depthwise [KH,KW,C,M] -> grouped conv [C*M,1,KH,KW]: output channel c*M+m reads input channel c, as in TensorFlow. */
export function depthwiseKernelToOnnx(kernel: Float32Array, [kh, kw, c, m]: readonly number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let h = 0; h < kh!; h++)
    for (let w = 0; w < kw!; w++)
      for (let ch = 0; ch < c!; ch++)
        for (let j = 0; j < m!; j++)
          out[((ch * m! + j) * kh! + h) * kw! + w] = kernel[((h * kw! + w) * c! + ch) * m! + j]!;
  return out;
}
