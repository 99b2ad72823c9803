import { formatDuration } from "../util/progress";
import type { TrainerEpochLog } from "./state";

/** The line printed after each epoch (the CLI's output: keep its shape). */
export function epochSummary(log: TrainerEpochLog, epochs: number, isBest: boolean): string {
  return (
    `epoch ${log.epoch}/${epochs} loss ${log.loss.toFixed(4)} acc ${log.accuracy.toFixed(4)} ` +
    `val_loss ${log.valLoss.toFixed(4)} val_acc ${log.valAccuracy.toFixed(4)} val_f1 ${(log.valMacroF1 ?? 0).toFixed(4)} ` +
    `lr ${log.learningRate.toExponential(2)} ${log.imagesPerSec.toFixed(1)} img/s cpu ${(log.cpuShare ?? 0).toFixed(2)} core ${formatDuration(log.seconds)}${isBest ? " *best" : ""}`
  );
}

/** The running figures on the progress bar during an epoch. */
export const batchProgress = (lossSum: number, correct: number, seen: number, rate: number): string =>
  `loss ${(lossSum / seen).toFixed(3)} acc ${(correct / seen).toFixed(3)} lr ${rate.toExponential(2)}`;
