/** The transactions page's URL filters ↔ the find_many input of the service. */
export const STATUSES = ["PENDING", "COMPLETED", "FAILED", "EXPIRED"] as const;
export const DIRECTIONS = ["RECEIVE", "SEND"] as const;
export const PAGE_SIZE = 25;

type Params = { get(name: string): string | null };

/** The URL parameters of the filter form (and of its CSV export and pagination links). */
export const FILTER_PARAMS = ["q", "status", "direction", "wallet", "from", "to"] as const;

export function filterFromSearchParams(environmentId: string, params: Params, page?: number) {
  const status = params.get("status");
  const direction = params.get("direction");
  const wallet = params.get("wallet");
  const from = params.get("from");
  const to = params.get("to");
  const q = params.get("q");
  // Dates come from <input type="date">: whole UTC days, "to" inclusive in the UI.
  const toExclusive = to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000) : null;
  return {
    environment_id: environmentId,
    wallet_id: wallet || null,
    filter: {
      status: (STATUSES as readonly string[]).includes(status ?? "") ? (status as (typeof STATUSES)[number]) : null,
      direction: (DIRECTIONS as readonly string[]).includes(direction ?? "") ? (direction as (typeof DIRECTIONS)[number]) : null,
      search: q || null,
      date_range: {
        from: from ? `${from}T00:00:00Z` : null,
        to: toExclusive && !Number.isNaN(toExclusive.getTime()) ? toExclusive.toISOString() : to ? to : null,
      },
    },
    ...(page !== undefined ? { page: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } } : {}),
  };
}
