import { randomBytes } from "node:crypto";

/** `amb_test_` (sandbox) or `amb_live_` (live) followed by 43 base64url characters (32 bytes). */
export const KEY_PATTERN = /^amb_(test|live)_[A-Za-z0-9_-]{43}$/;
export const KEY_PREFIX_LENGTH = 13;
export const KEY_SUFFIX_LENGTH = 4;

export function keyPrefixFor(type: "SANDBOX" | "LIVE"): "amb_test_" | "amb_live_" {
  return type === "LIVE" ? "amb_live_" : "amb_test_";
}

export function generatePlaintextKey(type: "SANDBOX" | "LIVE"): string {
  return keyPrefixFor(type) + randomBytes(32).toString("base64url");
}

export function displayParts(plaintext: string): { keyPrefix: string; keySuffix: string } {
  return { keyPrefix: plaintext.slice(0, KEY_PREFIX_LENGTH), keySuffix: plaintext.slice(-KEY_SUFFIX_LENGTH) };
}
