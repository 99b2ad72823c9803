/**
 * Temperature scaling applied to softmax outputs: softmax(logits / T) == normalise(p^(1/T)), because
 * log p = logits - logsumexp(logits). So it works on any classifier's probabilities (tfjs or ONNX) without logits.
 */
export function applyTemperature(probabilities: ArrayLike<number>, temperature: number): number[] {
  const values = Array.from(probabilities);
  if (temperature === 1) return normalise(values);
  const logs = values.map((p) => Math.log(Math.max(p, 1e-12)) / temperature);
  const max = Math.max(...logs);
  return normalise(logs.map((value) => Math.exp(value - max)));
}

function normalise(values: number[]): number[] {
  const sum = values.reduce((total, value) => total + value, 0);
  return sum > 0 ? values.map((value) => value / sum) : values.map(() => 1 / values.length);
}
