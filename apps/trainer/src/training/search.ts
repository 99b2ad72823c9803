import { AppError } from "@moodlens/shared";
import { Rng } from "../util/rng";
import { validateTrainConfig, type TrainConfig } from "./config";

/**
 * A search space: dotted TrainConfig paths → candidate values (a list), or for random search a range
 * `{ "min": 1e-4, "max": 3e-3, "log": true }` (`"int": true` rounds). Example:
 *   { "learningRate": { "min": 3e-4, "max": 3e-3, "log": true }, "labelSmoothing": [0, 0.1], "network.blockDropout": [0.2, 0.3] }
 */
export type SearchRange = { min: number; max: number; log?: boolean; int?: boolean };
export type SearchSpace = Record<string, unknown[] | SearchRange>;
export type Trial = Record<string, unknown>;

const isRange = (value: unknown): value is SearchRange =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  typeof (value as SearchRange).min === "number" &&
  typeof (value as SearchRange).max === "number";

export function validateSpace(space: unknown): SearchSpace {
  if (
    typeof space !== "object" ||
    space === null ||
    Array.isArray(space) ||
    Object.keys(space).length === 0
  ) {
    throw new AppError(
      "BAD_USER_INPUT",
      "the search space must be a JSON object of parameter → values or range",
    );
  }
  for (const [key, value] of Object.entries(space)) {
    if (Array.isArray(value)) {
      if (value.length === 0) throw new AppError("BAD_USER_INPUT", `search space "${key}" lists no values`);
    } else if (isRange(value)) {
      if (!(value.max >= value.min) || (value.log && value.min <= 0))
        throw new AppError("BAD_USER_INPUT", `search space "${key}" has an invalid range`);
    } else
      throw new AppError("BAD_USER_INPUT", `search space "${key}" must be a list of values or {min, max}`);
  }
  return space as SearchSpace;
}

/** Every combination of the listed values (ranges are not allowed in a grid). */
export function gridTrials(space: SearchSpace): Trial[] {
  let trials: Trial[] = [{}];
  for (const [key, values] of Object.entries(space)) {
    if (!Array.isArray(values))
      throw new AppError(
        "BAD_USER_INPUT",
        `grid search needs value lists; "${key}" is a range (use --mode random)`,
      );
    trials = trials.flatMap((trial) => values.map((value) => ({ ...trial, [key]: value })));
  }
  return trials;
}

/** `count` seeded draws: a list is sampled uniformly, a range uniformly (or log-uniformly). */
export function randomTrials(space: SearchSpace, count: number, seed: number): Trial[] {
  const rng = Rng.derive(seed, "search");
  return Array.from({ length: count }, () => {
    const trial: Trial = {};
    for (const [key, values] of Object.entries(space)) {
      if (Array.isArray(values)) trial[key] = values[rng.int(values.length)];
      else {
        const u = rng.next();
        let value = values.log
          ? Math.exp(Math.log(values.min) + u * (Math.log(values.max) - Math.log(values.min)))
          : values.min + u * (values.max - values.min);
        if (values.int) value = Math.round(value);
        trial[key] = value;
      }
    }
    return trial;
  });
}

/** Applies a trial's dotted-path values to a copy of the base config and validates the result. */
export function applyTrial(base: TrainConfig, trial: Trial): TrainConfig {
  const config = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(trial)) {
    const keys = path.split(".");
    let target = config;
    for (const key of keys.slice(0, -1)) {
      if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[keys.at(-1)!] = value;
  }
  return validateTrainConfig(config as unknown as TrainConfig);
}
