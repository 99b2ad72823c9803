// Public entry of @moodlens/api for the start script and end-to-end tests (apps never import each other).
export {
  startApiServer,
  createApiApp,
  API_VERSION,
  type StartedApiServer,
  type ApiServerOptions,
  type ApiApp,
} from "./server";
export { loadConfig, apiEnvSchema } from "./env";
export { defaultConfig, DEFAULTS, type ApiConfig, type ApiLimits } from "./config";
