// Shared fixtures of the sending tests: funding a sandbox wallet, invoices of other nodes (signed
// here with throwaway keys, on any network), altered invoices, and the wallet's ledger as stored.
import { randomBytes } from "node:crypto";
import bech32 from "bech32";
import bolt11 from "bolt11";
import { expect } from "vitest";
import { db } from "@/lib/db";
import { createReceive } from "@/lib/transactions/create-receive";
import { simulateSandboxOutcome } from "@/lib/transactions/simulate";
import type { Team } from "../receive/helpers";

/** create_send selecting what the tests check. */
export const CREATE_SEND = /* GraphQL */ `mutation Send($input: CreateSendTransactionInput!) {
  payment { transaction { create_send(input: $input) {
    id status direction wallet_id payment_request payment_hash fee fee_reserve payment_preimage
    lightning_address success_action { tag message url description } counterpart_id
    idempotency_key metadata description amount_sats exchange_rate error expires_at settled_at
    amount { full_amount } settle_amount { full_amount } asset { symbol }
    events { event_type message }
  } } }
}`;

/** A receive of `amount` settled into the wallet (the dashboard's "settle" button). */
export async function fund(team: Team, walletId: string, amount: string): Promise<void> {
  const receive = await createReceive(team.actor, { wallet_id: walletId, amount, description: "funding" });
  await simulateSandboxOutcome(team.actor, receive.id, "settle");
}

/** An open invoice of `walletId` (a pending receive) to be paid by another wallet. */
export async function openInvoice(team: Team, walletId: string, amount: string, extra: Record<string, unknown> = {}) {
  const receive = await createReceive(team.actor, { wallet_id: walletId, amount, description: "an order", metadata: JSON.stringify({ amb_sandbox_behavior: "expire" }), expires_in_seconds: 3600, ...extra });
  return { ...receive, paymentRequest: receive.paymentRequest!, paymentHash: receive.paymentHash! };
}

type Network = { bech32: string; pubKeyHash: number; scriptHash: number; validWitnessVersions: number[] };
const NETWORKS: Record<"regtest" | "testnet" | "signet" | "mainnet", Network> = {
  regtest: { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  testnet: { bech32: "tb", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  signet: { bech32: "tbs", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  mainnet: { bech32: "bc", pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
};

/** An invoice of some other node (a fresh key), as a real node would sign it. */
export function foreignInvoice(options: {
  network?: keyof typeof NETWORKS;
  amountMsat?: bigint | null;
  description?: string;
  descriptionHash?: string;
  expirySeconds?: number;
  timestamp?: number;
  /** Also write the payee's key in an `n` tag (then a wrong signature is detectable). */
  withPayeeKey?: boolean;
  paymentHash?: string;
}): { paymentRequest: string; paymentHash: string; payeeKey: string } {
  const key = randomBytes(32);
  const paymentHash = options.paymentHash ?? randomBytes(32).toString("hex");
  const tags: { tagName: string; data: unknown }[] = [
    { tagName: "payment_hash", data: paymentHash },
    { tagName: "payment_secret", data: randomBytes(32).toString("hex") },
    options.descriptionHash ? { tagName: "purpose_commit_hash", data: options.descriptionHash } : { tagName: "description", data: options.description ?? "coffee" },
    { tagName: "expire_time", data: options.expirySeconds ?? 3600 },
    { tagName: "min_final_cltv_expiry", data: 80 },
  ];
  const unsigned = bolt11.encode({
    network: NETWORKS[options.network ?? "regtest"],
    ...(options.amountMsat === null ? {} : { millisatoshis: (options.amountMsat ?? BigInt(50_000_000)).toString() }),
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    tags,
  } as Parameters<typeof bolt11.encode>[0]);
  const signed = bolt11.sign(unsigned, key.toString("hex"));
  let paymentRequest = signed.paymentRequest!;
  if (options.withPayeeKey) {
    const withKey = bolt11.encode({ ...unsigned, tags: [...tags, { tagName: "payee_node_key", data: signed.payeeNodeKey }] } as Parameters<typeof bolt11.encode>[0]);
    paymentRequest = bolt11.sign(withKey, key.toString("hex")).paymentRequest!;
  }
  return { paymentRequest, paymentHash, payeeKey: signed.payeeNodeKey! };
}

/** The invoice with one 5-bit word of its signature changed and the bech32 checksum recomputed. */
export function tamperSignature(paymentRequest: string): string {
  const { prefix, words } = bech32.decode(paymentRequest, 10_000);
  const changed = [...words];
  const at = changed.length - 60; // inside the 104 words of r‖s‖recovery
  changed[at] = (changed[at] + 1) % 32;
  return bech32.encode(prefix, changed, 10_000);
}

/** The invoice with a changed amount (a different human-readable part), checksum recomputed, signature kept. */
export function withAmount(paymentRequest: string, hrpAmount: string): string {
  const { prefix, words } = bech32.decode(paymentRequest, 10_000);
  const network = prefix.match(/^ln(bcrt|bc|tbs|tb)/)![0];
  return bech32.encode(`${network}${hrpAmount}`, words, 10_000);
}

/** The wallet's ledger, as stored. */
export async function ledger(walletId: string) {
  const w = await db.wallet.findUniqueOrThrow({ where: { id: walletId }, select: { received: true, sent: true, reserved: true } });
  return { ...w, available: w.received - w.sent - w.reserved };
}

/**
 * The wallet's ledger balances to the unit with its transactions: received = its settled receives,
 * sent = its completed sends (amount + fee), reserved = what its pending sends hold, and
 * received = available + sent + reserved with nothing negative. Returns the ledger.
 */
export async function balanced(walletId: string) {
  const l = await ledger(walletId);
  expect(l.available >= BigInt(0) && l.reserved >= BigInt(0)).toBe(true);
  expect(l.received).toBe(l.available + l.sent + l.reserved);
  const rows = await db.transaction.findMany({ where: { walletId }, select: { direction: true, status: true, amount: true, fee: true, settleAmount: true, reserved: true } });
  const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, BigInt(0));
  const sends = rows.filter((t) => t.direction === "SEND");
  expect(l.sent).toBe(sum(sends.filter((t) => t.status === "COMPLETED").map((t) => t.amount + t.fee)));
  expect(l.reserved).toBe(sum(sends.filter((t) => t.status === "PENDING").map((t) => t.reserved)));
  expect(l.received).toBe(sum(rows.filter((t) => t.direction === "RECEIVE" && t.status === "COMPLETED").map((t) => t.settleAmount!)));
  return l;
}
