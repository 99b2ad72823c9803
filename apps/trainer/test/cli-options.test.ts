import { parseArgs } from "node:util";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { DEFAULT_TRAIN_CONFIG } from "../src/training/config";
import { configFromArgs, TRAINING_CONFIG_OPTIONS } from "../src/commands/training-options";
import {
  EVALUATE_USAGE,
  SEARCH_USAGE,
  TRAINING_CONFIG_USAGE,
  TRAIN_USAGE,
  USAGE,
} from "../src/commands/usage";
import { runCli, tempDirectory } from "./helpers";

/** train and search build their config from one option list (training-options.ts) described by one usage text. */
const parse = (args: string[]) =>
  configFromArgs(
    parseArgs({ args, options: TRAINING_CONFIG_OPTIONS, strict: true }).values,
    "/nonexistent-runs",
  );

describe("shared training options", () => {
  it("describes every training-config option once, in the usage text of train and of --help", () => {
    for (const name of Object.keys(TRAINING_CONFIG_OPTIONS))
      expect(TRAINING_CONFIG_USAGE, name).toContain(`--${name}`);
    expect(TRAIN_USAGE).toContain(TRAINING_CONFIG_USAGE);
    for (const text of [TRAIN_USAGE, EVALUATE_USAGE, SEARCH_USAGE]) expect(USAGE).toContain(text);
    expect(EVALUATE_USAGE).toMatch(/--input-filter none\|gaussian:SIGMA/);
  });

  it("builds the input filter from --input-filter, keeping the default without it", () => {
    expect(parse([]).inputFilter).toEqual(DEFAULT_TRAIN_CONFIG.inputFilter);
    expect(parse(["--input-filter", "gaussian:2.5"]).inputFilter).toEqual({ kind: "gaussian", sigma: 2.5 });
    expect(parse(["--input-filter", "none"]).inputFilter).toEqual({ kind: "none" });
    for (const bad of ["gaussian", "gaussian:0", "gaussian:9", "box:3"]) {
      let caught: unknown;
      try {
        parse(["--input-filter", bad]);
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(AppError);
      expect((caught as AppError).code, bad).toBe("CONFIG_INVALID");
    }
  });

  it("applies the other flags over the defaults", () => {
    const config = parse([
      "--epochs",
      "3",
      "--momentum",
      "0.8",
      "--schedule",
      "plateau",
      "--plateau-patience",
      "2",
      "--no-augment",
    ]);
    expect(config).toMatchObject({
      epochs: 3,
      momentum: 0.8,
      augmentation: null,
      schedule: { kind: "plateau", patience: 2, factor: 0.5 },
    });
  });
});

describe("search takes the training options as its base config", () => {
  const work = tempDirectory("cli-options");
  afterAll(() => work.remove());
  const env = {
    DATABASE_URL: "",
    MOODLENS_DATA_DIR: join(work.path, "data"),
    MOODLENS_CACHE_DIR: join(work.path, "cache"),
    MOODLENS_RUNS_DIR: join(work.path, "runs"),
  };
  const search = (extra: string[]) =>
    runCli(
      ["search", "--data", join(work.path, "missing"), "--space", '{"learningRate":[0.001]}', ...extra],
      env,
    );

  it("parses --input-filter (a bad one fails as a config error, before any data is read)", async () => {
    const result = await search(["--input-filter", "gaussian:99"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/input filter .*gaussian.*99/);
    expect(result.stderr).not.toMatch(/importing/);
  });

  it("accepts every training option that train accepts (then fails only on the missing data)", async () => {
    const result = await search([
      "--input-filter",
      "gaussian:2",
      "--momentum",
      "0.8",
      "--warmup",
      "0",
      "--min-lr",
      "0.0001",
      "--val-fraction",
      "0.2",
      "--augment",
      '{"rotation":5}',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not exist/);
  });
});
