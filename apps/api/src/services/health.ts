import { databaseEngine, pingDatabase, toDatabaseError } from "@moodlens/db";
import { isAppError } from "@moodlens/shared";
import type { ApiRuntime } from "../runtime";

export interface Readiness {
  ready: boolean;
  /** kind: what stores the data ("pglite" also when npm start serves it over a socket); server: its name and version. */
  database: { reachable: boolean; kind: string; server?: string; error?: string };
  model: { loaded: boolean; version: string | null; backend: string | null; error?: string; code?: string };
}

const PING_TIMEOUT_MS = 2_000;
class PingTimeout extends Error {}

/** Database reachable (a trivial query within 2 s) and a model loaded: what /readyz and `health` report. */
export async function checkReadiness(runtime: ApiRuntime): Promise<Readiness> {
  const described = {
    kind: databaseEngine(runtime.db),
    ...(runtime.db.server ? { server: runtime.db.server } : {}),
  };
  let database: Readiness["database"] = { reachable: true, ...described };
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PingTimeout(`no answer within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([pingDatabase(runtime.db.prisma), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    const mapped = toDatabaseError(error);
    // The reason a client may read is ours (one line); the driver's text (SQL, Prisma call sites) goes to the log.
    if (!isAppError(mapped) && !(error instanceof PingTimeout))
      runtime.log.warn("readiness check failed", { error: String((error as Error).message ?? error) });
    const reason = isAppError(mapped)
      ? mapped.message
      : error instanceof PingTimeout
        ? error.message
        : "database query failed";
    database = { reachable: false, ...described, error: reason };
  }
  const state = runtime.models.state();
  const model: Readiness["model"] = {
    loaded: state.loaded,
    version: state.version,
    backend: state.backend,
    ...(state.error ? { error: state.error.toLine(), code: state.error.code } : {}),
  };
  return { ready: database.reachable && model.loaded, database, model };
}
