import "server-only";
import { db, type Prisma } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { centsToDecimal } from "../assets/convert";
import { displayAmount } from "../money";
import { assertWalletVisible } from "../wallets/visible";
import { transactionFilter } from "./query-transactions";

export const CSV_COLUMNS = [
  "id",
  "created_at",
  "direction",
  "status",
  "asset",
  "amount",
  "display_amount",
  "fee",
  "settle_amount",
  "amount_sats",
  "exchange_rate",
  "description",
  "wallet_id",
  "payment_hash",
  "settled_at",
  "expires_at",
  "metadata",
  // Issue 15 §4, added at the end so existing imports keep their columns: a USD-priced invoice's
  // price and the rate it was converted at (USD per whole unit), and the USD value when it completed.
  "amount_usd",
  "usd_rate",
  "settled_usd",
  "settled_usd_rate",
] as const;

/** RFC 4180 quoting; cells starting with = + - @ are prefixed so spreadsheets do not run them as formulas. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const BATCH = 500;

/**
 * The actor's transactions matching the find_many filter, newest first, as CSV lines. Walks the
 * (created_at, id) index in batches with a keyset cursor, so exports of any size stream in
 * constant memory.
 */
export async function* exportTransactionsCsv(actor: Actor, raw: unknown): AsyncGenerator<string> {
  const { where, input } = transactionFilter(actor, raw);
  // Another team's (or a made-up) wallet is NOT_FOUND, as in find_many, not an empty file.
  if (input.wallet_id) await assertWalletVisible(actor, input.wallet_id);
  yield CSV_COLUMNS.join(",") + "\r\n";
  let cursor: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const page: Prisma.TransactionWhereInput = cursor
      ? { AND: [where, { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }] }
      : where;
    const rows = await db.transaction.findMany({
      where: page,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: BATCH,
      include: { asset: { select: { symbol: true, precision: true } } },
    });
    if (rows.length === 0) return;
    let chunk = "";
    for (const t of rows) {
      chunk +=
        [
          t.id,
          t.createdAt.toISOString(),
          t.direction,
          t.status,
          t.asset.symbol,
          t.amount.toString(),
          displayAmount(t.amount, t.asset.precision),
          t.fee.toString(),
          t.settleAmount?.toString() ?? null,
          t.amountSats?.toString() ?? null,
          t.exchangeRate,
          t.description,
          t.walletId,
          t.paymentHash,
          t.settledAt?.toISOString() ?? null,
          t.expiresAt?.toISOString() ?? null,
          t.metadata,
          t.pricedUsdCents === null ? null : centsToDecimal(t.pricedUsdCents),
          t.pricedUsdRate,
          t.settledUsdCents === null ? null : centsToDecimal(t.settledUsdCents),
          t.settledUsdRate,
        ]
          .map(csvCell)
          .join(",") + "\r\n";
    }
    yield chunk;
    const last = rows[rows.length - 1];
    cursor = { createdAt: last.createdAt, id: last.id };
    if (rows.length < BATCH) return;
  }
}
