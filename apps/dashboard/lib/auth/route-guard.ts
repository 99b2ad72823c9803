/**
 * The check every route handler makes before calling the API: a signed-in user whose role grants the scope.
 * Answers 401 / 403 with an explanation, or null when the request may go on.
 */
import type { ApiScope } from "@moodlens/shared";
import { permissionFor } from "./session";

export interface Refusal {
  status: 401 | 403;
  code: "UNAUTHENTICATED" | "FORBIDDEN";
  title: string;
  message: string;
}

export async function refusalFor(scope: ApiScope, what: string): Promise<Refusal | null> {
  const permission = await permissionFor(scope);
  if (permission.ok) return null;
  if (permission.code === "UNAUTHENTICATED") {
    return {
      status: 401,
      code: "UNAUTHENTICATED",
      title: "Please sign in",
      message: "Sign in to the dashboard first.",
    };
  }
  return {
    status: 403,
    code: "FORBIDDEN",
    title: `Your role may not ${what}`,
    message: `The ${permission.user?.role} role lacks the "${scope}" permission; an admin can change your role.`,
  };
}
