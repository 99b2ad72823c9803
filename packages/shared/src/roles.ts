import { API_SCOPES, type ApiScope } from "./types";

/**
 * Dashboard users have one role; the API turns it into the scopes an API key would carry, so a signed-in user and
 * a key are authorised by the same rules. Analysts read statistics and may try a photo; ML staff also read
 * experiments, runs and models; admins may do everything (promote models, keys, users).
 */
export const USER_ROLES = ["analyst", "ml", "admin"] as const;
export type UserRole = (typeof USER_ROLES)[number];

const ROLE_SCOPES: Record<UserRole, readonly ApiScope[]> = {
  analyst: ["read:stats", "analyze"],
  ml: ["read:stats", "read:experiments", "analyze"],
  admin: [...API_SCOPES],
};

export const isUserRole = (value: unknown): value is UserRole =>
  (USER_ROLES as readonly unknown[]).includes(value);

/** The API scopes a role grants; an unknown role (a row edited by hand) grants nothing. */
export function scopesForRole(role: string): ApiScope[] {
  return isUserRole(role) ? [...ROLE_SCOPES[role]] : [];
}

/** Whether a role grants a scope (admin grants every scope, as an admin key does). */
export function roleAllows(role: string, scope: ApiScope): boolean {
  const scopes = scopesForRole(role);
  return scopes.includes(scope) || scopes.includes("admin");
}
