/**
 * `npm run bench [-- --quick] [-- --only endToEnd,classify,...] [-- --systems moodlens,human] [-- --readme]`: measures Moodlens side by side with
 * @vladmandic/human and @vladmandic/face-api and writes bench/results/latest.json (+ a dated copy) and README's table.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { log, runProbe } from "./core/child";
import { MODE_SETTINGS, type Mode } from "./core/constants";
import { describeMachine } from "./core/machine";
import {
  DEFAULT_MODEL_DIR,
  FER_VAL_DIR,
  GROUP_PHOTOS_DIR,
  RESULTS_DIR,
  withRecordedPaths,
} from "./core/paths";
import { round } from "./core/stats";
import { writeCropSet } from "./data/crop-cache";
import { loadFerVal } from "./data/fer";
import { makeOneFaceImage } from "./data/one-face";
import { loadGroupPhotos } from "./data/photos";
import type { PreparedModel } from "./probes/prepare-models";
import { compare, toSystemEntry, type BenchResults } from "./report/results";
import { renderReadmeSection, updateReadme } from "./report/readme";
import { measureApi } from "./sections/api";
import { measurePhotoPathSection } from "./sections/photo-path";
import { measureStats } from "./sections/stats";
import { measureSystems } from "./sections/systems";
import { measureTraining } from "./sections/training";
import { measureTrainerCli } from "./sections/trainer-cli";
import { measureVideo } from "./sections/video";
import { measureEngines, shippedNetwork } from "./sections/engines";
import { SHIPPED_PREFIX, SYSTEM_NAMES, type SystemName } from "./systems/types";

const SECTIONS = [
  "endToEnd",
  "classify",
  "accuracy",
  "photoPath",
  "training",
  "engines",
  "api",
  "stats",
  "video",
] as const;
type Section = (typeof SECTIONS)[number];

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Rewrites README's section from latest.json; without the markers, prints it instead. Returns true if printed. */
async function regenerateReadme(): Promise<boolean> {
  const results = JSON.parse(await readFile(join(RESULTS_DIR, "latest.json"), "utf8")) as BenchResults;
  if (await updateReadme(results)) {
    log("README.md: results section rewritten from bench/results/latest.json");
    return false;
  }
  log(
    "README.md has no <!-- bench:start --> / <!-- bench:end --> markers: the section is printed below instead",
  );
  process.stdout.write(`${renderReadmeSection(results)}\n`);
  return true;
}

