import { argon2id } from "hash-wasm";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { v2 as nip44 } from "nostr-tools/nip44";

/**
 * The Rails custody envelope, computed in the client (browser, Web Worker, or Node for tests and
 * scripts): Boltrail never sees the team password, the master key or the symmetric key. Every
 * byte here must match what Rails clients compute, or they cannot decrypt what we stored.
 *
 *   masterKey          = hex(Argon2id(password.trim(), salt = teamId.trim().toLowerCase()))
 *   masterPasswordHash = hex(Argon2id(masterKey as hex text, salt = password.trim()))   → `password_hash`
 *   symmetricKey       = hex(32 random bytes)
 *   encryptedSymmetricKey = NIP-44 v2(symmetricKey as hex text, conversation key = bytes(masterKey))
 *   encrypted macaroon    = NIP-44 v2(macaroon as lowercase hex text, conversation key = bytes(symmetricKey))
 *
 * Argon2id is version 0x13 (RFC 9106), t = 3, m = 64000 KiB, p = 4, 32 bytes, strings as UTF-8
 * (no Unicode normalisation, as the spec gives none: "é" typed as one code point and as e plus a
 * combining accent are two different passwords). Argon2 requires salts of at least 8 bytes, and the password
 * is the salt of the second hash, so a team password has at least 8 bytes of UTF-8 once trimmed.
 *
 * Cost: `deriveTeamKeys` (both hashes) took 0.52–0.59 s in Node 24 on the development machine
 * (2 vCPUs, 4 runs; hash-wasm is single-threaded WASM, so the 4 lanes run one after the other;
 * pure-JS @noble/hashes took 1.2 s for one hash). In headless Chromium on the same machine, via
 * the worker: 0.7–0.9 s (1.7 s the first time, compiling the WASM); expect more on a slow phone.
 * Run it in lib/custody/derive-worker.ts so the page stays responsive. Test vectors: test/custody/vectors.json, checked against a second
 * implementation in test/custody/vectors.test.ts.
 */

export const ARGON2_PARAMS = Object.freeze({
  /** Argon2 version 0x13 (RFC 9106); hash-wasm only implements this version. */
  version: 0x13,
  iterations: 3,
  /** KiB (64000, not 65536). */
  memorySize: 64_000,
  parallelism: 4,
  hashLength: 32,
});

/** NIP-44 v2's plaintext limit (the standard u16 length prefix; nostr-tools also accepts a non-standard longer form). */
const NIP44_MAX_PLAINTEXT_BYTES = 65_535;
/** Argon2's minimum salt length (both hash-wasm and @noble/hashes refuse shorter salts). */
const MIN_SALT_BYTES = 8;

const HEX_32 = /^[0-9a-fA-F]{64}$/;
const utf8 = new TextEncoder();

/** A NIP-44 payload did not authenticate under the key derived from the team password. */
export class DecryptionError extends Error {
  constructor(what = "the team's symmetric key") {
    super(`Could not decrypt ${what}: the team password is probably wrong.`);
    this.name = "DecryptionError";
  }
}

export type DeriveStage = { stage: 1 | 2; of: 2; label: string };
export type TeamKeys = { masterKey: string; masterPasswordHash: string };
export type TeamEnvelope = TeamKeys & { symmetricKey: string; encryptedSymmetricKey: string };

function teamPassword(password: string): string {
  if (typeof password !== "string") throw new TypeError("The team password must be a string.");
  const trimmed = password.trim();
  if (!trimmed) throw new Error("The team password is empty.");
  if (utf8.encode(trimmed).length < MIN_SALT_BYTES) {
    throw new Error(`The team password must be at least ${MIN_SALT_BYTES} characters long (surrounding spaces do not count).`);
  }
  return trimmed;
}

