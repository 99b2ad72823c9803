import { log, startSession, type Session } from "../core/child";
import { PROBE_TIMEOUT_MS, type ModeSettings } from "../core/constants";
import type { AccuracyReport } from "../core/metrics";
import { median, round } from "../core/stats";
import type { ClassifyRun, PassTiming, SystemProbeInput, SystemReady } from "../probes/system";
import type { SystemName, SystemOptions } from "../systems/types";
import { readHandBoxes, scoreDetection, type DetectionScore } from "../data/hand-boxes";
import type { Box } from "@moodlens/shared";

export interface SystemSections {
  endToEnd: boolean;
  classify: boolean;
  accuracy: boolean;
}

export interface ClassifierVariant {
  id: string;
  batch1FacesPerSec: number;
  batch32FacesPerSec: number;
  batch1FacesPerCpuSec: number;
  batch32FacesPerCpuSec: number;
  batch1Runs: number[];
  batch32Runs: number[];
}

export interface SystemResult {
  description: Record<string, unknown>;
  endToEnd: {
    imagesPerSec: number;
    facesPerSec: number;
    faces: number;
    coldFirstRequestMs: number;
    loadMs: number;
    images: number;
    repetitions: number;
    passMs: number[];
    passCpuMs: number[];
    /** Faces per CPU-second of the system's process (median pass): steadier than wall time on a shared machine. */
    facesPerCpuSec: number;
    facesPerPhoto: Record<string, number>;
    /** The boxes against the hand-labelled faces of the photos that have them (same matching rule as our tests). */
    detection: DetectionScore;
  } | null;
  classify: { variants: ClassifierVariant[] } | null;
  accuracy: ((AccuracyReport & { classifier: string; sample: string }) | { unavailable: string }) | null;
  peakRssBytes: number;
  error?: string;
}

type Accuracy = NonNullable<SystemResult["accuracy"]>;

/**
 * Sections 1-3 for every system. Loads and cold requests run one system at a time (nothing else competes);
 * warm repetitions are interleaved across systems (A B C A B C) so the shared machine's noise hits all alike.
 */
