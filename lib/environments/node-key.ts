import "server-only";
import { randomBytes } from "node:crypto";
import secp256k1 from "secp256k1";
import { decryptSecret, encryptSecret } from "../crypto";

/** A fresh secp256k1 key for a sandbox environment's simulated node, sealed for storage. */
export function generateNodeKey(): { pubkey: string; sealedPrivateKey: string } {
  let privateKey: Buffer;
  do privateKey = randomBytes(32);
  while (!secp256k1.privateKeyVerify(privateKey));
  const pubkey = Buffer.from(secp256k1.publicKeyCreate(privateKey, true)).toString("hex");
  return { pubkey, sealedPrivateKey: encryptSecret(privateKey) };
}

export function openNodeKey(sealed: string): Buffer {
  return decryptSecret(sealed);
}
