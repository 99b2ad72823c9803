import type { Db } from "@moodlens/db";
import type { ApiConfig } from "./config";
import type { Logger } from "./logger";
import type { ModelHost } from "./services/model-host";

// The logger lives in logger.ts so services (the model host) need not import this file, which imports them.
export { consoleLogger, silentLogger, type Logger } from "./logger";

/**
 * Long-lived parts shared by all requests of one instance. Holds no request state: everything that must be
 * consistent across instances (keys, rate limits, analyses, the active model version) lives in the database.
 */
export interface ApiRuntime {
  config: ApiConfig;
  db: Db;
  models: ModelHost;
  log: Logger;
  version: string;
}
