/**
 * Every page, route handler and server action needs a signed-in user: without a valid session (none, expired,
 * disabled user) pages redirect to /sign-in (and back afterwards), /api/* answers 401. Each route handler and
 * server action still checks the session and role itself, and the API authorises every call again.
 */
import { NextResponse, type NextRequest } from "next/server";
import { dashboardAuth } from "@/lib/auth/server";
import { SIGN_IN_PATH, signInUrl } from "@/lib/auth/paths";

const PUBLIC_PATHS = new Set([SIGN_IN_PATH]);

export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PATHS.has(pathname)) return NextResponse.next();
  let signedIn = false;
  try {
    // No refresh here (it would set a cookie from the proxy); pages and actions extend the session.
    const session = await dashboardAuth().api.getSession({
      headers: request.headers,
      query: { disableRefresh: true },
    });
    signedIn = !!session && !(session.user as { disabled?: boolean }).disabled;
  } catch {
    signedIn = false; // the session cannot be checked (database down): treat as signed out, never as signed in
  }
  if (signedIn) return NextResponse.next();
  if (pathname.startsWith("/api/")) {
    return NextResponse.json(
      {
        ok: false,
        error: {
          code: "UNAUTHENTICATED",
          title: "Please sign in",
          message: "Sign in to the dashboard first.",
        },
      },
      { status: 401, headers: { "cache-control": "no-store" } },
    );
  }
  return NextResponse.redirect(new URL(signInUrl(`${pathname}${search}`), request.url));
}

export const config = {
  // Not for Next's own assets and the icon (they carry no data).
  matcher: ["/((?!_next/static|_next/image|icon.svg|favicon.ico).*)"],
};
