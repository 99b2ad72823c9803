// @moodlens/auth: the dashboard's sign-in (better-auth) and the password hashing the users CLI shares with it.
export { createDashboardAuth, type DashboardAuth, type DashboardAuthOptions } from "./server";
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from "./password";
export { AUTH_TABLES, COOKIE_PREFIX } from "./tables";
