/**
 * Loads Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm) and drives it through a
 * driver adapter, so migrations run without the native engine binary (which the CLI would download).
 *
 * The package's entry does `import * as wasm from "./schema_engine_bg.wasm"`, which Node 20 only accepts behind
 * --experimental-wasm-modules; we instantiate the .wasm ourselves against the package's JS glue instead.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import type * as GlueModule from "@prisma/schema-engine-wasm/schema_engine_bg";

type WasmExports = Record<string, unknown>;
type Glue = typeof GlueModule & {
  __wbg_set_wasm(exports: WasmExports): void;
};
/** The WebAssembly global, typed locally because the repo's TS lib has no DOM/WebAssembly declarations. */
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(
        bytes: Uint8Array,
        imports: Record<string, unknown>,
      ): Promise<{ instance: { exports: WasmExports } }>;
    };
  }
).WebAssembly;

let gluePromise: Promise<Glue> | undefined;

/**
 * Timers the engine starts (its own timeouts, e.g. 10 s around a query) that are still pending. A freed engine
 * never needs them, but a pending one keeps a finished CLI alive until it fires: `free()` unrefs them.
 */
const engineTimers = new Set<ReturnType<typeof setTimeout>>();

/** The glue's setTimeout import, wrapped to remember the timers it starts. */
function trackingTimers(glue: Glue): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...glue };
  for (const [name, value] of Object.entries(glue)) {
    if (!name.startsWith("__wbg_setTimeout_") || typeof value !== "function") continue;
    imports[name] = (...args: unknown[]) => {
      const timer = (value as (...a: unknown[]) => ReturnType<typeof setTimeout>)(...args);
      engineTimers.add(timer);
      return timer;
    };
  }
  return imports;
}

async function loadGlue(): Promise<Glue> {
  const require = createRequire(import.meta.url);
  // The JS glue is an exported subpath; the .wasm sits next to it.
  const packageDir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
  const glue = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as unknown as Glue;
  const bytes = await readFile(path.join(packageDir, "schema_engine_bg.wasm"));
  const { instance } = await wasmApi.instantiate(bytes, { "./schema_engine_bg.js": trackingTimers(glue) });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

/** Engine version baked into the wasm (a prisma-engines commit). */
export async function schemaEngineVersion(): Promise<string> {
  gluePromise ??= loadGlue();
  return (await gluePromise).version();
}

export interface SchemaEngineHandle {
  engine: SchemaEngine;
  /**
   * Frees the engine and disposes every connection it opened. The engine itself never disposes them, and on
   * PostgreSQL its connection holds the migration advisory lock until closed: without this the next migrate
   * call waits for the pool's idle timeout.
   */
  free(): Promise<void>;
}

/**
 * Starts a schema engine on top of a driver adapter factory (adapter-pg or PGlite's).
 * `datamodel` is the Prisma schema text, used by commands that need it (diff against the schema).
 */
export async function startSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  datamodel?: { path: string; content: string },
  log: (line: string) => void = () => {},
): Promise<SchemaEngineHandle> {
  gluePromise ??= loadGlue();
  const glue = await gluePromise;
  const opened: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => {
      const adapter = await adapterFactory.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await adapterFactory.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const engine = await glue.SchemaEngine.new(
    { datamodels: datamodel ? [[datamodel.path, datamodel.content]] : undefined },
    log,
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  return {
    engine,
    free: async () => {
      engine.free();
      await Promise.all(opened.splice(0).map((adapter) => adapter.dispose().catch(() => {})));
      for (const timer of engineTimers) timer.unref();
      engineTimers.clear();
    },
  };
}
