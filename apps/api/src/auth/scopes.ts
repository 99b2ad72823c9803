import { AppError, API_SCOPES, type ApiScope } from "@moodlens/shared";
import type { ViewerView } from "./viewer";

export const isApiScope = (value: string): value is ApiScope =>
  (API_SCOPES as readonly string[]).includes(value);

/** admin implies every other scope. */
export const hasScope = (viewer: ViewerView, scope: ApiScope): boolean =>
  viewer.scopes.includes(scope) || viewer.scopes.includes("admin");

/** Throws UNAUTHENTICATED without a key and FORBIDDEN when the key lacks the scope. */
export function requireScope(viewer: ViewerView | null, scope: ApiScope): ViewerView {
  if (!viewer) {
    throw new AppError("UNAUTHENTICATED", "an API key is required", {
      hint: "send Authorization: Bearer <key> (create one with npm run apikey -- create)",
    });
  }
  if (!hasScope(viewer, scope)) {
    const who = viewer.userId ? `the role "${viewer.role}"` : "this API key";
    throw new AppError("FORBIDDEN", `${who} lacks the "${scope}" scope`, {
      details: { required: scope, scopes: viewer.scopes, ...(viewer.userId ? { role: viewer.role } : {}) },
    });
  }
  return viewer;
}

/** Parses a comma-separated scope list (CLI, tests). */
export function parseScopes(list: string): ApiScope[] {
  const scopes = list
    .split(",")
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = scopes.filter((scope) => !isApiScope(scope));
  if (unknown.length || scopes.length === 0) {
    throw new AppError("BAD_USER_INPUT", `unknown scope(s): ${unknown.join(", ") || "(none given)"}`, {
      hint: `use a comma-separated list of ${API_SCOPES.join(", ")}`,
    });
  }
  return [...new Set(scopes)] as ApiScope[];
}
