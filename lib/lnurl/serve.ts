import "server-only";
import { db } from "@/lib/db";
import { AppError } from "../errors";
import { hit } from "../http/rate-limit";
import { issueReceive } from "../transactions/create-receive";
import { walletContext } from "../transactions/wallet-context";
import { addressMetadata, OWN_NAME } from "./protocol";

/** The payee side of LNURL-pay for the wallets' Lightning Addresses (LUD-06, LUD-12, LUD-16). */

export type LnurlReply = { status: number; body: Record<string, unknown> };

/** What one address accepts: 1 sat to 1 BTC, in millisatoshis, and comments of up to 255 characters. */
export const MIN_SENDABLE_MSAT = 1_000;
export const MAX_SENDABLE_MSAT = 100_000_000_000;
export const COMMENT_ALLOWED = 255;
/** Callback requests per address and client, and per address overall, per minute. */
export const CALLBACKS_PER_CLIENT_PER_MINUTE = 30;
export const CALLBACKS_PER_ADDRESS_PER_MINUTE = 600;
const INVOICE_EXPIRY_SECONDS = 600;

const error = (status: number, reason: string): LnurlReply => ({ status, body: { status: "ERROR", reason } });

async function walletFor(name: string) {
  const normalized = name.toLowerCase();
  if (!OWN_NAME.test(normalized)) return null;
  const row = await db.wallet.findUnique({ where: { lightningAddress: normalized }, select: { id: true } });
  const wallet = row ? await walletContext(row.id) : undefined;
  // Addresses receive sats: only BTC wallets have one (set-lightning-address.ts).
  return wallet && wallet.assetType === "BASE_ASSET" ? wallet : null;
}

const unknown = (name: string, host: string) => error(404, `There is no Lightning Address ${name.toLowerCase().slice(0, 64)}@${host} here`);

/** GET /.well-known/lnurlp/<name>: the pay request. `origin` is the scheme and host the request came to. */
export async function servePayRequest(name: string, origin: string): Promise<LnurlReply> {
  const host = new URL(origin).host;
  const wallet = await walletFor(name);
  if (!wallet) return unknown(name, host);
  if (wallet.environmentType !== "SANDBOX" || !wallet.nodeKeyEncrypted) return error(503, "This address cannot receive payments yet: its environment has no Lightning node attached");
  const address = `${name.toLowerCase()}@${host}`;
  return {
    status: 200,
    body: {
      tag: "payRequest",
      callback: `${origin}/api/lnurlp/${encodeURIComponent(name.toLowerCase())}/callback`,
      minSendable: MIN_SENDABLE_MSAT,
      maxSendable: MAX_SENDABLE_MSAT,
      metadata: addressMetadata(address),
      commentAllowed: COMMENT_ALLOWED,
    },
  };
}

/** GET <callback>?amount=<msat>[&comment=…]: a real invoice of the wallet, committing to the metadata. `client`: for the rate limit. */
export async function serveCallback(name: string, origin: string, params: URLSearchParams, client: string): Promise<LnurlReply> {
  const host = new URL(origin).host;
  const wallet = await walletFor(name);
  if (!wallet) return unknown(name, host);
  const address = `${name.toLowerCase()}@${host}`;

  const perClient = await hit(`lnurl:${address}:${client}`, CALLBACKS_PER_CLIENT_PER_MINUTE, 60_000);
  if (!perClient.allowed) return error(429, `Too many invoice requests for ${address}; try again in ${perClient.retryAfterSeconds} s`);
  const perAddress = await hit(`lnurl:${address}`, CALLBACKS_PER_ADDRESS_PER_MINUTE, 60_000);
  if (!perAddress.allowed) return error(429, `Too many invoice requests for ${address}; try again in ${perAddress.retryAfterSeconds} s`);

  const amountText = params.get("amount");
  if (amountText === null || amountText === "") return error(400, "amount is required (millisatoshis)");
  if (!/^\d{1,15}$/.test(amountText)) return error(400, "amount must be a whole number of millisatoshis");
  const amountMsat = Number(amountText);
  if (amountMsat < MIN_SENDABLE_MSAT || amountMsat > MAX_SENDABLE_MSAT) {
    return error(400, `amount must be between ${MIN_SENDABLE_MSAT} and ${MAX_SENDABLE_MSAT} millisatoshis`);
  }
  if (amountMsat % 1000 !== 0) return error(400, "amount must be a whole number of satoshis (a multiple of 1000 millisatoshis)");
  const comment = params.get("comment");
  if (comment !== null && comment.length > COMMENT_ALLOWED) return error(400, `comment must be at most ${COMMENT_ALLOWED} characters`);
  if (wallet.environmentType !== "SANDBOX" || !wallet.nodeKeyEncrypted) return error(503, "This address cannot receive payments yet: its environment has no Lightning node attached");

  const metadata = addressMetadata(address);
  try {
    const receive = await issueReceive(wallet, {
      amount: BigInt(amountMsat / 1000),
      description: comment ? `Payment to ${address}: ${comment}` : `Payment to ${address}`,
      committedDescription: metadata,
      expirySeconds: INVOICE_EXPIRY_SECONDS,
      idempotencyKey: null,
      metadata: { text: JSON.stringify({ lightning_address: address, ...(comment ? { comment } : {}) }), behavior: null },
    });
    return {
      status: 200,
      body: { pr: receive.paymentRequest, routes: [], successAction: { tag: "message", message: `Paid to ${address}` } },
    };
  } catch (err) {
    if (err instanceof AppError && err.code !== "INTERNAL_SERVER_ERROR") return error(400, err.message);
    throw err;
  }
}
