import "server-only";
import { createHash, randomBytes } from "node:crypto";
import bolt11 from "bolt11";

/** Regtest: the sandbox network, whose invoices start with `lnbcrt`. */
export const REGTEST = { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };
export const MIN_FINAL_CLTV_EXPIRY = 80;
/** BOLT11's `d` field holds at most 639 bytes; longer descriptions are committed to by hash (`h`). */
const MAX_DESCRIPTION_BYTES = 639;

export type SignedInvoice = { paymentRequest: string; paymentHash: string; preimage: string; paymentSecret: string };

/**
 * A real BOLT11 invoice signed by the node key: payment hash (of a fresh preimage), payment secret,
 * description (or its hash), expiry and min_final_cltv_expiry. Any decoder recovers `pubkey` from it.
 */
export function signInvoice(input: {
  nodePrivateKey: Buffer;
  amountMsat: bigint;
  description: string;
  /** Commit to the description by its SHA-256 (`h`) even when it would fit in `d` (LNURL-pay, LUD-06). */
  hashDescription?: boolean;
  expirySeconds: number;
  timestamp: number;
}): SignedInvoice {
  const preimage = randomBytes(32);
  const paymentHash = createHash("sha256").update(preimage).digest("hex");
  const paymentSecret = randomBytes(32).toString("hex");
  const descriptionTag =
    !input.hashDescription && Buffer.byteLength(input.description, "utf8") <= MAX_DESCRIPTION_BYTES
      ? { tagName: "description", data: input.description }
      : { tagName: "purpose_commit_hash", data: createHash("sha256").update(input.description, "utf8").digest("hex") };
  const unsigned = bolt11.encode({
    network: REGTEST,
    millisatoshis: input.amountMsat.toString(),
    timestamp: input.timestamp,
    tags: [
      { tagName: "payment_hash", data: paymentHash },
      { tagName: "payment_secret", data: paymentSecret },
      descriptionTag,
      { tagName: "expire_time", data: input.expirySeconds },
      { tagName: "min_final_cltv_expiry", data: MIN_FINAL_CLTV_EXPIRY },
    ],
  });
  const signed = bolt11.sign(unsigned, input.nodePrivateKey.toString("hex"));
  if (!signed.paymentRequest) throw new Error("BOLT11 signing produced no payment request");
  return { paymentRequest: signed.paymentRequest, paymentHash, preimage: preimage.toString("hex"), paymentSecret };
}
