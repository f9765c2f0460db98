import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: `${root}/` },
      { find: /^server-only$/, replacement: path.join(root, "test/server-only.ts") },
      // One graphql-js, as in the Next.js bundle: graphql-yoga loads the CommonJS build, so source
      // files must too, or `instanceof GraphQLError` sees two classes.
      { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve("graphql") },
    ],
  },
  test: {
    environment: "node",
    include: ["lib/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts"],
    // One embedded PostgreSQL for the whole run, migrated into a template database…
    globalSetup: ["test/global-setup.ts"],
    // …cloned into a fresh database for each test file (DATABASE_URL), which therefore run in parallel safely.
    setupFiles: ["test/setup.ts"],
    pool: "forks",
    // next-auth imports "next/server" without an extension, which Node's ESM loader cannot
    // resolve; processed by Vite (inlined) it resolves as under Next.js (the auth route's tests).
    server: { deps: { inline: ["next-auth"] } },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
