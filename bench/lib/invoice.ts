// BOLT11 signing as the app does it (lib/lightning/bolt11.ts signInvoice, which is server-only and
// cannot be imported here): the `bolt11` package's encode + sign with the node's secp256k1 key on
// regtest, with payment hash (of a fresh preimage), payment secret, description, expiry and
// min_final_cltv_expiry tags. Keep in step with that module.
import { createHash, randomBytes } from "node:crypto";
import bolt11 from "bolt11";

export const REGTEST = { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };
export const MIN_FINAL_CLTV_EXPIRY = 80;

export type SignedInvoice = { paymentRequest: string; paymentHash: string; preimage: string; paymentSecret: string };

export function signInvoice(input: {
  nodePrivateKey: Buffer;
  amountMsat: bigint;
  description: string;
  expirySeconds: number;
  timestamp: number;
}): SignedInvoice {
  const preimage = randomBytes(32);
  const paymentHash = createHash("sha256").update(preimage).digest("hex");
  const paymentSecret = randomBytes(32).toString("hex");
  const unsigned = bolt11.encode({
    network: REGTEST,
    millisatoshis: input.amountMsat.toString(),
    timestamp: input.timestamp,
    tags: [
      { tagName: "payment_hash", data: paymentHash },
      { tagName: "payment_secret", data: paymentSecret },
      { tagName: "description", data: input.description },
      { tagName: "expire_time", data: input.expirySeconds },
      { tagName: "min_final_cltv_expiry", data: MIN_FINAL_CLTV_EXPIRY },
    ],
  });
  const signed = bolt11.sign(unsigned, input.nodePrivateKey.toString("hex"));
  if (!signed.paymentRequest) throw new Error("BOLT11 signing produced no payment request");
  return { paymentRequest: signed.paymentRequest, paymentHash, preimage: preimage.toString("hex"), paymentSecret };
}

/** The payee public key (hex) a decoder recovers from the invoice's signature. */
export function payeeOf(paymentRequest: string): string | undefined {
  return bolt11.decode(paymentRequest).payeeNodeKey;
}
