import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", ".next-*/**", "lib/generated/**", "node_modules/**", ".data/**", ".e2e-data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
  {
    // The layering rule of DESIGN.md §2: pages, actions and resolvers go through lib services.
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "lib/graphql/**/*.ts", "proxy.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/lib/db", "**/lib/db", "@/lib/generated/**", "@prisma/*"], message: "Call a service in lib/<domain>/ instead of the database." },
          ],
        },
      ],
    },
  },
]);
