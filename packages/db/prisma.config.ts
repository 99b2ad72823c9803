// Prisma CLI configuration. DATABASE_URL is read with a default so that `prisma generate` (which needs no
// database) never fails when it is unset; migrations at run time go through src/migrate.ts instead.
import path from "node:path";
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/moodlens" },
});
