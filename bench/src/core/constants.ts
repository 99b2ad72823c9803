/** FER-style classifiers in this bench all receive 48x48 gray crops (the Moodlens model contract). */
export const INPUT_SIZE = 48;

/** How long each part may take before it is abandoned (a hung probe must not eat the whole run). */
export const PROBE_TIMEOUT_MS = {
  system: 8 * 60_000,
  training: 5 * 60_000,
  api: 6 * 60_000,
  stats: 10 * 60_000,
};

/** Repetitions and sample sizes per mode: quick must stay under 3 minutes, full under 20, on 2 shared cores. */
export const MODE_SETTINGS = {
  quick: {
    endToEndRepetitions: 2,
    /** face-api's SSD takes ~10 s per pass over the 17 photos: one timed pass in quick mode. */
    slowPeerEndToEndRepetitions: 1,
    classifyRepetitions: 2,
    batch1Faces: 32,
    batch32Batches: 2,
    /** Stratified FER-2013 PublicTest subset: the first N files of each class (disgust has 56). */
    accuracyPerClass: 40 as number | undefined,
    trainingSecondsPerCase: 6,
    trainingCpu: false,
    /** The trainer CLI (2 epochs per worker count, ~75 s) runs in the full mode only: undefined = skipped. */
    trainerCliPerClass: undefined as number | undefined,
    /** Each client sends this many requests per case (a fixed amount, not a duration: group photos take seconds). */
    apiRequestsPerClient: 1,
    apiConnections: { oneFace: [1, 8, 32], groupPhoto: [1, 8] } as Record<
      "oneFace" | "groupPhoto",
      readonly number[]
    >,
    statsFaces: [1_000_000],
    statsRepetitions: 3,
  },
  full: {
    endToEndRepetitions: 5,
    slowPeerEndToEndRepetitions: 3,
    classifyRepetitions: 3,
    batch1Faces: 128,
    batch32Batches: 8,
    accuracyPerClass: undefined as number | undefined,
    trainingSecondsPerCase: 20,
    trainingCpu: true,
    /** 192 FER-2013 training images per class (1,344) and 48 validation images per class. */
    trainerCliPerClass: 192 as number | undefined,
    apiRequestsPerClient: 3,
    apiConnections: { oneFace: [1, 8, 32], groupPhoto: [1, 8, 32] } as Record<
      "oneFace" | "groupPhoto",
      readonly number[]
    >,
    statsFaces: [1_000_000, 10_000_000],
    /** The exact (face-table) path over 10 M faces takes seconds per call: 3 calls after the first. */
    statsRepetitions: 3,
  },
} as const;

export type Mode = keyof typeof MODE_SETTINGS;
export type ModeSettings = (typeof MODE_SETTINGS)[Mode];
