import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/SignInForm";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { safeNextPath } from "@/lib/auth/paths";
import { currentUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = safeNextPath((await searchParams).next);
  if (await currentUser().catch(() => null)) redirect(next);
  return (
    <div className="page sign-in" data-testid="sign-in-page">
      <PageHeader title="Sign in" subtitle="Moodlens shows each person what their role allows." />
      <Card title="Your account" headingId="sign-in-heading">
        <SignInForm next={next} />
        <p className="state__hint">
          No account yet? An admin creates one with{" "}
          <code>npm run users -- create --email you@example.org --role analyst</code>.
        </p>
      </Card>
    </div>
  );
}
