import { signOutAction } from "@/app/sign-in/actions";
import { currentUser } from "@/lib/auth/session";

const ROLE_LABELS = { analyst: "Analyst", ml: "ML staff", admin: "Admin" } as const;

/** Who is signed in, with which role, and the way out. Nothing when signed out (the sign-in page). */
export async function UserMenu() {
  const user = await currentUser().catch(() => null);
  if (!user) return null;
  return (
    <form action={signOutAction} className="user-menu" data-testid="user-menu" data-role={user.role}>
      <span className="user-menu__who">
        {user.email} · <span data-testid="user-role">{ROLE_LABELS[user.role]}</span>
      </span>
      <button type="submit" className="button button--secondary button--small" data-testid="sign-out">
        Sign out
      </button>
    </form>
  );
}
