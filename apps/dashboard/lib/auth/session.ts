/**
 * The signed-in user of the current request (server components, route handlers, server actions). The session
 * token is what the dashboard forwards to the API (`Authorization: Session <token>`), so the API authorises the
 * user's role, never a shared key.
 */
import { headers } from "next/headers";
import { cache } from "react";
import { isUserRole, roleAllows, type ApiScope, type UserRole } from "@moodlens/shared";
import { dashboardAuth } from "./server";

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  /** The session token for the API. */
  token: string;
}

/** One database look-up per request, however many components ask. Null when signed out, expired or disabled. */
export const currentUser = cache(async (): Promise<SignedInUser | null> => {
  const session = await dashboardAuth().api.getSession({ headers: await headers() });
  if (!session) return null;
  const user = session.user as typeof session.user & { role?: string; disabled?: boolean };
  if (user.disabled || !isUserRole(user.role)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, token: session.session.token };
});

export type Permission =
  | { ok: true; user: SignedInUser }
  | { ok: false; code: "UNAUTHENTICATED" | "FORBIDDEN"; user: SignedInUser | null };

/** Whether the current user may use something that needs `scope` (the API checks again). */
export async function permissionFor(scope: ApiScope): Promise<Permission> {
  const user = await currentUser();
  if (!user) return { ok: false, code: "UNAUTHENTICATED", user: null };
  return roleAllows(user.role, scope) ? { ok: true, user } : { ok: false, code: "FORBIDDEN", user };
}
