// An independent look at a BOLT11 invoice: fields decoded by `light-bolt11-decoder` (not the
// `bolt11` package that encoded it), the signature checked by OpenSSL (node:crypto) against a
// given public key, and the payee public key *recovered* from (signature, recovery id) with plain
// BigInt secp256k1 arithmetic — no code shared with the signer (`bolt11` / `secp256k1`).
import { createHash, createPublicKey, verify } from "node:crypto";
import { decode } from "light-bolt11-decoder";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

export type IndependentInvoice = {
  prefix: string;
  network: string | undefined;
  millisatoshis: string | null;
  timestamp: number;
  paymentHash: string | undefined;
  paymentSecret: string | undefined;
  description: string | undefined;
  descriptionHash: string | undefined;
  expiry: number | undefined;
  minFinalCltvExpiry: number | undefined;
  featureBits: Record<string, unknown> | undefined;
  /** Tag names in order, e.g. ["payment_hash", "payment_secret", "description", …]. */
  tags: string[];
  /** 64 bytes r‖s, hex. */
  signature: string;
  recoveryId: number;
  /** sha256(utf8(hrp) ‖ data bits before the signature, zero-padded to a byte): what was signed. */
  signedHash: Buffer;
  signedPayload: Buffer;
};

export function decodeIndependently(invoice: string): IndependentInvoice {
  const decoded = decode(invoice);
  const sections = decoded.sections as unknown as { name: string; letters?: string; value?: unknown }[];
  const get = <T>(name: string) => sections.find((s) => s.name === name)?.value as T | undefined;
  const signatureHex = get<string>("signature")!;
  const lower = invoice.toLowerCase();
  const separator = lower.lastIndexOf("1");
  const hrp = lower.slice(0, separator);
  const words = [...lower.slice(separator + 1, -6)].map((c) => {
    const v = CHARSET.indexOf(c);
    if (v < 0) throw new Error(`not a bech32 character: ${c}`);
    return v;
  });
  const payload = Buffer.concat([Buffer.from(hrp, "utf8"), wordsToBytes(words.slice(0, -104))]);
  const tagNames = new Set(["payment_hash", "payment_secret", "description", "payee", "description_hash", "expiry", "min_final_cltv_expiry", "fallback_address", "route_hint", "feature_bits", "metadata", "unknown_tag"]);
  return {
    prefix: hrp,
    network: get<{ bech32: string }>("coin_network")?.bech32,
    millisatoshis: get<string>("amount") ?? null,
    timestamp: get<number>("timestamp")!,
    paymentHash: get<string>("payment_hash"),
    paymentSecret: get<string>("payment_secret"),
    description: get<string>("description"),
    descriptionHash: get<string>("description_hash"),
    expiry: get<number>("expiry"),
    minFinalCltvExpiry: get<number>("min_final_cltv_expiry"),
    featureBits: get<Record<string, unknown>>("feature_bits"),
    tags: sections.filter((s) => tagNames.has(s.name)).map((s) => s.name),
    signature: signatureHex.slice(0, 128),
    recoveryId: parseInt(signatureHex.slice(128, 130), 16),
    signedHash: createHash("sha256").update(payload).digest(),
    signedPayload: payload,
  };
}

/** 5-bit words → bytes, the last byte padded with zero bits (BOLT11 signing rule). */
export function wordsToBytes(words: number[]): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = (acc << 5) | w;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Buffer.from(out);
}

