"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signInAttempts } from "@/lib/auth/attempts";
import { SIGN_IN_PATH, safeNextPath } from "@/lib/auth/paths";
import { dashboardAuth } from "@/lib/auth/server";

export interface SignInState {
  error?: string;
  email?: string;
}

const statusOf = (error: unknown): string | undefined =>
  (error as { status?: unknown } | null)?.status as string | undefined;

/** Email + password → session cookie (better-auth, through Next's cookies), then back to where the user was going. */
export async function signInAction(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const email = String(formData.get("email") ?? "")
    .trim()
    .toLowerCase();
  const password = String(formData.get("password") ?? "");
  const next = safeNextPath(formData.get("next"));
  if (!email || !password) return { error: "Enter your email and password.", email };

  const requestHeaders = await headers();
  // Without a known client address only the email is counted: one shared "unknown" would lock everyone out.
  const address = requestHeaders.get("x-forwarded-for")?.split(",")[0]?.trim();
  const keys = [`email:${email}`, ...(address ? [`address:${address}`] : [])];
  const wait = signInAttempts.retryAfterSeconds(keys);
  if (wait > 0)
    return { error: `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} min.`, email };

  try {
    await dashboardAuth().api.signInEmail({ body: { email, password }, headers: requestHeaders });
  } catch (error) {
    const status = statusOf(error);
    if (status === "UNAUTHORIZED" || status === "BAD_REQUEST") {
      signInAttempts.fail(keys);
      return { error: "Wrong email or password.", email };
    }
    if (status === "FORBIDDEN")
      return { error: "This account is disabled. Ask an admin to enable it.", email };
    return {
      error: "Sign-in is not available right now (the database cannot be reached). Try again shortly.",
      email,
    };
  }
  signInAttempts.succeed(keys);
  redirect(next);
}

/** Ends the session (its row is deleted, so the API stops accepting it too). */
export async function signOutAction(): Promise<void> {
  try {
    await dashboardAuth().api.signOut({ headers: await headers() });
  } catch {
    // already signed out, or the database is away: the cookie is dropped either way by signing in again
  }
  redirect(SIGN_IN_PATH);
}
