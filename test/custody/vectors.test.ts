// The Rails custody envelope, checked bit for bit by a second implementation that shares no code
// with lib/custody/envelope.ts: Argon2id from @noble/hashes (pure JS, not hash-wasm's WASM) and a
// NIP-44 v2 codec written below from the NIP-44 spec (nostr-protocol/nips 44.md) on
// @noble/ciphers' ChaCha20 and @noble/hashes' HKDF/HMAC (not nostr-tools). The vectors
// (test/custody/vectors.json, from make-vectors.ts) were produced by envelope.ts.
import { describe, expect, it } from "vitest";
import { argon2id as nobleArgon2id } from "@noble/hashes/argon2.js";
import { chacha20 } from "@noble/ciphers/chacha.js";
import { extract as hkdfExtract, expand as hkdfExpand } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  ARGON2_PARAMS,
  DecryptionError,
  decryptMacaroon,
  decryptSymmetricKey,
  deriveMasterKey,
  deriveMasterPasswordHash,
  deriveTeamKeys,
  encryptMacaroon,
  encryptSymmetricKey,
  generateSymmetricKey,
  normalizeMacaroonHex,
  rewrapSymmetricKey,
  type DeriveStage,
} from "@/lib/custody/envelope";
import doc from "./vectors.json";

type Vector = (typeof doc.vectors)[number];
const ARGON2_TIMEOUT = 60_000;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const unhex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));
const utf8 = (text: string) => new TextEncoder().encode(text);

// ---- Argon2id, the second implementation ---------------------------------------------------

function argon2idNoble(password: string, salt: string): string {
  return hex(nobleArgon2id(utf8(password), utf8(salt), { t: 3, m: 64_000, p: 4, dkLen: 32, version: 0x13 }));
}

// ---- NIP-44 v2, the second implementation (from the spec's pseudocode) ---------------------

function calcPaddedLen(unpaddedLen: number): number {
  if (unpaddedLen <= 32) return 32;
  const nextPower = 1 << (Math.floor(Math.log2(unpaddedLen - 1)) + 1);
  const chunk = nextPower <= 256 ? 32 : nextPower / 8;
  return chunk * (Math.floor((unpaddedLen - 1) / chunk) + 1);
}

/** get_conversation_key after the ECDH: HKDF-extract(IKM = shared_x, salt = "nip44-v2"). */
function conversationKeyFromSharedX(sharedX: Uint8Array): Uint8Array {
  return hkdfExtract(sha256, sharedX, utf8("nip44-v2"));
}

function messageKeys(conversationKey: Uint8Array, nonce: Uint8Array) {
  if (conversationKey.length !== 32) throw new Error("invalid conversation_key length");
  if (nonce.length !== 32) throw new Error("invalid nonce length");
  const keys = hkdfExpand(sha256, conversationKey, nonce, 76);
  return { chachaKey: keys.slice(0, 32), chachaNonce: keys.slice(32, 44), hmacKey: keys.slice(44, 76) };
}

function hmacAad(key: Uint8Array, message: Uint8Array, aad: Uint8Array): Uint8Array {
  if (aad.length !== 32) throw new Error("AAD associated data must be 32 bytes");
  return hmac(sha256, key, new Uint8Array([...aad, ...message]));
}

