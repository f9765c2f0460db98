import "server-only";
import { sql } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { authorize, scopedWalletId } from "../auth/permissions";
import { assertEnvironmentVisible } from "../environments/visible";
import { parseInput } from "../validation";
import { DEFAULT_REPORT_PERIOD, GetReportInput, type ReportPeriod } from "./schemas";

export type ReportAsset = { id: string; symbol: string; precision: number };

/** Completed payments of one asset per UTC day, in minor units. */
export type AssetVolume = {
  asset: ReportAsset;
  /** Received: completed receives, net of Boltrail's fee (what the wallets were credited). */
  received: bigint;
  /** Sent: completed sends, amount plus routing fee (what left the wallets). */
  sent: bigint;
  /** The routing fees included in `sent`. */
  fees: bigint;
  receivedCount: number;
  sentCount: number;
  /** Every day of the period, oldest first; days without payments are zero. */
  days: { day: string; received: bigint; sent: bigint }[];
};

/** A wallet's balance (received − sent) at the end of each UTC day of the period, in minor units. */
export type WalletBalanceHistory = {
  wallet: { id: string; name: string };
  asset: ReportAsset;
  days: { day: string; balance: bigint }[];
};

export const STATUSES = ["PENDING", "COMPLETED", "FAILED", "EXPIRED"] as const;
export type StatusCount = { status: (typeof STATUSES)[number]; receive: number; send: number };

export type Report = {
  environmentId: string;
  period: ReportPeriod;
  /** First and last UTC day of the period (YYYY-MM-DD); the last one is today. */
  from: string;
  to: string;
  /** One entry per asset held by a wallet in scope (or paid in the period), BTC first. */
  volume: AssetVolume[];
  /** One entry per wallet in scope, grouped by asset (BTC first), oldest wallet first. */
  balances: WalletBalanceHistory[];
  /** Transactions created in the period, by status and direction (every status, zero included). */
  statusCounts: StatusCount[];
};

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period's UTC days, oldest first, ending on `now`'s UTC day. */
export function reportDays(period: ReportPeriod, now: Date): string[] {
  const today = Date.parse(`${utcDay(now.getTime())}T00:00:00Z`);
  return Array.from({ length: period }, (_, i) => utcDay(today - (period - 1 - i) * DAY_MS));
}

// Every statement is scoped by environment and team (and by the key's wallet, $4) in SQL, and
// reads `timestamp(3)` columns holding UTC: `::date` of one is its UTC day. Sums are numeric
// (exact, never float) and travel as text to become bigints.
const SCOPE = `t."environmentId" = $1 AND t."environmentId" IN (SELECT id FROM environments WHERE id = $1 AND "teamId" = $5) AND ($4::text IS NULL OR t."walletId" = $4)`;
const WALLETS = `SELECT w.id, w.name, w."assetId", w.received - w.sent AS ledger, w."createdAt" FROM wallets w
  WHERE w."environmentId" = $1 AND w."environmentId" IN (SELECT id FROM environments WHERE id = $1 AND "teamId" = $5) AND ($4::text IS NULL OR w.id = $4)`;
const DAYS = `SELECT d::date AS day FROM generate_series($2::date, $3::date, interval '1 day') AS d`;
/** A completed payment's effect on its wallet's balance: + settle amount (receives), − amount − fee (sends). */
const NET = `CASE WHEN t.direction = 'RECEIVE' THEN coalesce(t."settleAmount", t.amount) ELSE -(coalesce(t."settleAmount", t.amount) + t.fee) END`;

const VOLUME_SQL = `
WITH days AS (${DAYS}),
sums AS (
  SELECT t."assetId", t."settledAt"::date AS day,
         sum(CASE WHEN t.direction = 'RECEIVE' THEN coalesce(t."settleAmount", t.amount) ELSE 0 END) AS received,
         sum(CASE WHEN t.direction = 'SEND' THEN coalesce(t."settleAmount", t.amount) + t.fee ELSE 0 END) AS sent,
         sum(CASE WHEN t.direction = 'SEND' THEN t.fee ELSE 0 END) AS fees,
         count(*) FILTER (WHERE t.direction = 'RECEIVE') AS received_count,
         count(*) FILTER (WHERE t.direction = 'SEND') AS sent_count
  FROM transactions t
  WHERE ${SCOPE} AND t.status = 'COMPLETED' AND t."settledAt" >= $2::date::timestamp AND t."settledAt" < ($3::date + 1)::timestamp
  GROUP BY 1, 2),
scoped_assets AS (SELECT w."assetId" FROM (${WALLETS}) w UNION SELECT "assetId" FROM sums)
SELECT a.id, a.symbol, a.precision, to_char(d.day, 'YYYY-MM-DD') AS day,
       coalesce(s.received, 0)::text AS received, coalesce(s.sent, 0)::text AS sent, coalesce(s.fees, 0)::text AS fees,
       coalesce(s.received_count, 0)::int AS "receivedCount", coalesce(s.sent_count, 0)::int AS "sentCount"
FROM scoped_assets x JOIN assets a ON a.id = x."assetId" CROSS JOIN days d
LEFT JOIN sums s ON s."assetId" = a.id AND s.day = d.day
ORDER BY a.type, a.symbol, d.day`;

