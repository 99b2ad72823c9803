import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import { createDb, databaseEngine, migrate, toDatabaseError, type Db } from "@moodlens/db";
import { AppError, isAppError } from "@moodlens/shared";
import express from "express";
import { defaultConfig, type ApiConfig } from "./config";
import { createContext, type ApiContext } from "./context";
import { createErrorFormatter, toGraphQLError } from "./errors";
import { analyzeRoute } from "./http/analyze-route";
import { cors } from "./http/cors";
import { httpErrorHandler } from "./http/errors";
import { healthRoutes } from "./http/health-routes";
import { videosRoute } from "./http/videos-route";
import { analysisBudgetPlugin } from "./limits/analysis-budget";
import { localLandingPagePlugin } from "./limits/apollo-plugins";
import { graphqlGuard } from "./limits/graphql-guard";
import { resolvers } from "./resolvers";
import { consoleLogger, type ApiRuntime, type Logger } from "./runtime";
import { loadTypeDefs } from "./schema";
import type { AnalyzerLoader } from "./services/analyzer-port";
import { loadAnalyzer } from "./services/load-analyzer";
import { ModelHost } from "./services/model-host";
import { closeVideoQueue } from "./services/videos";

export const API_VERSION = "0.1.0";

export interface ApiServerOptions {
  /** Use this database instead of opening one from the config; it is NOT closed by close(). */
  db?: Db;
  /** Run migrations at start (default true; idempotent). */
  migrate?: boolean;
  logger?: Logger;
  /** How model directories become analyzers (default: @moodlens/model's createFaceAnalyzer). */
  loadAnalyzer?: AnalyzerLoader;
}

export interface ApiApp {
  app: express.Express;
  apollo: ApolloServer<ApiContext>;
  runtime: ApiRuntime;
  httpServer: Server;
  /** Stops Apollo (draining HTTP), the model poller, and the database when we opened it. */
  close(): Promise<void>;
}

const recogniseDatabaseError = (error: unknown): AppError | undefined => {
  const mapped = toDatabaseError(error);
  return isAppError(mapped) ? mapped : undefined;
};

/** Builds the whole API (database, model host, Apollo, express routes) without listening yet. */
export async function createApiApp(config: ApiConfig, options: ApiServerOptions = {}): Promise<ApiApp> {
  const log = options.logger ?? consoleLogger;
  const ownsDb = !options.db;
  const db =
    options.db ??
    (await createDb({
      ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
      ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    }));
  const cleanups: (() => Promise<void>)[] = [];
  if (ownsDb) cleanups.push(() => db.close());
  try {
    if (options.migrate ?? true) await migrate(db);
    const models = new ModelHost({
      db,
      config,
      log,
      load: options.loadAnalyzer ?? loadAnalyzer(config, log),
    });
    cleanups.unshift(() => models.close());
    await models.start();
    const runtime: ApiRuntime = { config, db, models, log, version: API_VERSION };

    const app = express();
    app.disable("x-powered-by");
    app.set("trust proxy", false);
    const httpServer = createServer(app);
    const guard = graphqlGuard(config.limits, config.introspection);
    const apollo = new ApolloServer<ApiContext>({
      typeDefs: loadTypeDefs(),
      resolvers: resolvers as never,
      csrfPrevention: true,
      introspection: config.introspection,
      includeStacktraceInErrorResponses: false,
      allowBatchedHttpRequests: false,
      stopOnTerminationSignals: false,
      validationRules: guard.validationRules,
      parseOptions: guard.parseOptions,
      formatError: createErrorFormatter({
        recognise: recogniseDatabaseError,
        log: (error) => log.error("request failed", { error: describe(error) }),
      }),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5_000 }),
        ApolloServerPluginLandingPageDisabled(),
        localLandingPagePlugin(API_VERSION),
        ...guard.plugins,
        analysisBudgetPlugin(),
      ],
      logger: {
        debug: () => {},
        info: () => {},
        warn: (message) => log.warn(String(message)),
        error: (message) => log.error(String(message)),
      },
    });
    await apollo.start();
    cleanups.unshift(() => apollo.stop());

    app.use(cors(config.corsOrigins));
    app.use(healthRoutes(runtime));
    app.use(videosRoute(runtime));
    cleanups.unshift(() => closeVideoQueue(runtime));
    app.use(analyzeRoute(runtime));
    app.get("/", (_req, res) => res.redirect(302, "/graphql"));
    app.use(
      "/graphql",
      express.json({ limit: config.limits.maxBodyBytes }),
      expressMiddleware(apollo, {
        context: async ({ req }) => {
          try {
            return await createContext(runtime, {
              authorization: req.headers.authorization,
              clientAddress: req.socket.remoteAddress,
            });
          } catch (error) {
            const mapped = toGraphQLError(error, recogniseDatabaseError);
            // Masked for the client, so the cause must reach the log.
            if (mapped.extensions.code === "INTERNAL")
              log.error("request context failed", { error: describe(error) });
            throw mapped;
          }
        },
      }),
    );
    app.use(httpErrorHandler());

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        for (const cleanup of cleanups)
          await cleanup().catch((error) => log.warn("shutdown step failed", { error: describe(error) }));
      })());
    return { app, apollo, runtime, httpServer, close };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    throw error;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export interface StartedApiServer {
  /** Base URL, e.g. http://127.0.0.1:4000 (GraphQL at `${url}/graphql`). */
  url: string;
  graphqlUrl: string;
  port: number;
  runtime: ApiRuntime;
  apollo: ApolloServer<ApiContext>;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (error.code === "EADDRINUSE") {
        reject(
          new AppError("CONFIG_INVALID", `port ${port} is already in use on ${host}`, {
            hint: "set PORT to a free port (e.g. PORT=4001)",
          }),
        );
      } else if (error.code === "EACCES") {
        reject(
          new AppError("CONFIG_INVALID", `no permission to listen on port ${port}`, {
            hint: "set PORT to a port above 1024",
          }),
        );
      } else reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

/**
 * Starts the API on config.port (0 = an ephemeral port) and resolves once it accepts connections.
 * Used by src/main.ts, the e2e tests and the lead's start script.
 */
export async function startApiServer(
  config: Parameters<typeof defaultConfig>[0] = {},
  options: ApiServerOptions = {},
): Promise<StartedApiServer> {
  const full = defaultConfig(config);
  const api = await createApiApp(full, options);
  try {
    await listen(api.httpServer, full.port, full.host);
  } catch (error) {
    await api.close();
    throw error;
  }
  const { port } = api.httpServer.address() as AddressInfo;
  const host = full.host === "0.0.0.0" || full.host === "::" ? "127.0.0.1" : full.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  api.runtime.log.info("Moodlens API listening", {
    url: `${url}/graphql`,
    database: databaseEngine(api.runtime.db),
    server: api.runtime.db.server,
  });
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    port,
    runtime: api.runtime,
    apollo: api.apollo,
    close: async () => {
      await api.close();
      // apollo.stop() drains the server; make sure it is closed even when Apollo never started listening.
      if (api.httpServer.listening)
        await new Promise<void>((resolve) => api.httpServer.close(() => resolve()));
    },
  };
}