function teamSalt(teamId: string): string {
  if (typeof teamId !== "string") throw new TypeError("The team id must be a string.");
  const salt = teamId.trim().toLowerCase();
  if (!salt) throw new Error("The team id is empty.");
  if (utf8.encode(salt).length < MIN_SALT_BYTES) throw new Error(`The team id must be at least ${MIN_SALT_BYTES} characters long.`);
  return salt;
}

/** A 32-byte key as lowercase hex, or a clear error naming it. */
function key32(value: string, name: string): string {
  if (typeof value !== "string" || !HEX_32.test(value)) {
    throw new Error(`The ${name} must be 64 hexadecimal characters (32 bytes), got ${typeof value === "string" ? `${value.length} characters` : typeof value}.`);
  }
  return value.toLowerCase();
}

async function argon2(password: string, salt: string): Promise<string> {
  const hex = await argon2id({
    password,
    salt,
    iterations: ARGON2_PARAMS.iterations,
    memorySize: ARGON2_PARAMS.memorySize,
    parallelism: ARGON2_PARAMS.parallelism,
    hashLength: ARGON2_PARAMS.hashLength,
    outputType: "hex",
  });
  return hex.toLowerCase();
}

/** masterKey: Argon2id of the trimmed password, salted with the trimmed, lowercased team id. Lowercase hex. */
export async function deriveMasterKey(password: string, teamId: string): Promise<string> {
  return argon2(teamPassword(password), teamSalt(teamId));
}

/** masterPasswordHash (sent as `password_hash`): Argon2id of the master key's hex text, salted with the trimmed password. */
export async function deriveMasterPasswordHash(masterKeyHex: string, password: string): Promise<string> {
  return argon2(key32(masterKeyHex, "master key"), teamPassword(password));
}

/** Both hashes, one after the other; `onStage` is called as each starts (1 of 2, 2 of 2). */
export async function deriveTeamKeys(password: string, teamId: string, onStage?: (stage: DeriveStage) => void): Promise<TeamKeys> {
  const trimmed = teamPassword(password);
  const salt = teamSalt(teamId);
  onStage?.({ stage: 1, of: 2, label: "Deriving the master key" });
  const masterKey = await argon2(trimmed, salt);
  onStage?.({ stage: 2, of: 2, label: "Deriving the master password hash" });
  const masterPasswordHash = await argon2(masterKey, trimmed);
  return { masterKey, masterPasswordHash };
}

/** A new team symmetric key: 32 bytes from the platform CSPRNG, as 64 lowercase hex characters. */
export function generateSymmetricKey(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return bytesToHex(bytes);
}

function encrypt(plaintext: string, keyHex: string): string {
  if (utf8.encode(plaintext).length > NIP44_MAX_PLAINTEXT_BYTES) throw new Error("Too long to encrypt with NIP-44 v2 (at most 65535 bytes).");
  return nip44.encrypt(plaintext, hexToBytes(keyHex));
}