// Balance at the end of day D = the wallet's balance now − the net of every payment settled after
// D. Anchored on the wallet row (updated in the same transaction as each payment, and read in the
// same snapshot here), it reads only the payments settled since the period began, not the
// wallet's whole history.
const BALANCE_SQL = `
WITH days AS (${DAYS}),
w AS (${WALLETS}),
net AS (
  SELECT t."walletId", t."settledAt"::date AS day, sum(${NET}) AS net
  FROM transactions t
  WHERE ${SCOPE} AND t.status = 'COMPLETED' AND t."settledAt" >= $2::date::timestamp
  GROUP BY 1, 2),
later AS (SELECT "walletId", sum(net) AS net FROM net WHERE day > $3::date GROUP BY 1),
grid AS (SELECT w.id AS "walletId", d.day, coalesce(n.net, 0) AS net FROM w CROSS JOIN days d LEFT JOIN net n ON n."walletId" = w.id AND n.day = d.day)
SELECT g."walletId", w.name, a.id AS "assetId", a.symbol, a.precision, to_char(g.day, 'YYYY-MM-DD') AS day,
       (w.ledger - coalesce(l.net, 0)
          - coalesce(sum(g.net) OVER (PARTITION BY g."walletId" ORDER BY g.day DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::text AS balance
FROM grid g JOIN w ON w.id = g."walletId" JOIN assets a ON a.id = w."assetId" LEFT JOIN later l ON l."walletId" = g."walletId"
ORDER BY a.type, a.symbol, w."createdAt", w.id, g.day`;

const STATUS_SQL = `
SELECT t.status::text AS status, t.direction::text AS direction, count(*)::int AS n
FROM transactions t
WHERE ${SCOPE} AND t."createdAt" >= $2::date::timestamp AND t."createdAt" < ($3::date + 1)::timestamp
GROUP BY 1, 2`;

type VolumeRow = { id: string; symbol: string; precision: number; day: string; received: string; sent: string; fees: string; receivedCount: number; sentCount: number };
type BalanceRow = { walletId: string; name: string; assetId: string; symbol: string; precision: number; day: string; balance: string };
type StatusRow = { status: (typeof STATUSES)[number]; direction: "RECEIVE" | "SEND"; n: number };

/**
 * The reports page: received and sent volume per UTC day and asset, each wallet's balance at the
 * end of each day, and transactions by status, over the last 7, 30 or 90 days (today included).
 * Everything is aggregated in PostgreSQL; empty days are filled with zero there. `now` exists for
 * tests.
 */
export async function getReport(actor: Actor, raw: unknown, now: Date = new Date()): Promise<Report> {
  authorize(actor, "PAYMENTS", "READ");
  const input = parseInput(GetReportInput, raw ?? {}, "input");
  await assertEnvironmentVisible(actor, input.environment_id);
  const period = (input.days ?? DEFAULT_REPORT_PERIOD) as ReportPeriod;
  const days = reportDays(period, now);
  const from = days[0];
  const to = days[days.length - 1];
  const values = [input.environment_id, from, to, scopedWalletId(actor), actor.teamId];
  const [volumeRows, balanceRows, statusRows] = await Promise.all([
    sql<VolumeRow>(VOLUME_SQL, values, { prepared: true }),
    sql<BalanceRow>(BALANCE_SQL, values, { prepared: true }),
    sql<StatusRow>(STATUS_SQL, values, { prepared: true }),
  ]);

  const volume: AssetVolume[] = [];
  for (const r of volumeRows) {
    let entry = volume.at(-1);
    if (!entry || entry.asset.id !== r.id) {
      entry = { asset: { id: r.id, symbol: r.symbol, precision: r.precision }, received: BigInt(0), sent: BigInt(0), fees: BigInt(0), receivedCount: 0, sentCount: 0, days: [] };
      volume.push(entry);
    }
    const received = BigInt(r.received);
    const sent = BigInt(r.sent);
    entry.days.push({ day: r.day, received, sent });
    entry.received += received;
    entry.sent += sent;
    entry.fees += BigInt(r.fees);
    entry.receivedCount += r.receivedCount;
    entry.sentCount += r.sentCount;
  }

  const balances: WalletBalanceHistory[] = [];
  for (const r of balanceRows) {
    let entry = balances.at(-1);
    if (!entry || entry.wallet.id !== r.walletId) {
      entry = { wallet: { id: r.walletId, name: r.name }, asset: { id: r.assetId, symbol: r.symbol, precision: r.precision }, days: [] };
      balances.push(entry);
    }
    entry.days.push({ day: r.day, balance: BigInt(r.balance) });
  }

  const statusCounts: StatusCount[] = STATUSES.map((status) => ({ status, receive: 0, send: 0 }));
  for (const r of statusRows) {
    const entry = statusCounts.find((c) => c.status === r.status);
    if (entry) entry[r.direction === "RECEIVE" ? "receive" : "send"] = r.n;
  }

  return { environmentId: input.environment_id, period, from, to, volume, balances, statusCounts };
}
