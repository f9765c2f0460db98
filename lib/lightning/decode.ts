/**
 * Reading a BOLT11 invoice someone asks Boltrail to pay: bech32 checksum, the signature (recovered
 * key, or checked against the `n` tag when present; low-S only, as BOLT11 requires), the network,
 * the amount, the payment hash, the description (or its hash) and the expiry. Decoding is done by
 * the `bolt11` package (the same one that signs Boltrail's invoices); this module turns its
 * exceptions into reasons a payer can act on. Pure: no database, no server-only.
 */
import { createHash } from "node:crypto";
import bolt11 from "bolt11";

export type InvoiceNetwork = "mainnet" | "testnet" | "signet" | "regtest";

type Bolt11Network = { bech32: string; pubKeyHash: number; scriptHash: number; validWitnessVersions: number[] };

// bech32 prefixes after "ln", longest first (lnbcrt before lnbc, lntbs before lntb).
const NETWORKS: { prefix: string; network: InvoiceNetwork; params: Bolt11Network }[] = [
  { prefix: "bcrt", network: "regtest", params: { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] } },
  { prefix: "bc", network: "mainnet", params: { bech32: "bc", pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] } },
  { prefix: "tbs", network: "signet", params: { bech32: "tbs", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] } },
  { prefix: "tb", network: "testnet", params: { bech32: "tb", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] } },
];

/** BOLT11's default expiry when the invoice has no `x` tag. */
const DEFAULT_EXPIRY_SECONDS = 3600;
// Half the order of secp256k1: a signature's s must not exceed it (low-S).
const HALF_ORDER = BigInt("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");

export type DecodedInvoice = {
  /** Lowercase, without any `lightning:` prefix. */
  paymentRequest: string;
  network: InvoiceNetwork;
  /** null: the invoice leaves the amount to the payer. */
  amountMsat: bigint | null;
  paymentHash: string;
  description: string | null;
  descriptionHash: string | null;
  /** The payee's node key (from `n`, or recovered from the signature). */
  payeePubkey: string;
  createdAt: Date;
  expiresAt: Date;
};

export type DecodeResult = { ok: true; invoice: DecodedInvoice } | { ok: false; reason: string };

/** Strips whitespace and a `lightning:` URI scheme (any case), as wallets and QR codes write it. */
export function normalizeInvoiceText(text: string): string {
  let value = text.trim();
  if (/^lightning:/i.test(value)) value = value.slice("lightning:".length);
  if (value.startsWith("//")) value = value.slice(2);
  return value.toLowerCase();
}

export function decodeInvoice(text: string): DecodeResult {
  const paymentRequest = normalizeInvoiceText(text);
  if (paymentRequest === "") return { ok: false, reason: "is empty; paste a BOLT11 invoice (lnbc…, lntb…, lntbs… or lnbcrt…)" };
  if (!paymentRequest.startsWith("ln")) return { ok: false, reason: "is not a BOLT11 invoice: it must start with ln (lnbc…, lntb…, lntbs… or lnbcrt…)" };
  if (paymentRequest.length > 7089) return { ok: false, reason: "is too long to be a BOLT11 invoice" };
  const separator = paymentRequest.lastIndexOf("1");
  const hrp = separator > 0 ? paymentRequest.slice(0, separator) : "";
  const entry = NETWORKS.find((n) => new RegExp(`^ln${n.prefix}(\\d+[munp]?)?$`).test(hrp));
  if (!entry) return { ok: false, reason: `is not a BOLT11 invoice of a known Bitcoin network (prefix "${hrp.slice(0, 20) || paymentRequest.slice(0, 8)}")` };

  let decoded: ReturnType<typeof bolt11.decode>;
  try {
    decoded = bolt11.decode(paymentRequest, entry.params);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/checksum|invalid character|mixed-case|too short|exceeds length|invalid separator|non-zero padding|excess padding/i.test(message)) {
      return { ok: false, reason: "is not a valid BOLT11 invoice: its bech32 checksum does not match (a character was changed, added or left out)" };
    }
    if (/unknown character/i.test(message)) {
      return { ok: false, reason: "is not a valid BOLT11 invoice: it contains a character that cannot appear in one (only letters and digits of the bech32 alphabet)" };
    }
    if (/signature|pubkey|recover|ecdsa/i.test(message)) {
      return { ok: false, reason: "has an invalid signature: it was not signed by the node it names (the invoice was altered)" };
    }
    return { ok: false, reason: `is not a valid BOLT11 invoice (${message.slice(0, 120)})` };
  }

  const s = BigInt(`0x${decoded.signature!.slice(64, 128)}`);
  if (s > HALF_ORDER) return { ok: false, reason: "has an invalid signature (not in low-S form, as BOLT11 requires)" };

  const tag = (name: string) => decoded.tags.find((t) => t.tagName === name)?.data;
  const paymentHash = tag("payment_hash");
  if (typeof paymentHash !== "string" || !/^[0-9a-f]{64}$/.test(paymentHash)) return { ok: false, reason: "has no payment hash" };
  const description = tag("description");
  const descriptionHash = tag("purpose_commit_hash");
  const expiry = tag("expire_time");
  const timestamp = decoded.timestamp ?? 0;
  const expirySeconds = typeof expiry === "number" ? expiry : DEFAULT_EXPIRY_SECONDS;
  const msat = decoded.millisatoshis;
  return {
    ok: true,
    invoice: {
      paymentRequest,
      network: entry.network,
      amountMsat: msat === null || msat === undefined ? null : BigInt(msat),
      paymentHash,
      description: typeof description === "string" ? description : null,
      descriptionHash: typeof descriptionHash === "string" ? descriptionHash : null,
      payeePubkey: decoded.payeeNodeKey!,
      createdAt: new Date(timestamp * 1000),
      expiresAt: new Date((timestamp + expirySeconds) * 1000),
    },
  };
}

export const sha256Hex = (value: string | Buffer) => createHash("sha256").update(value).digest("hex");