function decrypt(payload: string, keyHex: string, what: string): string {
  if (typeof payload !== "string" || !payload.trim()) throw new Error(`The encrypted ${what} is empty.`);
  try {
    return nip44.decrypt(payload.trim(), hexToBytes(keyHex));
  } catch (error) {
    // A wrong key fails the MAC; anything else means the payload itself is not NIP-44 v2.
    if (error instanceof Error && error.message === "invalid MAC") throw new DecryptionError(`the ${what}`);
    throw new Error(`The encrypted ${what} is not a NIP-44 v2 payload (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/** `encrypted_symmetric_key`: the symmetric key's hex text under NIP-44 v2, conversation key = the master key's 32 bytes. */
export function encryptSymmetricKey(symmetricKeyHex: string, masterKeyHex: string): string {
  return encrypt(key32(symmetricKeyHex, "symmetric key"), key32(masterKeyHex, "master key"));
}

/** The symmetric key (lowercase hex) from `encrypted_symmetric_key`; DecryptionError when the master key (password) is wrong. */
export function decryptSymmetricKey(encrypted: string, masterKeyHex: string): string {
  const plaintext = decrypt(encrypted, key32(masterKeyHex, "master key"), "team's symmetric key");
  if (!HEX_32.test(plaintext)) throw new Error("The encrypted symmetric key decrypted, but not to a 32-byte hex key.");
  return plaintext.toLowerCase();
}

function base64Bytes(text: string): Uint8Array | null {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(standard)) return null;
  try {
    const binary = atob(standard);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * A macaroon as a user pastes it — hex (as `lncli bakemacaroon` prints it, optionally 0x-prefixed)
 * or base64 / base64url (a macaroon file's bytes), whitespace ignored — as lowercase hex. A hex
 * string is read as hex even though it could also be base64 (as lib/lightning/lnd-rest.ts reads
 * it); an odd-length hex string is refused rather than read as base64, since it is almost
 * certainly hex cut short (real base64 macaroons start "AgED", not hex digits).
 */
export function normalizeMacaroonHex(value: string): string {
  if (typeof value !== "string") throw new TypeError("The macaroon must be a string.");
  let text = value.replace(/\s+/g, "");
  if (!text) throw new Error("The macaroon is empty.");
  if (/^0x[0-9a-fA-F]+$/.test(text)) text = text.slice(2);
  let bytes: Uint8Array | null;
  if (/^[0-9a-fA-F]+$/.test(text)) {
    if (text.length % 2 !== 0) throw new Error("The macaroon looks like hex but has an odd number of characters: was it cut short?");
    bytes = hexToBytes(text.toLowerCase());
  } else bytes = base64Bytes(text);
  if (!bytes) throw new Error("The macaroon must be hex (as lncli prints it) or base64 (the macaroon file's contents).");
  if (bytes.length < 32) throw new Error(`That is too short to be a macaroon (${bytes.length} bytes).`);
  if (bytes.length * 2 > NIP44_MAX_PLAINTEXT_BYTES) throw new Error(`That macaroon is too long to encrypt (${bytes.length} bytes; at most 32767).`);
  return bytesToHex(bytes);
}

/** An admin macaroon (hex or base64) as its lowercase hex text under NIP-44 v2, conversation key = the symmetric key's 32 bytes. */
export function encryptMacaroon(macaroon: string, symmetricKeyHex: string): string {
  const key = key32(symmetricKeyHex, "symmetric key");
  return encrypt(normalizeMacaroonHex(macaroon), key);
}

/** The macaroon (lowercase hex) from its NIP-44 payload; DecryptionError when the symmetric key is wrong. */
export function decryptMacaroon(encrypted: string, symmetricKeyHex: string): string {
  const plaintext = decrypt(encrypted, key32(symmetricKeyHex, "symmetric key"), "macaroon");
  if (!/^[0-9a-fA-F]+$/.test(plaintext) || plaintext.length % 2 !== 0) throw new Error("The encrypted macaroon decrypted, but not to hex.");
  return plaintext.toLowerCase();
}

/** Everything a team needs when its password is first set: both hashes, a fresh symmetric key and its envelope. */
export async function newTeamEnvelope(password: string, teamId: string, onStage?: (stage: DeriveStage) => void): Promise<TeamEnvelope> {
  const { masterKey, masterPasswordHash } = await deriveTeamKeys(password, teamId, onStage);
  const symmetricKey = generateSymmetricKey();
  return { masterKey, masterPasswordHash, symmetricKey, encryptedSymmetricKey: encryptSymmetricKey(symmetricKey, masterKey) };
}

/**
 * A password change: the same symmetric key (so stored macaroons stay readable) under the new
 * master key. DecryptionError when `oldMasterKey` is not the one it was encrypted under.
 */
export function rewrapSymmetricKey(encryptedSymmetricKey: string, oldMasterKey: string, newMasterKey: string): string {
  const newKey = key32(newMasterKey, "new master key");
  return encryptSymmetricKey(decryptSymmetricKey(encryptedSymmetricKey, oldMasterKey), newKey);
}
