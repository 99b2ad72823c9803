import type { z } from "zod";
import { AppError } from "./errors";

/**
 * Parses an app's environment once with its zod schema. Every problem is reported at once, one per line,
 * naming the variable, so a misconfigured start fails fast with a message an operator can act on.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`);
  throw new AppError("CONFIG_INVALID", `invalid configuration: ${problems.join("; ")}`, {
    hint: "see the configuration table in README.md",
  });
}