/** OpenSSL's ECDSA verification of the invoice signature under a compressed secp256k1 public key. */
export function verifyWithOpenSsl(inv: IndependentInvoice, compressedPubkeyHex: string): boolean {
  const spki = Buffer.concat([Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex"), Buffer.from(compressedPubkeyHex, "hex")]);
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  return verify("sha256", inv.signedPayload, { key, dsaEncoding: "ieee-p1363" }, Buffer.from(inv.signature, "hex"));
}

// --- secp256k1 public key recovery, from the curve equations -----------------------------------

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
export const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const G: Point = [0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n, 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n];
type Point = [bigint, bigint] | null;

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function invert(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error("not invertible");
  return mod(oldS, m);
}

function powMod(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

// Jacobian coordinates (X, Y, Z) ↦ (X/Z², Y/Z³): no inversion per step. The curve has a = 0.
type Jacobian = [bigint, bigint, bigint] | null;
const toJacobian = (p: Point): Jacobian => (p ? [p[0], p[1], 1n] : null);

function toAffine(p: Jacobian): Point {
  if (!p) return null;
  const zInv = invert(p[2], P);
  const zInv2 = mod(zInv * zInv, P);
  return [mod(p[0] * zInv2, P), mod(p[1] * zInv2 * zInv, P)];
}

function double(p: Jacobian): Jacobian {
  if (!p || p[1] === 0n) return null;
  const [x, y, z] = p;
  const a = mod(x * x, P);
  const b = mod(y * y, P);
  const c = mod(b * b, P);
  const d = mod(2n * (mod((x + b) * (x + b), P) - a - c), P);
  const e = mod(3n * a, P);
  const x3 = mod(e * e - 2n * d, P);
  return [x3, mod(e * (d - x3) - 8n * c, P), mod(2n * y * z, P)];
}

function add(p: Jacobian, q: Jacobian): Jacobian {
  if (!p) return q;
  if (!q) return p;
  const z1z1 = mod(p[2] * p[2], P);
  const z2z2 = mod(q[2] * q[2], P);
  const u1 = mod(p[0] * z2z2, P);
  const u2 = mod(q[0] * z1z1, P);
  const s1 = mod(p[1] * q[2] * z2z2, P);
  const s2 = mod(q[1] * p[2] * z1z1, P);
  const h = mod(u2 - u1, P);
  const r = mod(2n * (s2 - s1), P);
  if (h === 0n) return r === 0n ? double(p) : null;
  const i = mod(4n * h * h, P);
  const j = mod(h * i, P);
  const v = mod(u1 * i, P);
  const x3 = mod(r * r - j - 2n * v, P);
  const y3 = mod(r * (v - x3) - 2n * s1 * j, P);
  const z3 = mod((mod((p[2] + q[2]) * (p[2] + q[2]), P) - z1z1 - z2z2) * h, P);
  return [x3, y3, z3];
}

function multiply(k: bigint, point: Point): Jacobian {
  let result: Jacobian = null;
  let addend = toJacobian(point);
  let n = k;
  while (n > 0n) {
    if (n & 1n) result = add(result, addend);
    addend = double(addend);
    n >>= 1n;
  }
  return result;
}

/** Q = r⁻¹ (s·R − e·G), R the curve point of x = r (+n) with the parity of the recovery id. */
export function recoverPubkey(inv: IndependentInvoice): string {
  const r = BigInt(`0x${inv.signature.slice(0, 64)}`);
  const s = BigInt(`0x${inv.signature.slice(64, 128)}`);
  if (r <= 0n || r >= CURVE_N || s <= 0n || s >= CURVE_N) throw new Error("signature out of range");
  if (inv.recoveryId < 0 || inv.recoveryId > 3) throw new Error(`bad recovery id ${inv.recoveryId}`);
  const x = r + (inv.recoveryId & 2 ? CURVE_N : 0n);
  const alpha = mod(x ** 3n + 7n, P);
  let y = powMod(alpha, (P + 1n) / 4n, P);
  if (mod(y * y, P) !== alpha) throw new Error("r is not the x of a curve point");
  if ((y & 1n) !== BigInt(inv.recoveryId & 1)) y = P - y;
  const e = BigInt(`0x${inv.signedHash.toString("hex")}`);
  const rInv = invert(r, CURVE_N);
  const q = toAffine(add(multiply(mod(s * rInv, CURVE_N), [x, y]), multiply(mod(-e * rInv, CURVE_N), G)));
  if (!q) throw new Error("recovered the point at infinity");
  return (q[1] & 1n ? "03" : "02") + q[0].toString(16).padStart(64, "0");
}

export const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
