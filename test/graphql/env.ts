// Imported first by helpers.ts, before any app module.

// lib/env.ts caches the configuration on its first call, so the secrets the tests sign session
// tokens with must be in place by then.
export const AUTH_SECRET = "boltrail-graphql-tests-auth-secret-0123456789abcdef";
export const APP_ENCRYPTION_KEY = "a1".repeat(32);

process.env.AUTH_SECRET = AUTH_SECRET;
process.env.APP_ENCRYPTION_KEY = APP_ENCRYPTION_KEY;
