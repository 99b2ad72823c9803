import { randomBytes } from "node:crypto";
import { createUser, listUsers, setUserDisabled, setUserRole } from "@moodlens/db";
import { hashPassword, MIN_PASSWORD_LENGTH } from "@moodlens/auth";
import { AppError, USER_ROLES, isUserRole, type UserRole } from "@moodlens/shared";
import { loadConfig } from "../env";
import { parseArgs, stringFlag } from "./args";
import { defaultIo, openDatabase, type CliIo } from "./database";

const USAGE = `usage:
  npm run users -- create --email EMAIL --role ${USER_ROLES.join("|")} [--name NAME] [--password-stdin]
  npm run users -- list
  npm run users -- set-role --email EMAIL --role ${USER_ROLES.join("|")}
  npm run users -- disable --email EMAIL        (ends the user's sessions at once)
  npm run users -- enable --email EMAIL`;
const COMMANDS = ["create", "list", "set-role", "disable", "enable"];

export interface UsersIo extends CliIo {
  /** The password for --password-stdin (tests pass it; the entry script reads standard input). */
  readPassword?: () => Promise<string>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** 18 random bytes: 24 URL-safe characters, well over the minimum length. */
export const generatePassword = (): string => randomBytes(18).toString("base64url");

function requireRole(value: string | undefined): UserRole {
  if (!value)
    throw new AppError("BAD_USER_INPUT", "--role is required", { hint: `one of ${USER_ROLES.join(", ")}` });
  if (!isUserRole(value))
    throw new AppError("BAD_USER_INPUT", `unknown role "${value}"`, {
      hint: `one of ${USER_ROLES.join(", ")}`,
    });
  return value;
}

/**
 * Dashboard users. `create` prints a generated password ALONE on its last line, once (or takes it from standard
 * input with --password-stdin, and then prints none).
 */
export async function usersCommand(argv: readonly string[], io: UsersIo = defaultIo): Promise<void> {
  const out = io.out;
  const args = parseArgs(argv, ["password-stdin", "help"]);
  const [command] = args.positional;
  if (!command || args.flags.has("help")) {
    out(USAGE);
    if (!command)
      throw new AppError("BAD_USER_INPUT", "missing command (create, list, set-role, disable or enable)");
    return;
  }
  if (!COMMANDS.includes(command))
    throw new AppError("BAD_USER_INPUT", `unknown command "${command}"`, {
      hint: USAGE.split("\n")[1]!.trim(),
    });
  const email = stringFlag(args, "email");
  if (command !== "list" && !email)
    throw new AppError("BAD_USER_INPUT", "--email is required", { hint: USAGE.split("\n")[1]!.trim() });
  const role =
    command === "create" || command === "set-role" ? requireRole(stringFlag(args, "role")) : undefined;

  // The password is settled before the database opens, so a mistake costs nothing.
  let password: string | undefined;
  let generated = false;
  if (command === "create") {
    if (args.flags.has("password-stdin")) {
      password = (await (io.readPassword ?? readStdin)()).replace(/\r?\n$/, "");
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new AppError(
          "BAD_USER_INPUT",
          `the password must have at least ${MIN_PASSWORD_LENGTH} characters`,
        );
      }
    } else {
      password = generatePassword();
      generated = true;
    }
  }

  const db = await openDatabase(loadConfig(io.env));
  try {
    if (command === "create") {
      const name = stringFlag(args, "name");
      const user = await createUser(db.prisma, {
        email: email!,
        name,
        role: role!,
        passwordHash: await hashPassword(password!),
      });
      out(`created user ${user.email} (role ${user.role}, id ${user.id})`);
      if (generated) {
        out("sign in to the dashboard with this password; it is shown only once:");
        out(password!);
      }
    } else if (command === "list") {
      const users = await listUsers(db.prisma);
      if (users.length === 0)
        out(
          "no users (create the first admin with npm run users -- create --email you@example.org --role admin)",
        );
      for (const user of users) {
        out(
          `${user.email}  ${user.role}  ${user.disabled ? "disabled" : "active"}  created ${user.createdAt.toISOString()}  (id ${user.id})`,
        );
      }
    } else if (command === "set-role") {
      const user = await setUserRole(db.prisma, email!, role!);
      out(`${user.email} is now ${user.role}`);
    } else {
      const user = await setUserDisabled(db.prisma, email!, command === "disable");
      out(
        user.disabled ? `${user.email} is disabled; their sessions have ended` : `${user.email} is enabled`,
      );
    }
  } finally {
    await db.close();
  }
}
