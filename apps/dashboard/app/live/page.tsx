import type { Metadata } from "next";
import { LiveCamera } from "@/components/live/LiveCamera";
import { Notice } from "@/components/ui/Notice";
import { PageHeader } from "@/components/ui/PageHeader";
import { permissionFor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Live" };
export const dynamic = "force-dynamic";

export default async function LivePage() {
  const mayAnalyze = await permissionFor("analyze");
  return (
    <div className="page" data-testid="live-page">
      <PageHeader
        title="Live"
        subtitle="Your camera, analysed a few frames a second: faces are followed from frame to frame and their expressions smoothed so labels stay steady."
      />
      {mayAnalyze.ok ? (
        <LiveCamera mayRecord />
      ) : (
        <Notice testId="live-forbidden">
          Your role ({mayAnalyze.user?.role ?? "signed out"}) may not analyse camera frames (the “analyze”
          permission). An admin can change your role.
        </Notice>
      )}
    </div>
  );
}
