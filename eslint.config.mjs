// One lint setup for the whole repo: typescript-eslint's recommended rules on every package, plus the
// architecture rules of issue 17: no import cycles between files, and process.env read only where config is parsed.
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const ROOT = import.meta.dirname;
// import-x's TypeScript settings (which parser reads the files it follows; without it .ts files are skipped and no
// cycle is seen), minus its legacy resolver: the typed resolver below replaces it.
const { "import-x/resolver": _legacyResolver, ...importXTypescript } =
  importX.flatConfigs.typescript.settings;

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/generated/**",
      "**/.data/**",
      "**/*.d.ts",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // A cycle makes load order matter and a module's parts hard to take apart; `npm run lint` fails on one.
    files: ["**/*.{ts,tsx,mts,mjs}"],
    plugins: { "import-x": importX },
    settings: {
      ...importXTypescript,
      "import-x/resolver-next": [
        createTypeScriptImportResolver({
          alwaysTryTypes: true,
          noWarnOnMultipleProjects: true,
          project: [
            `${ROOT}/apps/*/tsconfig.json`,
            `${ROOT}/packages/*/tsconfig.json`,
            `${ROOT}/bench/tsconfig.json`,
            `${ROOT}/tests/tsconfig.json`,
          ],
        }),
      ],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    // Configuration is read once, validated, in each app's src/env.ts (zod) and passed down: packages take
    // parameters, so what a process reads is visible in one file per app.
    files: ["**/*.{ts,tsx,mts,mjs}"],
    ignores: [
      "apps/*/src/env.ts",
      "apps/dashboard/lib/env.ts",
      // parseEnv: the helper every env.ts calls.
      "packages/shared/src/config.ts",
      // Entry points and harnesses that are themselves a process's edge: scripts, package CLIs, tests, bench.
      "scripts/**",
      "packages/*/scripts/**",
      "packages/db/src/cli/**",
      "packages/db/src/testing/**",
      "**/test/**",
      "**/*.test.ts",
      "tests/**",
      "bench/**",
      "**/*.config.{ts,mjs}",
      // Hand the whole environment on to a child process (the trainer's search trials, git in the recorder), or
      // read npm's INIT_CWD (where the user typed the command) to resolve their relative paths.
      "apps/trainer/src/commands/search.ts",
      "apps/trainer/src/records/recorder.ts",
      "apps/trainer/src/util/paths.ts",
    ],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "read configuration in the app's src/env.ts (zod) and pass it down as a parameter",
        },
      ],
    },
  },
);
