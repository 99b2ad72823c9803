/**
 * The dashboard's sign-in (better-auth): email + password, sessions in our PostgreSQL (tables auth_*), no sign-up
 * (users come from the users CLI), disabled users refused. The dashboard calls it from server actions
 * (auth.api.*), not through better-auth's HTTP handler, so no other auth endpoint is exposed; sign-in attempts are
 * limited by the dashboard's sign-in action (better-auth's own limiter only guards its HTTP handler).
 */
import { betterAuth } from "better-auth";
import { APIError } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { Pool } from "pg";
import { MIN_PASSWORD_LENGTH } from "./password";
import { AUTH_TABLES, COOKIE_PREFIX } from "./tables";

export interface DashboardAuthOptions {
  /** PostgreSQL URL (the embedded database is served as one by npm start). */
  databaseUrl: string;
  /** At least 32 characters; signs the session cookie. */
  secret: string;
  /** Where users reach the dashboard, e.g. http://localhost:3000 (cookies are Secure when it is https). */
  baseUrl: string;
  /** Session lifetime; it slides while the user is active. */
  sessionHours?: number;
}

const HOUR_SECONDS = 3_600;

export function createDashboardAuth(options: DashboardAuthOptions) {
  // A small pool: sign-in and session look-ups are a few queries, and the embedded database serves one at a time.
  const pool = new Pool({ connectionString: options.databaseUrl, max: 2, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => {}); // a dropped idle connection is replaced on the next query, never a crash
  return betterAuth({
    appName: "Moodlens",
    baseURL: options.baseUrl,
    secret: options.secret,
    database: pool,
    telemetry: { enabled: false },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: MIN_PASSWORD_LENGTH },
    user: {
      ...AUTH_TABLES.user,
      additionalFields: {
        role: { type: "string", input: false, required: false, defaultValue: "analyst" },
        disabled: { type: "boolean", input: false, required: false, defaultValue: false },
      },
    },
    session: {
      ...AUTH_TABLES.session,
      expiresIn: (options.sessionHours ?? 12) * HOUR_SECONDS,
      updateAge: HOUR_SECONDS,
    },
    account: AUTH_TABLES.account,
    verification: AUTH_TABLES.verification,
    advanced: { cookiePrefix: COOKIE_PREFIX },
    databaseHooks: {
      session: {
        create: {
          // A disabled user keeps a password but gets no new session.
          before: async (session, context) => {
            const user = await context?.context.internalAdapter.findUserById(session.userId);
            if (!user || (user as { disabled?: boolean }).disabled) {
              throw new APIError("FORBIDDEN", {
                message: "This account is disabled. Ask an admin to enable it.",
              });
            }
          },
        },
      },
    },
    plugins: [nextCookies()],
  });
}

export type DashboardAuth = ReturnType<typeof createDashboardAuth>;
