import "server-only";
import { db, sql, type Prisma } from "@/lib/db";
import { AppError, badInput, notFound } from "../errors";
import { displayAmount } from "../money";
import type { Actor } from "../auth/actor";
import { assertEnvironmentInKeyScope, assertWalletInKeyScope, authorize, keyEnvironmentIds, scopedWalletId } from "../auth/permissions";
import { assertEnvironmentVisible } from "../environments/visible";
import { assertWalletVisible } from "../wallets/visible";
import { checkId, parseInput, parseIsoDate } from "../validation";
import { ListTransactionsInput } from "./schemas";
import { TRANSACTION_SELECT, toTransactionView, type TransactionView } from "./transaction-view";
import { toWalletAsset, type WalletAsset } from "../wallets/wallet-view";

/** Where-clause restricting transactions to the actor's team / key environments / key wallet. */
function scopeWhere(actor: Actor): Prisma.TransactionWhereInput {
  if (actor.kind === "user") return { environment: { teamId: actor.teamId } };
  return { environmentId: { in: keyEnvironmentIds(actor) }, environment: { teamId: actor.teamId }, ...(actor.walletId ? { walletId: actor.walletId } : {}) };
}

/** One transaction with its events timeline, in the actor's scope, or NOT_FOUND. */
export async function findTransaction(actor: Actor, id: string): Promise<TransactionView> {
  authorize(actor, "PAYMENTS", "READ");
  const row = await db.transaction.findFirst({
    where: { id: checkId(id, "Transaction"), ...scopeWhere(actor) },
    select: { ...TRANSACTION_SELECT, events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
  });
  if (!row) throw notFound("Transaction");
  return toTransactionView(row);
}

function parseDate(field: string, value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const date = parseIsoDate(value);
  if (!date) throw badInput(field, "must be a valid ISO 8601 date, e.g. 2026-06-01T00:00:00Z");
  return date;
}

export type TransactionPage = {
  list: TransactionView[];
  limit: number;
  offset: number;
  /** Counted only when asked for (it is the expensive part at millions of rows). */
  totalCount: () => Promise<number>;
};

/**
 * find_many: filters by wallet, environment, status, direction and date range (from inclusive,
 * to exclusive), newest first, `page { limit offset }` (default 20, at most 100). The first page
 * is an index range scan on (environment|wallet, created_at desc, id desc). The dashboard's search
 * box (`filter.search`, see parseSearch) adds one OR of exact and substring matches, each served
 * by an index, inside the same scoped statement.
 */
export async function listTransactions(actor: Actor, raw: unknown): Promise<TransactionPage> {
  const { input, from, to, search } = checkedFilter(actor, raw);
  if (input.environment_id) await assertEnvironmentVisible(actor, input.environment_id);
  if (input.wallet_id) await assertWalletVisible(actor, input.wallet_id);
  const limit = input.page?.limit ?? 20;
  const offset = input.page?.offset ?? 0;
  // The API's busiest read, as one SQL statement on the (environment|wallet, created_at desc, id desc) indexes.
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (condition: string, value: unknown) => {
    values.push(value);
    conditions.push(condition.replace("?", `$${values.length}`));
  };
  if (actor.kind === "user") add(`t."environmentId" IN (SELECT id FROM environments WHERE "teamId" = ?)`, actor.teamId);
  else {
    const environmentIds = keyEnvironmentIds(actor);
    // One environment (nearly every key): the plain equality the indexes serve best.
    if (environmentIds.length === 1) add(`t."environmentId" = ?`, environmentIds[0]);
    else add(`t."environmentId" = ANY(?::text[])`, environmentIds);
    if (actor.walletId) add(`t."walletId" = ?`, actor.walletId);
  }
  if (input.environment_id) add(`t."environmentId" = ?`, input.environment_id);
  if (input.wallet_id) add(`t."walletId" = ?`, input.wallet_id);
  if (input.filter?.status) add(`t.status = ?::"TransactionStatus"`, input.filter.status);
  if (input.filter?.direction) add(`t.direction = ?::"TransactionDirection"`, input.filter.direction);
  if (from) add(`t."createdAt" >= ?::timestamp`, from.toISOString().slice(0, -1));
  if (to) add(`t."createdAt" < ?::timestamp`, to.toISOString().slice(0, -1));
  if (search) {
    // Every arm is indexable on its own (primary key, payment hash, trigram GIN indexes,
    // (environment, amount)), so PostgreSQL can combine them with a BitmapOr within the scope above.
    const arms: string[] = [];
    const arm = (condition: string, ...armValues: unknown[]) => {
      let text = condition;
      for (const value of armValues) {
        values.push(value);
        text = text.replace("?", `$${values.length}`);
      }
      arms.push(text);
    };
    if (search.id) arm(`t.id = ?`, search.id);
    if (search.paymentHash) arm(`t."paymentHash" = ?`, search.paymentHash);
    if (search.pattern) {
      values.push(search.pattern);
      const p = `$${values.length}`;
      arms.push(`t.description ILIKE ${p} ESCAPE '\\' OR t.metadata ILIKE ${p} ESCAPE '\\' OR t."idempotencyKey" ILIKE ${p} ESCAPE '\\'`);
    }
    if (search.amount) {
      // The candidate minor amounts find the rows through the index; the exact comparison keeps
      // only those whose own asset's precision gives that display amount.
      arm(
        `(t.amount = ANY(?::bigint[]) AND t.amount::numeric = ?::numeric * power(10::numeric, (SELECT s.precision FROM assets s WHERE s.id = t."assetId"))` +
          (search.amount.symbol ? ` AND t."assetId" IN (SELECT s.id FROM assets s WHERE upper(s.symbol) = ?))` : `)`),
        search.amount.candidates.map((c) => c.minor.toString()),
        search.amount.decimal,
        ...(search.amount.symbol ? [search.amount.symbol] : []),
      );
    }
    conditions.push(`(${arms.join(" OR ")})`);
  }
  const where = conditions.join(" AND ");
  const rows = await sql<ListRow>(
    `SELECT t.id, t."walletId", t."environmentId", e.type::text AS "environmentType", t.direction::text AS direction, t.status::text AS status,
            t.amount::text AS amount, t."amountSats"::text AS "amountSats", t."exchangeRate", t.fee::text AS fee, t."settleAmount"::text AS "settleAmount",
            t.description, t.metadata, t."idempotencyKey", t."paymentRequest", t."paymentHash", t.error, t."nodeId",
            t."feeReserve"::text AS "feeReserve", t.reserved::text AS reserved,
            CASE WHEN t.direction = 'SEND' AND t.status = 'COMPLETED' THEN t."paymentPreimage" END AS "paymentPreimage",
            t."payeePubkey", t."lightningAddress", t."successAction", t."counterpartId",
            t."pricedUsdCents"::text AS "pricedUsdCents", t."pricedUsdRate", t."settledUsdCents"::text AS "settledUsdCents", t."settledUsdRate",
            t."expiresAt", t."settledAt", t."createdAt", t."updatedAt",
            json_build_object('id', a.id, 'symbol', a.symbol, 'name', a.name, 'type', a.type, 'precision', a.precision,
                              'description', a.description, 'websiteUrl', a."websiteUrl", 'tapAssetId', a."tapAssetId",
                              'groupKey', a."groupKey", 'universe', a.universe) AS asset
     FROM transactions t JOIN assets a ON a.id = t."assetId" JOIN environments e ON e.id = t."environmentId"
     WHERE ${where}
     ORDER BY t."createdAt" DESC, t.id DESC
     LIMIT $${values.length + 1}::int OFFSET $${values.length + 2}::int`,
    [...values, limit, offset],
    // The text depends only on which filters are present (a few dozen variants at most). Searches
    // are planned each time: a generic plan cannot tell a 2-letter pattern (no trigram to look up)
    // from a long one.
    { prepared: !search },
  );
  let count: Promise<number> | undefined;
  return {
    list: rows.map(fromListRow),
    limit,
    offset,
    totalCount: () => (count ??= sql<{ n: number }>(`SELECT count(*)::int AS n FROM transactions t WHERE ${where}`, values).then(([r]) => r.n)),
  };
}

type ListRow = {
  id: string;
  walletId: string;
  environmentId: string;
  environmentType: "SANDBOX" | "LIVE";
  direction: "RECEIVE" | "SEND";
  status: "PENDING" | "COMPLETED" | "FAILED" | "EXPIRED";
  amount: string;
  amountSats: string | null;
  exchangeRate: string | null;
  fee: string;
  settleAmount: string | null;
  description: string | null;
  metadata: string | null;
  idempotencyKey: string;
  paymentRequest: string | null;
  paymentHash: string | null;
  error: string | null;
  nodeId: string | null;
  feeReserve: string | null;
  reserved: string;
  paymentPreimage: string | null;
  payeePubkey: string | null;
  lightningAddress: string | null;
  successAction: string | null;
  counterpartId: string | null;
  pricedUsdCents: string | null;
  pricedUsdRate: string | null;
  settledUsdCents: string | null;
  settledUsdRate: string | null;
  expiresAt: Date | null;
  settledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  asset: WalletAsset;
};

const big = (v: string | null) => (v === null ? null : BigInt(v));

function fromListRow(r: ListRow): TransactionView {
  return {
    id: r.id,
    walletId: r.walletId,
    environmentId: r.environmentId,
    environmentType: r.environmentType,
    direction: r.direction,
    status: r.status,
    amount: BigInt(r.amount),
    amountSats: big(r.amountSats),
    exchangeRate: r.exchangeRate,
    fee: BigInt(r.fee),
    settleAmount: big(r.settleAmount),
    description: r.description,
    metadata: r.metadata,
    idempotencyKey: r.idempotencyKey,
    paymentRequest: r.paymentRequest,
    paymentHash: r.paymentHash,
    error: r.error,
    nodeId: r.nodeId,
    feeReserve: big(r.feeReserve),
    reserved: BigInt(r.reserved),
    paymentPreimage: r.paymentPreimage,
    payeePubkey: r.payeePubkey,
    lightningAddress: r.lightningAddress,
    successAction: r.successAction,
    counterpartId: r.counterpartId,
    pricedUsdCents: big(r.pricedUsdCents),
    pricedUsdRate: r.pricedUsdRate,
    settledUsdCents: big(r.settledUsdCents),
    settledUsdRate: r.settledUsdRate,
    expiresAt: r.expiresAt,
    settledAt: r.settledAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    asset: toWalletAsset(r.asset),
    events: [],
  };
}

function checkedFilter(actor: Actor, raw: unknown) {
  authorize(actor, "PAYMENTS", "READ");
  const input = parseInput(ListTransactionsInput, raw ?? {}, "input");
  if (input.environment_id) assertEnvironmentInKeyScope(actor, input.environment_id);
  if (input.wallet_id) assertWalletInKeyScope(actor, input.wallet_id);
  const from = parseDate("input.filter.date_range.from", input.filter?.date_range?.from);
  const to = parseDate("input.filter.date_range.to", input.filter?.date_range?.to);
  // An empty or inverted range is a mistake, never a query worth running.
  if (from && to && from.getTime() >= to.getTime()) {
    throw new AppError("BAD_USER_INPUT", "input.filter.date_range.from: must be earlier than input.filter.date_range.to (from is inclusive, to exclusive)", {
      field: "input.filter.date_range.from",
      detail: "must be earlier than the end of the date range",
    });
  }
  const search = parseSearch(input.filter?.search);
  return { input, from, to, search };
}

/** The checked filter of find_many and of the CSV export, as a Prisma where-clause within the actor's scope. */
export function transactionFilter(actor: Actor, raw: unknown) {
  const { input, from, to, search } = checkedFilter(actor, raw);
  const where: Prisma.TransactionWhereInput = {
    ...scopeWhere(actor),
    ...(input.environment_id ? { environmentId: input.environment_id } : {}),
    ...(input.wallet_id ? { walletId: input.wallet_id } : {}),
    ...(input.filter?.status ? { status: input.filter.status } : {}),
    ...(input.filter?.direction ? { direction: input.filter.direction } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
    ...(search ? { AND: [searchWhere(search)] } : {}),
  };
  return { where, input };
}

/** The same search as listTransactions' SQL, for Prisma (the CSV export). Prisma's `contains` does not escape LIKE wildcards: the pattern's own escaping carries over. */
function searchWhere(search: TransactionSearch): Prisma.TransactionWhereInput {
  const text = search.pattern?.slice(1, -1);
  const or: Prisma.TransactionWhereInput[] = [
    ...(search.id ? [{ id: search.id }] : []),
    ...(search.paymentHash ? [{ paymentHash: search.paymentHash }] : []),
    ...(text === undefined
      ? []
      : [
          { description: { contains: text, mode: "insensitive" as const } },
          { metadata: { contains: text, mode: "insensitive" as const } },
          { idempotencyKey: { contains: text, mode: "insensitive" as const } },
        ]),
    ...(search.amount?.candidates.map((c) => ({
      amount: c.minor,
      asset: { is: { precision: c.precision, ...(search.amount?.symbol ? { symbol: { equals: search.amount.symbol, mode: "insensitive" as const } } : {}) } },
    })) ?? []),
  ];
  return { OR: or };
}

// ---------------------------------------------------------------------------------------------
// Search

/** What one search text looks for (parseSearch). */
export type TransactionSearch = {
  /**
   * Substring of the description, metadata or idempotency key, case-insensitive: `%text%` with
   * \ % _ escaped by a backslash. Null for a payment hash: 64 hex digits are looked up as a hash
   * only (in the free text they would cost some 180 trigram lookups for no match worth having).
   */
  pattern: string | null;
  /** A transaction id (`tx_` + 26 ULID characters, any case), matched exactly. */
  id: string | null;
  /** A payment hash (64 hex digits, any case), matched exactly. */
  paymentHash: string | null;
  /**
   * An exact amount typed in the asset's display unit ("0.0005" is 50 000 sats on a BTC
   * transaction, 500 minor units on a USDT one), optionally followed by the asset's symbol
   * ("12.5 USDT"), or a whole number of sats ("50000 sats", BTC only). `candidates` are the minor
   * amounts it stands for at each precision where it is a whole, positive bigint.
   */
  amount: { decimal: string; symbol: string | null; candidates: { precision: number; minor: bigint }[] } | null;
};

const MAX_PRECISION = 18;
const MAX_BIGINT = BigInt("9223372036854775807");
const SATS_PRECISION = 8;

/** `text` as a literal inside a LIKE pattern whose escape character is the backslash. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/** The search text of the transactions page, or null when there is none (empty or blank). */
export function parseSearch(raw: string | null | undefined): TransactionSearch | null {
  const text = (raw ?? "").trim();
  if (text === "") return null;
  const id = /^tx_[0-9a-z]{26}$/i.test(text) ? `tx_${text.slice(3).toUpperCase()}` : null;
  const paymentHash = /^[0-9a-f]{64}$/i.test(text) ? text.toLowerCase() : null;
  return { pattern: paymentHash ? null : `%${escapeLike(text)}%`, id, paymentHash, amount: parseSearchAmount(text) };
}

function parseSearchAmount(text: string): TransactionSearch["amount"] {
  const m = /^(\d*)(?:\.(\d*))?(?:\s*([a-z]{2,10}))?$/i.exec(text);
  if (!m || (m[1] === "" && !m[2])) return null;
  const [, whole, fraction = "", unit] = m;
  let decimal = `${whole || "0"}${fraction ? `.${fraction}` : ""}`;
  let symbol = unit ? unit.toUpperCase() : null;
  if (symbol === "SAT" || symbol === "SATS") {
    // Sats are BTC's minor unit: a whole number only.
    if (fraction.replace(/0+$/, "") !== "") return null;
    decimal = displayAmount(BigInt(whole || "0"), SATS_PRECISION);
    symbol = "BTC";
  }
  const [w, f = ""] = decimal.split(".");
  const significant = f.replace(/0+$/, "");
  const candidates: { precision: number; minor: bigint }[] = [];
  for (let precision = significant.length; precision <= MAX_PRECISION; precision++) {
    const minor = BigInt(w + significant.padEnd(precision, "0"));
    if (minor > MAX_BIGINT) break;
    if (minor > BigInt(0)) candidates.push({ precision, minor });
  }
  return candidates.length ? { decimal, symbol, candidates } : null;
}

export type EnvironmentStats = {
  countsByStatus: Record<"PENDING" | "COMPLETED" | "FAILED" | "EXPIRED", number>;
  /** Completed receive volume per UTC day, last 30 days, per asset symbol (minor units). */
  daily: { day: string; symbol: string; precision: number; amount: bigint }[];
};

export async function getEnvironmentStats(actor: Actor, environmentId: string): Promise<EnvironmentStats> {
  authorize(actor, "PAYMENTS", "READ");
  assertEnvironmentInKeyScope(actor, environmentId);
  const env = await db.environment.findFirst({ where: { id: checkId(environmentId, "Environment"), teamId: actor.teamId }, select: { id: true } });
  if (!env) throw notFound("Environment");
  // A wallet-scoped key's figures are its wallet's.
  const walletId = scopedWalletId(actor);
  const since = new Date(Date.now() - 30 * 86_400_000);
  const [counts, daily] = await Promise.all([
    db.transaction.groupBy({ by: ["status"], where: { environmentId: env.id, ...(walletId ? { walletId } : {}) }, _count: { _all: true } }),
    db.$queryRaw<{ day: Date; symbol: string; precision: number; amount: bigint }[]>`
      SELECT date_trunc('day', t."settledAt" AT TIME ZONE 'UTC') AS day, a.symbol, a.precision, SUM(COALESCE(t."settleAmount", t.amount))::bigint AS amount
      FROM transactions t JOIN assets a ON a.id = t."assetId"
      WHERE t."environmentId" = ${env.id} AND (${walletId}::text IS NULL OR t."walletId" = ${walletId}) AND t.status = 'COMPLETED' AND t.direction = 'RECEIVE' AND t."settledAt" >= ${since}
      GROUP BY 1, 2, 3 ORDER BY 1`,
  ]);
  const countsByStatus = { PENDING: 0, COMPLETED: 0, FAILED: 0, EXPIRED: 0 };
  for (const c of counts) countsByStatus[c.status] = c._count._all;
  return { countsByStatus, daily: daily.map((d) => ({ day: d.day.toISOString().slice(0, 10), symbol: d.symbol, precision: d.precision, amount: d.amount })) };
}
