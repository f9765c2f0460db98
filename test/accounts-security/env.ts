// Imported first by helpers.ts, before any app module: lib/env.ts caches the configuration on its
// first call, so the keys must be in place by then (TOTP secrets are stored encrypted).
export const AUTH_SECRET = "boltrail-account-security-tests-secret-0123456789";
process.env.AUTH_SECRET = AUTH_SECRET;
process.env.APP_ENCRYPTION_KEY = "c3".repeat(32);
