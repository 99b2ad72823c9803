"use client";

// Replaces the root layout when it fails itself, so it brings its own <html> and minimal inline styling.
export default function GlobalError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", padding: 32, color: "#1b2230" }}>
        <div role="alert" data-testid="error-state">
          <h1>Moodlens could not start this page</h1>
          <p>Please try again. If it keeps failing, check the dashboard's server log.</p>
          <button type="button" onClick={() => retry()}>
            Try again
          </button>
        </div>
      </body>
    </html>
  );
}
