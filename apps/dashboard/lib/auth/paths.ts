/** Where sign-in sends the user back to: only a path on this dashboard (never //host or a full URL elsewhere). */
export function safeNextPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\"))
    return "/";
  if (value.startsWith("/sign-in")) return "/";
  return value.slice(0, 2_000);
}

export const SIGN_IN_PATH = "/sign-in";

export function signInUrl(nextPath: string): string {
  return nextPath === "/" ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(nextPath)}`;
}
