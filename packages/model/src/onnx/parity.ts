/**
 * How far an ONNX session's outputs are from the tfjs model's on the same probe input: the one comparison both
 * ONNX paths make before they are trusted (the classifier's model.onnx, the converted BlazeFace graph).
 * `worst`: the largest absolute difference; `range`: the largest absolute expected value (for relative bounds).
 */
export function outputGap(
  expected: readonly ArrayLike<number>[],
  actual: readonly ArrayLike<number>[],
): { worst: number; range: number } {
  let worst = 0;
  let range = 0;
  expected.forEach((row, rowIndex) => {
    const other = actual[rowIndex];
    for (let index = 0; index < row.length; index++) {
      const value = row[index]!;
      worst = Math.max(worst, Math.abs(value - (other?.[index] ?? Number.NaN)));
      range = Math.max(range, Math.abs(value));
    }
  });
  return { worst, range };
}
