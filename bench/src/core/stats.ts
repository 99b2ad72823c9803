/** Small statistics helpers: every reported speed is a median over repetitions (the machine is shared and noisy). */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rounds for JSON: keeps 3 significant decimals without pretending more precision than the machine has. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** `value / reference`, or null when either side was not measured. */
export function ratio(value: number | null | undefined, reference: number | null | undefined): number | null {
  if (
    value == null ||
    reference == null ||
    !Number.isFinite(value) ||
    !Number.isFinite(reference) ||
    reference === 0
  ) {
    return null;
  }
  return round(value / reference, 2);
}

export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
export const now = (): bigint => process.hrtime.bigint();

/** Runs `fn` `repetitions` times and returns each run's wall time in ms. */
export async function timeRepeated(repetitions: number, fn: () => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    const start = now();
    await fn();
    times.push(msSince(start));
  }
  return times;
}

/** Share of the machine's CPU a piece of work used: CPU time (user + system) / wall time / cores. */
export function cpuShare(cpu: NodeJS.CpuUsage, wallMs: number, cores: number): number {
  return round((cpu.user + cpu.system) / 1000 / wallMs / cores, 3);
}
