/** better-auth's password hashing (scrypt via node:crypto), so passwords set by the users CLI verify at sign-in. */
export { hashPassword, verifyPassword } from "better-auth/crypto";

/** The shortest password the dashboard accepts (better-auth's check at sign-in, the CLI's at creation). */
export const MIN_PASSWORD_LENGTH = 12;
