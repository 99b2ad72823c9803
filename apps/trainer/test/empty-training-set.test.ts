import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FER, TINY_TRAIN_ARGS, copyFerSubset, runCli, tempDirectory } from "./helpers";

/**
 * FER-2013 file names carry their split (`PublicTest_*` = val), so a flat folder of validation images holds no
 * training images at all: `train` must say so before it creates a run, not train 0 images and call it completed.
 */
const work = tempDirectory("empty-training-set");
const env = {
  DATABASE_URL: "",
  MOODLENS_DATA_DIR: join(work.path, "data"),
  MOODLENS_CACHE_DIR: join(work.path, "cache"),
  MOODLENS_RUNS_DIR: join(work.path, "runs"),
};
afterAll(() => work.remove());

describe("train on data without training images", () => {
  it("fails before any run exists, naming the split recovered from the file names", async () => {
    const publicTest = join(work.path, "public-test");
    copyFerSubset("val", publicTest, 4);
    const result = await runCli(["train", "--data", publicTest, "--no-db", ...TINY_TRAIN_ARGS], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /no training images in .*public-test: its 28 images are 28 val \(28 of them split by their FER-2013 file names/,
    );
    expect(result.stderr).toMatch(/--val/); // the hint: how to use them instead
    expect(result.stdout).toBe("");
    const runs = env.MOODLENS_RUNS_DIR;
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  });

  it("reports a name-prefix split before training starts", async () => {
    const mixed = join(work.path, "mixed");
    copyFerSubset("val", mixed, 4);
    for (const folder of readdirSync(mixed)) {
      const source = join(FER, "train", folder);
      mkdirSync(join(mixed, folder), { recursive: true });
      for (const file of readdirSync(source).sort().slice(0, 12))
        cpSync(join(source, file), join(mixed, folder, file));
    }
    const result = await runCli(["train", "--data", mixed, "--no-db", ...TINY_TRAIN_ARGS], env, {
      killWhen: (stderr) => /validation images from/.test(stderr),
    });
    expect(result.stderr).toMatch(
      /data: 84 training images from .*mixed \(112 of them split by their FER-2013 file names/,
    );
    expect(result.stderr).toMatch(/28 validation images from .*mixed/);
  });
});
