import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { UserMenu } from "@/components/auth/UserMenu";
import { MainNav } from "@/components/layout/MainNav";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Moodlens", template: "%s · Moodlens" },
  description: "Customer-sentiment analytics from facial expressions, and the experiments behind the model.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#141b2d" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="app-header">
          <div className="app-header__inner">
            <Link href="/" className="brand" aria-label="Moodlens home">
              <span className="brand__mark" aria-hidden="true" />
              Moodlens
            </Link>
            <MainNav />
            <UserMenu />
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="app-footer">
          Moodlens reads every number through the Moodlens GraphQL API. Expressions are estimates, not
          feelings.
        </footer>
      </body>
    </html>
  );
}