async function servingArchitecture(trained: boolean): Promise<"compact" | "deep"> {
  if (!trained) return "deep"; // the trainer's default architecture (apps/trainer/src/training/config.ts)
  const metadata = JSON.parse(await readFile(join(DEFAULT_MODEL_DIR, "metadata.json"), "utf8")) as {
    architecture: "compact" | "deep";
  };
  return metadata.architecture;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      readme: { type: "boolean", default: false },
      "no-readme": { type: "boolean", default: false },
      systems: { type: "string" },
    },
  });
  if (values.readme) {
    await regenerateReadme();
    return;
  }

  const mode: Mode = values.quick ? "quick" : "full";
  const settings = MODE_SETTINGS[mode];
  const only = values.only?.split(",").map((name) => name.trim()) ?? [];
  for (const name of only) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`unknown section "${name}"; sections: ${SECTIONS.join(", ")}`);
  }
  const wanted = (section: Section) => only.length === 0 || only.includes(section);
  const systemNames = values.systems?.split(",").map((name) => name.trim()) ?? [...SYSTEM_NAMES];
  for (const name of systemNames) {
    if (!(SYSTEM_NAMES as readonly string[]).includes(name))
      throw new Error(`unknown system "${name}"; systems: ${SYSTEM_NAMES.join(", ")}`);
  }
  if (values.systems && only.length === 0)
    throw new Error("--systems is for development: combine it with --only");
  const startedAt = Date.now();
  const machine = describeMachine();
  log(`${mode} run on ${machine.cpuModel} (${machine.cores} cores), load average ${machine.loadAverage1m}`);
  const scratchDir = await mkdtemp(join(tmpdir(), "moodlens-bench-"));
  const notes: string[] = [];

  try {
    // Same crops for every system, preprocessed once here with @moodlens/model's preprocessCrop.
    const cropSet = await loadFerVal(settings.accuracyPerClass);
    const cropSetBase = await writeCropSet(cropSet, scratchDir, "fer2013-val");
    log(`FER-2013 PublicTest: ${cropSet.crops.length} faces (${cropSet.sample})`);

    const trained = existsSync(join(DEFAULT_MODEL_DIR, "metadata.json"));
    const architecture = await servingArchitecture(trained);
    const prepared = (
      await runProbe<PreparedModel[]>("prepare-models", { scratchDir }, { timeoutMs: 180_000 })
    ).value;
    const servingModelDir = trained
      ? DEFAULT_MODEL_DIR
      : prepared.find((model) => model.architecture === architecture)!.dir;
    if (!trained) {
      notes.push(
        `models/default does not exist yet: Moodlens speed is measured with a randomly initialised ${architecture} network (same architecture and size as the trainer's default); its accuracy is null`,
      );
    }
    const onnxMissing = prepared.find((model) => !model.onnx)?.onnxError;
    if (onnxMissing) notes.push(`onnxruntime classifiers not measured: ${onnxMissing}`);

    const systemSections = {
      endToEnd: wanted("endToEnd"),
      classify: wanted("classify"),
      accuracy: wanted("accuracy"),
    };
    const systems = !Object.values(systemSections).some(Boolean)
      ? {}
      : await measureSystems(systemNames as SystemName[], settings, systemSections, {
          photosDir: GROUP_PHOTOS_DIR,
          cropSetBase,
          scratchDir,
          servingModelDir,
          servingModelTrained: trained,
          architectureModels: prepared.map(({ architecture: arch, dir, onnx }) => ({
            architecture: arch,
            dir,
            onnx,
          })),
        });
    // The shipped model when there is one (what the API serves), else the serving architecture's random-init network.
    const headline = (ids: string[]) =>
      ids.find((id) => id.startsWith(SHIPPED_PREFIX) && !id.endsWith("TTA")) ??
      ids.find((id) => id === `${architecture}/onnxruntime`) ??
      ids.find((id) => id === `${architecture}/tfjs-wasm`);
    const entries = {
      moodlens: toSystemEntry(systems.moodlens, headline),
      human: toSystemEntry(systems.human),
      faceApi: toSystemEntry(systems.faceApi),
    };

    const described = entries.moodlens.description as {
      analyzer?: { classifierFallbackReason?: string };
      classifierProblems?: string[];
    };
    if (described.analyzer?.classifierFallbackReason) {
      notes.push(
        `Moodlens served with tfjs, not onnxruntime: ${described.analyzer.classifierFallbackReason}`,
      );
    }
    for (const problem of described.classifierProblems ?? [])
      notes.push(`Moodlens classifier not measured: ${problem}`);

    let photoPath: BenchResults["photoPath"] = { reason: "not run (--only)" };
    if (wanted("photoPath")) {
      try {
        photoPath = trained
          ? await measurePhotoPathSection(mode, servingModelDir, scratchDir)
          : { reason: "models/default does not exist yet: photo-path accuracy needs a trained model" };
      } catch (error) {
        log(`photoPath: not measured: ${errorText(error)}`);
        photoPath = { reason: errorText(error).split("\n")[0]! };
      }
    }

    let training: BenchResults["training"] = { reason: "not run (--only)" };
    if (wanted("training")) training = await measureTraining(settings, cropSetBase);
    let trainer: BenchResults["trainer"] = { reason: "not run (--only)" };
    if (wanted("training")) {
      trainer = settings.trainerCliPerClass
        ? await measureTrainerCli(scratchDir, settings.trainerCliPerClass, [1, 2])
        : { reason: "quick mode: the trainer CLI is measured in the full run only" };
    }

    let engines: BenchResults["engines"] = { reason: "not run (--only)" };
    if (wanted("engines")) {
      const shipped = shippedNetwork();
      engines = [await measureEngines(settings, cropSetBase, shipped)];
      // The reference figures (0.71 GFLOP per image) are for the full 48x48 input: measured in full mode.
      if (mode === "full" && shipped.config.inputPool !== 1) {
        engines.push(
          await measureEngines(settings, cropSetBase, {
            label: "the same network on the full 48x48 input (inputPool 1)",
            config: { ...shipped.config, inputPool: 1 },
          }),
        );
      }
    }

    let api: BenchResults["api"] = { reason: "not run (--only)" };
    if (wanted("api")) {
      try {
        const { createTestDatabase } = await import("@moodlens/db/testing");
        const database = await createTestDatabase("postgres");
        try {
          const photos = await loadGroupPhotos();
          const group = photos.find((photo) => photo.name === "2008_002079.jpg") ?? photos[0]!;
          api = await measureApi(settings, {
            databaseUrl: database.url!,
            modelDir: servingModelDir,
            modelLabel: trained ? "models/default" : `random-init ${architecture} network (speed only)`,
            images: {
              oneFace: await makeOneFaceImage(),
              groupPhoto: { bytes: group.bytes, origin: `${group.name} from the group photos` },
            },
          });
        } finally {
          await database.drop();
        }
      } catch (error) {
        log(`api: not measured: ${errorText(error)}`);
        api = { reason: errorText(error).split("\n")[0]! };
      }
    }

    let stats: BenchResults["stats"] = { reason: "not run (--only)" };
    if (wanted("stats")) {
      try {
        stats = await measureStats(settings);
        if (mode === "quick")
          notes.push("quick mode: emotionStats measured over 1 M stored faces only (10 M in the full run)");
      } catch (error) {
        log(`stats: not measured: ${errorText(error)}`);
        stats = { reason: errorText(error).split("\n")[0]! };
      }
    }

    let video: BenchResults["video"] = { reason: "not run (--only)" };
    if (wanted("video")) {
      try {
        const { createTestDatabase } = await import("@moodlens/db/testing");
        const database = await createTestDatabase("postgres");
        try {
          video = await measureVideo(mode, {
            modelDir: servingModelDir,
            modelLabel: trained ? "models/default" : `random-init ${architecture} network (speed only)`,
            scratchDir,
            databaseUrl: database.url!,
          });
        } finally {
          await database.drop();
        }
      } catch (error) {
        log(`video: not measured: ${errorText(error)}`);
        video = { reason: errorText(error).split("\n")[0]! };
      }
    }

    if (mode === "quick") {
      notes.push(
        `quick mode: accuracy on a stratified subset of FER-2013 PublicTest (${cropSet.sample} = first files of each class, ${cropSet.crops.length} faces), fewer repetitions, no cpu-backend training`,
      );
    }
    const trainingPeak = Array.isArray(training)
      ? Math.max(0, ...training.map((t) => ("peakRssBytes" in t ? t.peakRssBytes : 0)))
      : null;
    const results: BenchResults = {
      schemaVersion: 1,
      date: new Date(startedAt).toISOString(),
      mode,
      durationSeconds: round((Date.now() - startedAt) / 1000, 0),
      machine,
      backend: {
        name: "wasm",
        threads: 1,
        note:
          "tfjs-backend-wasm 4.22 (SIMD) for every system; tfjs runs wasm single-threaded under Node. Moodlens detects on " +
          "onnxruntime with its default worker threads (see moodlens.description.analyzer.detector.workerThreads)",
      },
      sample: {
        groupPhotosDir: GROUP_PHOTOS_DIR,
        ferValDir: FER_VAL_DIR,
        ferSample: cropSet.sample,
        ferPerClass: cropSet.perClass,
        settings,
        apiRequestsPerClient: settings.apiRequestsPerClient,
      },
      ...entries,
      comparison: compare(entries),
      photoPath,
      training,
      trainer,
      engines,
      api,
      stats,
      video,
      memory: {
        apiPeakRssUnderLoadBytes: "cases" in api ? api.peakRssBytes : null,
        trainingProcessPeakRssBytes: trainingPeak || null,
        trainerCliPeakRssBytes: Array.isArray(trainer)
          ? Math.max(...trainer.map((t) => t.peakRssBytes))
          : null,
        moodlensBenchProcessPeakRssBytes: entries.moodlens.peakRssBytes,
        how: "API: VmHWM of the server process after the load tests; training: getrusage maxrss of the training-step process (largest case); trainer CLI: getrusage maxrss of the trainer process, worker thread included (largest case)",
      },
      notes,
    };

    await mkdir(RESULTS_DIR, { recursive: true });
    // Paths relative to the repository: results are committed, and this machine's folders mean nothing elsewhere.
    const json = `${JSON.stringify(withRecordedPaths(results), null, 2)}\n`;
    if (only.length > 0) {
      const file = join(RESULTS_DIR, `dev-${only.join("-")}.json`);
      await writeFile(file, json);
      log(`--only run: wrote ${file} (latest.json untouched)`);
    } else {
      const stamp = results.date.replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
      await writeFile(join(RESULTS_DIR, "latest.json"), json);
      await writeFile(join(RESULTS_DIR, `${stamp}-${mode}.json`), json);
      log(`wrote bench/results/latest.json and ${stamp}-${mode}.json in ${results.durationSeconds} s`);
      if (!values["no-readme"] && (await regenerateReadme())) return;
    }
    process.stdout.write(`${renderReadmeSection(results)}\n`);
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
