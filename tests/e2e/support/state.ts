import { readFileSync } from "node:fs";

/**
 * What the global setup started and created, handed to the test workers through one JSON file whose path is in
 * MOODLENS_E2E_STATE (workers inherit the runner's environment).
 */
export interface E2EState {
  apiUrl: string;
  graphqlUrl: string;
  dashboardUrl: string;
  tmpDir: string;
  dataDir: string;
  keys: {
    /** analyze, read:stats, read:experiments */
    client: string;
    /** read:stats only: analyze must answer FORBIDDEN */
    statsOnly: string;
  };
  /** Dashboard users made with the users CLI (`npm run users -- create`), with the passwords it printed. */
  users: Record<"admin" | "analyst", { email: string; password: string }>;
  /** What a second dashboard needs to accept the same sessions: the database and the cookie secret. */
  dashboardAuth: { databaseUrl: string; secret: string };
  /** Two small training runs recorded by the trainer CLI, oldest first. */
  runIds: string[];
  /** "default" when models/default was trained, else "e2e-run" (a run's model promoted through the API). */
  modelSource: "default" | "e2e-run";
  modelVersion: string | null;
  /** The demo seed's time span (ISO instants). */
  seed: { from: string; to: string; analyses: number; faces: number };
}

export const STATE_ENV = "MOODLENS_E2E_STATE";

let cached: E2EState | undefined;
export function e2eState(): E2EState {
  if (cached) return cached;
  const file = process.env[STATE_ENV];
  if (!file)
    throw new Error(
      `${STATE_ENV} is unset: run the suite with \`npm run test:e2e -w @moodlens/e2e\` (global setup starts the stack)`,
    );
  cached = JSON.parse(readFileSync(file, "utf8")) as E2EState;
  return cached;
}
