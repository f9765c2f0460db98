import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/dashboard";
import { AppError } from "@/lib/errors";
import { findEnvironment } from "@/lib/environments/find-environment";
import { listTransactions, type TransactionPage } from "@/lib/transactions/query-transactions";
import { listWalletViews } from "@/lib/wallets/manage-wallets";
import { buttonClass } from "@/components/ui/button-class";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { FormError } from "@/components/ui/field";
import { orNotFound } from "../../../_components/or-not-found";
import { TransactionsTable } from "../_components/transactions-table";
import { DIRECTIONS, FILTER_PARAMS, filterFromSearchParams, PAGE_SIZE, STATUSES } from "./filters";

/** The service's field names → the form control they came from (id, label), to show an error beside it. */
const FORM_FIELDS: Record<string, { id: string; label: string }> = {
  "input.filter.search": { id: "f-q", label: "Search" },
  "input.filter.date_range.from": { id: "f-from", label: "From" },
  "input.filter.date_range.to": { id: "f-to", label: "To" },
};

export const metadata: Metadata = { title: "Transactions" };

type Search = Record<string, string | string[] | undefined>;

export default async function TransactionsPage({ params, searchParams }: { params: Promise<{ environmentId: string }>; searchParams: Promise<Search> }) {
  const { environmentId } = await params;
  const search = await searchParams;
  const get = (k: string) => (typeof search[k] === "string" ? (search[k] as string) : null);
  const actor = await requireUser();
  const environment = await orNotFound(findEnvironment(actor, environmentId));
  const page = Math.max(1, Math.min(40_000, Number.parseInt(get("page") ?? "1", 10) || 1));
  const wallets = await listWalletViews(actor, environment.id);
  const input = filterFromSearchParams(environment.id, { get }, page);
  let result: TransactionPage | null = null;
  let total = 0;
  let error: string | undefined;
  let errorField: { id: string; label: string } | undefined;
  try {
    result = await listTransactions(actor, input);
    total = await result.totalCount();
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "BAD_USER_INPUT") throw err;
    errorField = err.field ? FORM_FIELDS[err.field] : undefined;
    error = errorField ? `${errorField.label}: ${err.detail ?? err.message}` : (err.detail ?? err.message);
  }
  // Every value typed is kept: in the form (GET, so in the URL), the export link and the pagination.
  const query = new URLSearchParams(FILTER_PARAMS.flatMap((k) => (get(k) ? [[k, get(k) as string]] : [])));
  const q = get("q") ?? "";
  const invalid = (id: string) => (errorField?.id === id ? { "aria-invalid": true as const, "aria-describedby": "f-error" } : {});
  const pageLink = (p: number) => `?${new URLSearchParams([...query.entries(), ["page", String(p)]])}`;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = query.size > 0;
  const select = "block w-full rounded-md border border-gray-300 bg-white px-2 py-1.5 text-sm dark:border-gray-600 dark:bg-gray-900";

  return (
    <>
      <PageHeader
        title="Transactions"
        description={`Payments in ${environment.name}, newest first.`}
        actions={
          <a href={`/pay/${environment.id}/transactions/export?${query}`} className={buttonClass("secondary")} download>
            Export CSV
          </a>
        }
      />
      {error && (
        <div id="f-error" className="mb-4">
          <FormError message={error} />
        </div>
      )}
      <form method="get" role="search" className="mb-4 grid gap-3 rounded-lg border border-gray-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6 dark:border-gray-800 dark:bg-gray-900" aria-label="Search and filter transactions">
        <div className="sm:col-span-3 lg:col-span-6">
          <label htmlFor="f-q" className="mb-1 block text-xs font-semibold">Search</label>
          <input
            id="f-q"
            type="search"
            name="q"
            defaultValue={q}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            placeholder="tx_…, payment hash, order id, 0.0005"
            className={select}
            {...invalid("f-q")}
            aria-describedby={errorField?.id === "f-q" ? "f-error f-q-hint" : "f-q-hint"}
          />
          <p id="f-q-hint" className="mt-1 text-xs text-gray-600 dark:text-gray-400">
            Transaction id, payment hash, text of the description, metadata or idempotency key, or an exact amount in the asset&rsquo;s unit as shown in the list
            (<span className="font-mono">0.0005</span> for BTC, <span className="font-mono">12.5 USDT</span>) or in sats (<span className="font-mono">50000 sats</span>).
          </p>
        </div>
        <div>
          <label htmlFor="f-status" className="mb-1 block text-xs font-semibold">Status</label>
          <select id="f-status" name="status" defaultValue={get("status") ?? ""} className={select}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>{s.charAt(0) + s.slice(1).toLowerCase()}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-direction" className="mb-1 block text-xs font-semibold">Direction</label>
          <select id="f-direction" name="direction" defaultValue={get("direction") ?? ""} className={select}>
            <option value="">Any</option>
            {DIRECTIONS.map((d) => (
              <option key={d} value={d}>{d === "RECEIVE" ? "Receive" : "Send"}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-wallet" className="mb-1 block text-xs font-semibold">Wallet</label>
          <select id="f-wallet" name="wallet" defaultValue={get("wallet") ?? ""} className={select}>
            <option value="">All wallets</option>
            {wallets.map((w) => (
              <option key={w.id} value={w.id}>{w.name} ({w.asset.symbol})</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-from" className="mb-1 block text-xs font-semibold">From (UTC)</label>
          <input id="f-from" type="date" name="from" defaultValue={get("from") ?? ""} className={select} {...invalid("f-from")} />
        </div>
        <div>
          <label htmlFor="f-to" className="mb-1 block text-xs font-semibold">To (UTC, inclusive)</label>
          <input id="f-to" type="date" name="to" defaultValue={get("to") ?? ""} className={select} {...invalid("f-to")} />
        </div>
        <div className="flex items-end gap-2">
          <button type="submit" className={buttonClass("primary")}>Apply</button>
          {filtered && <Link href={`/pay/${environment.id}/transactions`} className={buttonClass("ghost")}>Clear</Link>}
        </div>
      </form>
      {result && result.list.length === 0 ? (
        <EmptyState
          title={q.trim() ? `No transactions match “${q.trim()}”` : filtered ? "No transactions match these filters" : "No transactions yet"}
          body={
            q.trim()
              ? "Check the id or hash, or try fewer words, another amount format, or wider filters."
              : filtered
                ? "Try a wider date range or another status."
                : "Invoices you create and payments you send appear here."
          }
        />
      ) : result ? (
        <Card>
          <TransactionsTable environmentId={environment.id} transactions={result.list} walletNames={new Map(wallets.map((w) => [w.id, w.name]))} />
          <nav aria-label="Pagination" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
            <p className="text-gray-600 dark:text-gray-400">
              {total.toLocaleString("en")} transaction{total === 1 ? "" : "s"} · page {page} of {pages}
            </p>
            <div className="flex gap-2">
              {page > 1 ? <Link href={pageLink(page - 1)} className={buttonClass("secondary")}>Previous</Link> : <span aria-disabled="true" className={buttonClass("secondary", "opacity-50")}>Previous</span>}
              {page < pages ? <Link href={pageLink(page + 1)} className={buttonClass("secondary")}>Next</Link> : <span aria-disabled="true" className={buttonClass("secondary", "opacity-50")}>Next</span>}
            </div>
          </nav>
        </Card>
      ) : null}
    </>
  );
}
