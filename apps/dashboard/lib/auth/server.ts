/** The one better-auth instance of this server process, made on first use (next build needs no database). */
import { createDashboardAuth, type DashboardAuth } from "@moodlens/auth";
import { dashboardAuthEnv } from "../env";

let instance: DashboardAuth | undefined;

export function dashboardAuth(): DashboardAuth {
  if (!instance) {
    const env = dashboardAuthEnv();
    instance = createDashboardAuth({
      databaseUrl: env.DATABASE_URL,
      secret: env.MOODLENS_AUTH_SECRET,
      baseUrl: env.MOODLENS_DASHBOARD_URL ?? `http://localhost:${env.PORT}`,
    });
  }
  return instance;
}
