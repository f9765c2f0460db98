// Imported first by every test file here, before any app module: lib/env.ts caches the
// configuration on its first call. Sandbox invoices never settle by themselves in these tests.
export const AUTH_SECRET = "boltrail-live-events-tests-secret-0123456789";
process.env.AUTH_SECRET = AUTH_SECRET;
process.env.APP_ENCRYPTION_KEY = "d4".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";