function equalCt(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function decodePayload(payload: string) {
  if (payload.length === 0 || payload[0] === "#") throw new Error("unknown version");
  if (payload.length < 132 || payload.length > 87_472) throw new Error("invalid payload size");
  const data = new Uint8Array(Buffer.from(payload, "base64"));
  if (Buffer.from(data).toString("base64") !== payload) throw new Error("invalid base64");
  if (data.length < 99 || data.length > 65_603) throw new Error("invalid data size");
  if (data[0] !== 2) throw new Error(`unknown version ${data[0]}`);
  return { nonce: data.slice(1, 33), ciphertext: data.slice(33, data.length - 32), mac: data.slice(data.length - 32) };
}

function specDecrypt(payload: string, conversationKey: Uint8Array): string {
  const { nonce, ciphertext, mac } = decodePayload(payload);
  const { chachaKey, chachaNonce, hmacKey } = messageKeys(conversationKey, nonce);
  if (!equalCt(hmacAad(hmacKey, ciphertext, nonce), mac)) throw new Error("invalid MAC");
  const padded = chacha20(chachaKey, chachaNonce, ciphertext);
  const unpaddedLen = (padded[0] << 8) | padded[1];
  const unpadded = padded.slice(2, 2 + unpaddedLen);
  if (unpaddedLen === 0 || unpadded.length !== unpaddedLen || padded.length !== 2 + calcPaddedLen(unpaddedLen)) throw new Error("invalid padding");
  return new TextDecoder("utf-8", { fatal: true }).decode(unpadded);
}

function specEncrypt(plaintext: string, conversationKey: Uint8Array, nonce: Uint8Array): string {
  const unpadded = utf8(plaintext);
  if (unpadded.length < 1 || unpadded.length > 65_535) throw new Error("invalid plaintext length");
  const padded = new Uint8Array(2 + calcPaddedLen(unpadded.length));
  padded[0] = unpadded.length >> 8;
  padded[1] = unpadded.length & 0xff;
  padded.set(unpadded, 2);
  const { chachaKey, chachaNonce, hmacKey } = messageKeys(conversationKey, nonce);
  const ciphertext = chacha20(chachaKey, chachaNonce, padded);
  const mac = hmacAad(hmacKey, ciphertext, nonce);
  return Buffer.from(new Uint8Array([2, ...nonce, ...ciphertext, ...mac])).toString("base64");
}

/** Decrypts with the spec codec, and re-encrypts under the payload's own nonce: byte-identical or the encoder differs. */
function specOpen(payload: string, keyHex: string): string {
  const key = unhex(keyHex);
  const plaintext = specDecrypt(payload, key);
  expect(specEncrypt(plaintext, key, decodePayload(payload).nonce)).toBe(payload);
  return plaintext;
}

// ---- the checks ------------------------------------------------------------------------------

describe("the second implementation itself", () => {
  it("NIP-44 v2 codec reproduces the spec's example vector", () => {
    // 44.md: sec1 = 1, sec2 = 2. With sec1 = 1 the ECDH shared point is pub2 itself (2·G), whose
    // x coordinate is c6047f…ee5, so the conversation key is checked without an ECDH library.
    const sharedX = unhex("c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5");
    const conversationKey = conversationKeyFromSharedX(sharedX);
    expect(hex(conversationKey)).toBe("c41c775356fd92eadc63ff5a0dc1da211b268cbea22316767095b2871ea1412d");
    const payload = "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABee0G5VSK0/9YypIObAtDKfYEAjD35uVkHyB0F4DwrcNaCXlCWZKaArsGrY6M9wnuTMxWfp1RTN9Xga8no+kF5Vsb";
    expect(specDecrypt(payload, conversationKey)).toBe("a");
    expect(specEncrypt("a", conversationKey, unhex("00".repeat(31) + "01"))).toBe(payload);
    // Padding, as in the spec's calc_padded_len vectors.
    const padding: [number, number][] = [[16, 32], [32, 32], [33, 64], [64, 64], [65, 96], [100, 128], [200, 224], [250, 256], [320, 320], [383, 384], [384, 384], [400, 448], [500, 512], [512, 512], [515, 640], [700, 768], [800, 896], [900, 1024], [1020, 1024], [65_536, 65_536]];
    for (const [len, padded] of padding) expect(calcPaddedLen(len), `calc_padded_len(${len})`).toBe(padded);
  });

  it("@noble/hashes Argon2id reproduces RFC 9106's Argon2id test vector (§5.3)", () => {
    const tag = nobleArgon2id(new Uint8Array(32).fill(1), new Uint8Array(16).fill(2), {
      t: 3,
      m: 32,
      p: 4,
      dkLen: 32,
      version: 0x13,
      key: new Uint8Array(8).fill(3),
      personalization: new Uint8Array(12).fill(4),
    });
    expect(hex(tag)).toBe("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  });
});

describe("the vectors", () => {
  it("cover the cases they claim, with the parameters of envelope.ts", () => {
    expect(doc.argon2).toEqual({ type: "argon2id", ...ARGON2_PARAMS });
    expect(ARGON2_PARAMS).toEqual({ version: 0x13, iterations: 3, memorySize: 64_000, parallelism: 4, hashLength: 32 });
    const vectors: Vector[] = doc.vectors;
    expect(vectors.length).toBeGreaterThanOrEqual(3);
    expect(vectors.some((v) => v.password !== v.password.trim() && /[^\x00-\x7f]/.test(v.password))).toBe(true);
    expect(vectors.some((v) => v.team_id !== v.team_id.trim() && v.team_id !== v.team_id.toLowerCase())).toBe(true);
    for (const v of vectors) {
      expect(v.password.normalize("NFC")).toBe(v.password);
      for (const key of [v.master_key, v.master_password_hash, v.symmetric_key]) expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(v.macaroon_hex).toMatch(/^(?:[0-9a-f]{2})+$/);
    }
  });

  describe.each(doc.vectors.map((v, i) => [i, v] as const))("vector %i", (_i, v: Vector) => {
    it(
      "the second implementation derives both hashes and opens both envelopes",
      () => {
        const password = v.password.trim();
        expect(argon2idNoble(password, v.team_id.trim().toLowerCase())).toBe(v.master_key);
        expect(argon2idNoble(v.master_key, password)).toBe(v.master_password_hash);
        expect(specOpen(v.encrypted_symmetric_key, v.master_key)).toBe(v.symmetric_key);
        expect(specOpen(v.encrypted_macaroon, v.symmetric_key)).toBe(v.macaroon_hex);
      },
      ARGON2_TIMEOUT,
    );

    it(
      "envelope.ts reproduces the hashes, reports its stages and opens both envelopes",
      async () => {
        const stages: DeriveStage[] = [];
        const keys = await deriveTeamKeys(v.password, v.team_id, (s) => stages.push(s));
        expect(keys).toEqual({ masterKey: v.master_key, masterPasswordHash: v.master_password_hash });
        expect(stages.map((s) => `${s.stage}/${s.of}`)).toEqual(["1/2", "2/2"]);
        expect(stages.every((s) => s.label.length > 0)).toBe(true);
        expect(decryptSymmetricKey(v.encrypted_symmetric_key, v.master_key)).toBe(v.symmetric_key);
        expect(decryptMacaroon(v.encrypted_macaroon, v.symmetric_key)).toBe(v.macaroon_hex);
      },
      ARGON2_TIMEOUT,
    );
  });
});

describe("envelope.ts output", () => {
  const v: Vector = doc.vectors[0];

  it(
    "a wrong password fails to decrypt with DecryptionError",
    async () => {
      expect(await deriveMasterKey(v.password, v.team_id)).toBe(v.master_key);
      const wrong = await deriveMasterKey(v.password + "x", v.team_id);
      expect(() => decryptSymmetricKey(v.encrypted_symmetric_key, wrong)).toThrow(DecryptionError);
      expect(() => decryptSymmetricKey(v.encrypted_symmetric_key, wrong)).toThrow(/team password is probably wrong/);
      // The same password under another team id is another master key.
      const otherTeam = await deriveMasterKey(v.password, doc.vectors[1].team_id);
      expect(() => decryptSymmetricKey(v.encrypted_symmetric_key, otherTeam)).toThrow(DecryptionError);
      expect(() => decryptMacaroon(v.encrypted_macaroon, generateSymmetricKey())).toThrow(DecryptionError);
    },
    ARGON2_TIMEOUT,
  );

  it("new envelopes open with the second implementation; a rewrap keeps the symmetric key", () => {
    const symmetricKey = generateSymmetricKey();
    expect(symmetricKey).toMatch(/^[0-9a-f]{64}$/);
    expect(generateSymmetricKey()).not.toBe(symmetricKey);
    const wrapped = encryptSymmetricKey(symmetricKey.toUpperCase(), v.master_key);
    expect(specDecrypt(wrapped, unhex(v.master_key))).toBe(symmetricKey);

    const macaroon = encryptMacaroon(v.macaroon_hex.toUpperCase(), symmetricKey);
    expect(specDecrypt(macaroon, unhex(symmetricKey))).toBe(v.macaroon_hex);

    const newMasterKey = generateSymmetricKey(); // any 32-byte key stands in for a new password's master key
    const rewrapped = rewrapSymmetricKey(v.encrypted_symmetric_key, v.master_key, newMasterKey);
    expect(rewrapped).not.toBe(v.encrypted_symmetric_key);
    expect(specDecrypt(rewrapped, unhex(newMasterKey))).toBe(v.symmetric_key);
    expect(() => decryptSymmetricKey(rewrapped, v.master_key)).toThrow(DecryptionError);
    expect(decryptMacaroon(v.encrypted_macaroon, decryptSymmetricKey(rewrapped, newMasterKey))).toBe(v.macaroon_hex);
    expect(() => rewrapSymmetricKey(v.encrypted_symmetric_key, newMasterKey, v.master_key)).toThrow(DecryptionError);
  });

  it("macaroons are normalised to lowercase hex from hex or base64", () => {
    const bytes = Buffer.from(v.macaroon_hex, "hex");
    expect(normalizeMacaroonHex(v.macaroon_hex)).toBe(v.macaroon_hex);
    expect(normalizeMacaroonHex(`  ${v.macaroon_hex.toUpperCase()}\n`)).toBe(v.macaroon_hex);
    expect(normalizeMacaroonHex(`0x${v.macaroon_hex}`)).toBe(v.macaroon_hex);
    expect(normalizeMacaroonHex(bytes.toString("base64"))).toBe(v.macaroon_hex);
    expect(normalizeMacaroonHex(bytes.toString("base64url"))).toBe(v.macaroon_hex);
    const wrapped = bytes.toString("base64").replace(/.{64}/g, "$&\n");
    expect(normalizeMacaroonHex(wrapped)).toBe(v.macaroon_hex);

    expect(() => normalizeMacaroonHex("")).toThrow(/empty/);
    expect(() => normalizeMacaroonHex("not a macaroon!")).toThrow(/hex .* or base64/);
    expect(() => normalizeMacaroonHex(v.macaroon_hex.slice(0, -1))).toThrow(/odd number/);
    expect(() => normalizeMacaroonHex("0201036c6e64")).toThrow(/too short/);
    expect(() => normalizeMacaroonHex("AgEDbG5k")).toThrow(/too short/);
    expect(() => encryptMacaroon("not a macaroon!", v.symmetric_key)).toThrow(/hex .* or base64/);
  });

  it("bad inputs are refused with clear messages", async () => {
    await expect(deriveMasterKey("   ", v.team_id)).rejects.toThrow(/password is empty/);
    await expect(deriveTeamKeys("", v.team_id)).rejects.toThrow(/password is empty/);
    await expect(deriveMasterKey(" short ", v.team_id)).rejects.toThrow(/at least 8 characters/);
    await expect(deriveMasterKey(v.password, "  ")).rejects.toThrow(/team id is empty/);
    await expect(deriveMasterPasswordHash("abc", v.password)).rejects.toThrow(/master key must be 64 hexadecimal characters/);
    expect(() => encryptSymmetricKey("zz".repeat(32), v.master_key)).toThrow(/symmetric key must be 64 hexadecimal/);
    expect(() => encryptSymmetricKey(v.symmetric_key, v.master_key.slice(2))).toThrow(/master key must be 64 hexadecimal characters .*62 characters/);
    expect(() => decryptSymmetricKey("", v.master_key)).toThrow(/is empty/);
    const notNip44 = () => decryptSymmetricKey("not a payload", v.master_key);
    expect(notNip44).toThrow(/not a NIP-44 v2 payload/);
    expect(notNip44).not.toThrow(DecryptionError);
    expect(() => decryptMacaroon(v.encrypted_macaroon, "00")).toThrow(/symmetric key must be 64 hexadecimal/);
  });
});
