// Response headers every Boltrail response carries: Next.js adds them to its own routes
// (next.config.ts `headers()`), and the production server adds them to /graphql, which it
// serves without going through Next.js (lib/graphql/http.ts).
export const SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];
