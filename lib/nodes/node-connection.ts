import "server-only";
import { decryptSecret } from "../crypto";
import { env } from "../env";
import type { LndCallOptions, LndConnection } from "../lightning/lnd-rest";
import { parseAllowlist, type Allowlist } from "../webhooks/url-policy";

let cached: { source: string[]; matcher: Allowlist } | null = null;

/** NODE_URL_ALLOWLIST, parsed once per process. */
export function nodeAllowlist(): Allowlist {
  const source = env().NODE_URL_ALLOWLIST;
  if (!cached || cached.source !== source) cached = { source, matcher: parseAllowlist(source) };
  return cached.matcher;
}

export const callOptions = (extra: Partial<LndCallOptions> = {}): LndCallOptions => ({ allowlist: nodeAllowlist(), ...extra });

/** The stored columns a connection is opened from. */
export type SealedNode = { id: string; restUrl: string; tlsCertEncrypted: string | null; macaroonEncrypted: string };

const opened = new Map<string, LndConnection>();

/** The node's REST connection, its secrets opened (kept per sealed value: an entry never goes stale). */
export function connectionOf(node: SealedNode): LndConnection {
  const key = `${node.restUrl}\u0000${node.tlsCertEncrypted ?? ""}\u0000${node.macaroonEncrypted}`;
  let conn = opened.get(key);
  if (!conn) {
    conn = {
      restUrl: node.restUrl,
      tlsCertPem: node.tlsCertEncrypted ? decryptSecret(node.tlsCertEncrypted).toString("utf8") : null,
      macaroonHex: decryptSecret(node.macaroonEncrypted).toString("utf8"),
    };
    if (opened.size >= 1_000) opened.clear();
    opened.set(key, conn);
  }
  return conn;
}

/** LND's r_hash (base64 bytes in JSON) → hex. */
export const hashHex = (rHash: string) => Buffer.from(rHash.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("hex");

/** LND's getinfo answer, the fields Boltrail reads. */
export type LndInfo = {
  identity_pubkey: string;
  alias: string;
  synced_to_chain: boolean;
  block_height: number;
  chains: { chain: string; network: string }[];
};

/** LND's Invoice message, the fields Boltrail reads. */
export type LndInvoice = {
  r_hash: string;
  payment_request: string;
  state: "OPEN" | "SETTLED" | "CANCELED" | "ACCEPTED";
  add_index: string;
  settle_index: string;
  amt_paid_msat: string;
  value_msat: string;
};
