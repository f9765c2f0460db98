import "server-only";
import { randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now (clock drift): a code is good for up to about 90 s. */
export const TOTP_WINDOW = 1;
const ISSUER = "Boltrail";

/** A fresh 160-bit secret, base32 (what authenticator apps take for manual entry). */
export function newTotpSecret(): string {
  return new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;
}

function totp(secretBase32: string, label = "account"): TOTP {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** The otpauth:// URI of the secret (shown as a QR code). */
export function totpUri(secretBase32: string, email: string): string {
  return totp(secretBase32, email).toString();
}

/** The current time step (number of 30-second periods since 1970). */
export function currentTotpStep(now = Date.now()): number {
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: now });
}

/**
 * The time step whose code `code` is (now ± TOTP_WINDOW steps), or null when it is none of them.
 * Callers refuse a step at or before the last one accepted, so a code works once.
 */
export function matchTotpStep(secretBase32: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secretBase32).validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? null : currentTotpStep(now) + delta;
}
