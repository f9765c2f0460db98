import "server-only";
import { db } from "@/lib/db";
import { notFound } from "../errors";
import { usdValue } from "../assets/prices";
import { formatFraction } from "../money";
import { checkId } from "../validation";

export type CheckoutView = {
  id: string;
  status: "PENDING" | "COMPLETED" | "FAILED" | "EXPIRED";
  amount: bigint;
  asset: { symbol: string; precision: number };
  /** The USD price of a USD-priced invoice, else the amount's value at the current price. */
  usdValue: string;
  usdPriced: boolean;
  amountSats: bigint;
  paymentRequest: string;
  description: string | null;
  expiresAt: Date | null;
  sandbox: boolean;
  merchant: string;
  successUrl: string | null;
};

/** metadata.success_url when it is an absolute http(s) URL without credentials, else null. */
export function successUrlFrom(metadata: string | null): string | null {
  if (!metadata) return null;
  try {
    const value = (JSON.parse(metadata) as Record<string, unknown>).success_url;
    if (typeof value !== "string") return null;
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password ? url.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The public hosted checkout of an invoice (DESIGN.md §6): anyone holding the unguessable
 * transaction id sees what a payer needs, and nothing else (no wallet, metadata or balances).
 */
export async function getCheckout(transactionId: string): Promise<CheckoutView> {
  const row = await db.transaction.findFirst({
    where: { id: checkId(transactionId, "Checkout"), direction: "RECEIVE" },
    select: {
      id: true,
      status: true,
      amount: true,
      amountSats: true,
      paymentRequest: true,
      description: true,
      expiresAt: true,
      metadata: true,
      pricedUsdCents: true,
      asset: { select: { symbol: true, precision: true, type: true } },
      environment: { select: { type: true, team: { select: { name: true } } } },
    },
  });
  if (!row || !row.paymentRequest) throw notFound("Checkout");
  return {
    id: row.id,
    status: row.status,
    amount: row.amount,
    asset: { symbol: row.asset.symbol, precision: row.asset.precision },
    usdValue: row.pricedUsdCents !== null ? formatFraction(row.pricedUsdCents, BigInt(100), 2) : usdValue(row.amount, row.asset.precision, row.asset.symbol),
    usdPriced: row.pricedUsdCents !== null,
    amountSats: row.asset.type === "BASE_ASSET" ? row.amount : (row.amountSats ?? BigInt(0)),
    paymentRequest: row.paymentRequest,
    description: row.description,
    expiresAt: row.expiresAt,
    sandbox: row.environment.type === "SANDBOX",
    merchant: row.environment.team.name,
    successUrl: successUrlFrom(row.metadata),
  };
}

export async function getCheckoutStatus(transactionId: string): Promise<CheckoutView["status"]> {
  return (await getCheckout(transactionId)).status;
}
