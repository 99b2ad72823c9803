import type { ApolloServerPlugin } from "@apollo/server";
import type { ApiContext } from "../context";

/** A tiny self-contained landing page (Apollo's default ones load scripts from a CDN). */
export function localLandingPagePlugin(version: string): ApolloServerPlugin<ApiContext> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Moodlens API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#222}code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:4px}pre{padding:.8rem;overflow:auto}</style></head>
<body><h1>Moodlens GraphQL API</h1><p>Version ${version}. POST GraphQL operations to this URL with <code>Content-Type: application/json</code> and <code>Authorization: Bearer &lt;key&gt;</code>.</p>
<pre>curl -s http://HOST/graphql -H 'content-type: application/json' -H "authorization: Bearer $KEY" \\
  -d '{"query":"{ health { status modelLoaded modelVersion } }"}'</pre>
<p>Binary upload: <code>POST /v1/analyze</code> with the image as the body. Liveness: <a href="/healthz">/healthz</a>, readiness: <a href="/readyz">/readyz</a>.</p></body></html>`;
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