export async function measureSystems(
  names: readonly SystemName[],
  settings: ModeSettings,
  sections: SystemSections,
  base: Omit<SystemProbeInput, "system">,
): Promise<Record<string, SystemResult>> {
  const sessions = new Map<SystemName, Session<SystemReady>>();
  const results: Record<string, SystemResult> = {};
  const fail = (name: SystemName, error: unknown) => {
    const message = error instanceof Error ? error.message.split("\n").slice(0, 3).join(" ") : String(error);
    log(`${name}: FAILED ${message}`);
    results[name] = { ...(results[name] ?? emptyResult()), error: message };
    sessions
      .get(name)
      ?.close()
      .catch(() => 0);
    sessions.delete(name);
  };

  const handBoxes = readHandBoxes(base.photosDir);
  for (const name of names) {
    try {
      const session = await startSession<SystemReady>(
        "system",
        { ...base, system: name } satisfies SystemProbeInput,
        {
          timeoutMs: PROBE_TIMEOUT_MS.system,
        },
      );
      sessions.set(name, session);
      results[name] = { ...emptyResult(), description: session.ready.description };
      if (sections.endToEnd) {
        const coldFirstRequestMs = await session.call<number>("cold");
        const boxesPerPhoto = await session.call<Record<string, Box[]>>("warmup");
        const facesPerPhoto = Object.fromEntries(
          Object.entries(boxesPerPhoto).map(([photo, boxes]) => [photo, boxes.length]),
        );
        results[name]!.endToEnd = {
          imagesPerSec: 0,
          facesPerSec: 0,
          faces: Object.values(facesPerPhoto).reduce((sum, count) => sum + count, 0),
          coldFirstRequestMs: round(coldFirstRequestMs, 1),
          loadMs: round(session.ready.loadMs, 1),
          images: session.ready.photos,
          repetitions: 0,
          passMs: [],
          passCpuMs: [],
          facesPerCpuSec: 0,
          facesPerPhoto,
          detection: scoreDetection(boxesPerPhoto, handBoxes),
        };
        log(
          `${name}: cold first request ${Math.round(coldFirstRequestMs)} ms, ${results[name]!.endToEnd!.faces} faces`,
        );
      }
    } catch (error) {
      fail(name, error);
    }
  }

  if (sections.endToEnd) {
    const repetitionsOf = (name: SystemName) =>
      name === "faceApi" ? settings.slowPeerEndToEndRepetitions : settings.endToEndRepetitions;
    const rounds = Math.max(...names.map(repetitionsOf));
    for (let round_ = 0; round_ < rounds; round_++) {
      for (const [name, session] of sessions) {
        if (round_ >= repetitionsOf(name)) continue;
        try {
          const { ms, cpuMs } = await session.call<PassTiming>("pass");
          results[name]!.endToEnd!.passMs.push(round(ms, 1));
          results[name]!.endToEnd!.passCpuMs.push(round(cpuMs, 1));
          log(`${name}: end-to-end pass ${round_ + 1} ${Math.round(ms)} ms`);
        } catch (error) {
          fail(name, error);
        }
      }
    }
    for (const name of sessions.keys()) {
      const e2e = results[name]!.endToEnd!;
      const seconds = median(e2e.passMs) / 1000;
      e2e.repetitions = e2e.passMs.length;
      e2e.imagesPerSec = round(e2e.images / seconds);
      e2e.facesPerSec = round(e2e.faces / seconds);
      e2e.facesPerCpuSec = round(e2e.faces / (median(e2e.passCpuMs) / 1000));
    }
  }

  if (sections.classify) {
    const ids = new Map<SystemName, string[]>();
    for (const [name, session] of sessions) {
      try {
        ids.set(name, await session.call<string[]>("classifiers"));
      } catch (error) {
        fail(name, error);
      }
    }
    const runs = new Map<string, ClassifyRun[]>();
    for (let repetition = 0; repetition < settings.classifyRepetitions; repetition++) {
      for (const [name, session] of sessions) {
        for (const [index, id] of (ids.get(name) ?? []).entries()) {
          try {
            const run = await session.call<ClassifyRun>("classify", {
              index,
              batch1Faces: settings.batch1Faces,
              batch32Batches: settings.batch32Batches,
            });
            const key = `${name}\u0000${id}`;
            runs.set(key, [...(runs.get(key) ?? []), run]);
          } catch (error) {
            log(
              `${name}: classifier ${id} failed: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
            );
          }
        }
      }
    }
    for (const [name, classifierIds] of ids) {
      if (!results[name]) continue;
      results[name]!.classify = {
        variants: classifierIds.flatMap((id) => {
          const list = runs.get(`${name}\u0000${id}`) ?? [];
          if (list.length === 0) return [];
          const batch1Runs = list.map((run) => round(run.batch1FacesPerSec, 1));
          const batch32Runs = list.map((run) => round(run.batch32FacesPerSec, 1));
          log(
            `${name}: ${id} batch 1 ${Math.round(median(batch1Runs))}/s, batch 32 ${Math.round(median(batch32Runs))}/s`,
          );
          return [
            {
              id,
              batch1FacesPerSec: round(median(batch1Runs), 1),
              batch32FacesPerSec: round(median(batch32Runs), 1),
              batch1FacesPerCpuSec: round(median(list.map((run) => run.batch1FacesPerCpuSec)), 1),
              batch32FacesPerCpuSec: round(median(list.map((run) => run.batch32FacesPerCpuSec)), 1),
              batch1Runs,
              batch32Runs,
            },
          ];
        }),
      };
    }
  }

  if (sections.accuracy) {
    for (const [name, session] of sessions) {
      try {
        results[name]!.accuracy = await session.call<Accuracy>("accuracy");
      } catch (error) {
        fail(name, error);
      }
    }
  }

  for (const [name, session] of sessions) {
    results[name]!.description = await session
      .call<Record<string, unknown>>("describe")
      .catch(() => results[name]!.description);
    results[name]!.peakRssBytes = await session.close();
  }
  return results;
}

const emptyResult = (): SystemResult => ({
  description: {},
  endToEnd: null,
  classify: null,
  accuracy: null,
  peakRssBytes: 0,
});

export type { SystemOptions };
