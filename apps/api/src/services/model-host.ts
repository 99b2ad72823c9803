import { getActiveModelVersion, type Db } from "@moodlens/db";
import { resolveServedModel } from "@moodlens/model/served-model";
import { AppError, isAppError } from "@moodlens/shared";
import type { ApiConfig } from "../config";
import type { Logger } from "../logger";
import type { AnalyzerLoader, LoadedAnalyzer } from "./analyzer-port";

/** The shipped model, used when the registry names no active version and MOODLENS_MODEL_DIR is unset. */
export { DEFAULT_MODEL_DIR } from "@moodlens/model/served-model";
/** After a failed load, try the same model again only this often (a missing model is checked cheaply, but not per request). */
const RETRY_FAILED_MS = 30_000;

interface Served {
  analyzer: LoadedAnalyzer;
  path: string;
  registryVersion: string | undefined;
  loadedAt: Date;
  inFlight: number;
  retired: boolean;
}

export interface Wanted {
  path: string;
  version: string | undefined;
}

export interface ServedModelState {
  loaded: boolean;
  version: string | null;
  backend: string | null;
  path: string | null;
  error: AppError | null;
  loadedAt: Date | null;
}

/** A checked-out analyzer; call release() when the request is done so a retired model can be disposed. */
export interface AnalyzerLease {
  analyzer: LoadedAnalyzer;
  release(): void;
}

/**
 * Serves one model at a time and follows the registry: at start and every `modelPollMs` (and right after a
 * promote on this instance) it asks the database which version is active and swaps analyzers when it changed.
 * Other instances converge within one poll interval, without restarts. Requests in flight finish on the model
 * they started with; the old one is disposed when the last of them releases it.
 */
export class ModelHost {
  private served: Served | null = null;
  private error: AppError | null = null;
  private lastWarning: string | undefined;
  private failed: { key: string; at: number } | null = null;
  private refreshing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The registry lookup failed last time: log the outage once, not on every poll. */
  private registryDown = false;

  constructor(private readonly deps: { db: Db; config: ApiConfig; log: Logger; load: AnalyzerLoader }) {}

  async start(): Promise<void> {
    await this.refresh();
    if (this.deps.config.modelPollMs > 0) {
      this.timer = setInterval(() => void this.refresh().catch(() => {}), this.deps.config.modelPollMs);
      this.timer.unref();
    }
  }

  state(): ServedModelState {
    const served = this.served;
    return {
      loaded: !!served,
      version: served?.analyzer.version ?? null,
      backend: served?.analyzer.backend ?? null,
      path: served?.path ?? null,
      error: served ? null : this.error,
      loadedAt: served?.loadedAt ?? null,
    };
  }

  /** Checks the registry now (deduplicated when several callers ask at once). */
  refresh(options: { force?: boolean } = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.refreshing) {
      this.refreshing = this.doRefresh(options.force ?? false).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** The analyzer to use for one request. Throws MODEL_NOT_TRAINED / MODEL_INVALID when nothing is served. */
  acquire(): AnalyzerLease {
    const served = this.served;
    if (!served) {
      throw (
        this.error ??
        new AppError("MODEL_NOT_TRAINED", "no model is loaded yet", {
          hint: "train one with npm run trainer -- train, or wait for the server to finish starting",
        })
      );
    }
    served.inFlight++;
    let released = false;
    return {
      analyzer: served.analyzer,
      release: () => {
        if (released) return;
        released = true;
        served.inFlight--;
        if (served.retired && served.inFlight === 0) void this.dispose(served);
      },
    };
  }

  /**
   * Loads the model at `target` BEFORE `commit` (the registry promotion) runs, so a version that cannot be served
   * is never made active: a load failure throws and nothing changes. After the commit this instance serves it.
   */
  async switchTo<T>(target: Wanted, commit: () => Promise<T>): Promise<T> {
    const current = this.served;
    if (current && current.path === target.path && current.registryVersion === target.version)
      return commit();
    const analyzer = await this.deps.load(target.path, target.version);
    let result: T;
    try {
      result = await commit();
    } catch (error) {
      await analyzer.dispose();
      throw error;
    }
    this.install(analyzer, target);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing?.catch(() => {});
    const served = this.served;
    this.served = null;
    if (served) {
      served.retired = true;
      if (served.inFlight === 0) await this.dispose(served);
    }
  }

  /** The served-model rule (@moodlens/model's resolveServedModel) with this host's answer to a registry outage. */
  private async wanted(): Promise<Wanted> {
    const { modelDir } = this.deps.config;
    const served = await resolveServedModel({
      activeVersion: async () => {
        const active = await getActiveModelVersion(this.deps.db.prisma);
        if (this.registryDown) this.deps.log.info("model registry reachable again");
        this.registryDown = false;
        return active;
      },
      configured: modelDir ? { dir: modelDir, why: "MOODLENS_MODEL_DIR" } : undefined,
      onRegistryError: (error) => {
        // Database away: keep serving what we have; at start, try the configured or shipped model.
        if (!this.registryDown)
          this.deps.log.warn("could not read the active model version; keeping the current model", {
            error: String(error),
          });
        this.registryDown = true;
        const current = this.served;
        return current
          ? {
              path: current.path,
              registryVersion: current.registryVersion,
              why: "kept while the registry is away",
            }
          : undefined;
      },
    });
    return { path: served.path, version: served.registryVersion };
  }

  private async doRefresh(force: boolean): Promise<void> {
    const wanted = await this.wanted();
    const current = this.served;
    if (current && current.path === wanted.path && current.registryVersion === wanted.version) return;
    const key = `${wanted.path}@${wanted.version ?? ""}`;
    if (!force && this.failed?.key === key && Date.now() - this.failed.at < RETRY_FAILED_MS) return;
    try {
      const analyzer = await this.deps.load(wanted.path, wanted.version);
      if (this.closed) {
        await analyzer.dispose();
        return;
      }
      this.install(analyzer, wanted);
      this.lastWarning = undefined;
    } catch (error) {
      this.failed = { key, at: Date.now() };
      const appError = isAppError(error)
        ? error
        : new AppError(
            "MODEL_INVALID",
            `the model in ${wanted.path} could not be loaded: ${(error as Error).message}`,
            { cause: error },
          );
      // Keep serving the previous model if there is one; remember why the new one failed for /readyz.
      if (!current) this.error = appError;
      // Retries are periodic: say it once per model and reason, not on every retry.
      const warning = `${key}:${appError.code}:${appError.message}`;
      if (this.lastWarning !== warning) {
        this.lastWarning = warning;
        this.deps.log.warn("model not loaded", {
          path: wanted.path,
          version: wanted.version,
          code: appError.code,
          reason: appError.message,
        });
      }
    }
  }

  /** Makes `analyzer` the served model; the previous one is disposed once its last request released it. */
  private install(analyzer: LoadedAnalyzer, target: Wanted): void {
    const previous = this.served;
    this.served = {
      analyzer,
      path: target.path,
      registryVersion: target.version,
      loadedAt: new Date(),
      inFlight: 0,
      retired: false,
    };
    this.error = null;
    this.failed = null;
    this.deps.log.info("model loaded", {
      version: analyzer.version,
      backend: analyzer.backend,
      path: target.path,
    });
    if (previous) {
      previous.retired = true;
      if (previous.inFlight === 0) void this.dispose(previous);
    }
  }

  private async dispose(served: Served): Promise<void> {
    try {
      await served.analyzer.dispose();
    } catch (error) {
      this.deps.log.warn("disposing a retired model failed", { error: String(error) });
    }
  }
}
