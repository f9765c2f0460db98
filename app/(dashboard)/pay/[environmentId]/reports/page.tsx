import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { requireUser } from "@/lib/auth/dashboard";
import { findEnvironment } from "@/lib/environments/find-environment";
import { displayAmount } from "@/lib/money";
import { getReport, type WalletBalanceHistory } from "@/lib/reports/get-report";
import { DEFAULT_REPORT_PERIOD, REPORT_PERIODS, type ReportPeriod } from "@/lib/reports/schemas";
import { Amount } from "@/components/ui/amount";
import { buttonClass } from "@/components/ui/button-class";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { orNotFound } from "../../../_components/or-not-found";
import { BalanceChart, ChartWithTable, VolumeChart } from "./_components/lazy-charts";

export const metadata: Metadata = { title: "Reports" };

const dayFormat = new Intl.DateTimeFormat("en", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const formatDay = (day: string) => dayFormat.format(new Date(`${day}T00:00:00Z`));
const STATUS_LABELS = { PENDING: "Pending", COMPLETED: "Paid", FAILED: "Failed", EXPIRED: "Expired" } as const;

const TH = "sticky top-0 bg-gray-50 px-3 py-2 text-left text-xs font-semibold text-gray-600 uppercase dark:bg-gray-950 dark:text-gray-400";
const TD = "px-3 py-1.5 tabular-nums whitespace-nowrap";

function DataTable({ caption, columns, rows }: { caption: string; columns: string[]; rows: { key: string; head: string; cells: ReactNode[] }[] }) {
  return (
    <table className="table-stack w-full text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={c} scope="col" className={`${TH} ${i > 0 ? "text-right" : ""}`}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100 dark:divide-gray-800">
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row" className={`${TD} text-left font-normal`}>
              {r.head}
            </th>
            {r.cells.map((cell, i) => (
              <td key={i} data-label={columns[i + 1]} className={`${TD} text-right`}>
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Total({ label, children, note }: { label: string; children: ReactNode; note?: string }) {
  return (
    <div className="min-w-0 rounded-md bg-gray-50 p-3 dark:bg-gray-950">
      <dt className="text-xs text-gray-600 dark:text-gray-400">{label}</dt>
      <dd className="mt-1 text-base font-semibold break-words">{children}</dd>
      {note && <dd className="text-xs text-gray-600 dark:text-gray-400">{note}</dd>}
    </div>
  );
}

export default async function ReportsPage({ params, searchParams }: { params: Promise<{ environmentId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { environmentId } = await params;
  const search = await searchParams;
  const requested = Number(typeof search.days === "string" ? search.days : NaN);
  const period: ReportPeriod = (REPORT_PERIODS as readonly number[]).includes(requested) ? (requested as ReportPeriod) : DEFAULT_REPORT_PERIOD;
  const actor = await requireUser();
  const environment = await orNotFound(findEnvironment(actor, environmentId));
  const report = await getReport(actor, { environment_id: environment.id, days: period });
  const range = `${formatDay(report.from)} – ${formatDay(report.to)}`;

  // Wallets of one asset share a chart (one unit on the axis).
  const balanceGroups: WalletBalanceHistory[][] = [];
  for (const b of report.balances) {
    const group = balanceGroups.at(-1);
    if (group && group[0].asset.id === b.asset.id) group.push(b);
    else balanceGroups.push([b]);
  }
  const totalCount = report.statusCounts.reduce((n, s) => n + s.receive + s.send, 0);

  return (
    <>
      <PageHeader
        title="Reports"
        description={`Payments in ${environment.name} per day (UTC), ${range}.`}
        actions={
          <nav aria-label="Period" className="inline-flex rounded-md border border-gray-300 bg-white p-0.5 dark:border-gray-700 dark:bg-gray-900">
            {REPORT_PERIODS.map((days) => (
              <Link
                key={days}
                href={`?days=${days}`}
                aria-current={days === period ? "page" : undefined}
                className={`rounded px-3 py-1.5 text-sm font-medium ${days === period ? "bg-indigo-600 text-white" : "text-gray-700 hover:bg-gray-100 dark:text-gray-300 dark:hover:bg-gray-800"}`}
              >
                {days} days
              </Link>
            ))}
          </nav>
        }
      />

      {report.volume.length === 0 ? (
        <EmptyState
          title="Nothing to report yet"
          body="Reports show the money your wallets receive and send. Open a wallet and issue an invoice to get started."
          action={
            <Link href={`/pay/${environment.id}/wallets`} className={buttonClass("primary")}>
              Go to wallets
            </Link>
          }
        />
      ) : (
        <div className="space-y-6">
          <h2 className="sr-only">Volume</h2>
          {report.volume.map((v) => {
            const { symbol, precision } = v.asset;
            const net = v.received - v.sent;
            const empty = v.receivedCount === 0 && v.sentCount === 0;
            return (
              <Card key={v.asset.id} title={`${symbol} received and sent`} description="Completed payments per day: received net of fees, sent including routing fees.">
                <dl className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-3">
                  <Total label="Received" note={`${v.receivedCount.toLocaleString("en")} payment${v.receivedCount === 1 ? "" : "s"}`}>
                    <Amount minor={v.received} precision={precision} symbol={symbol} />
                  </Total>
                  <Total label="Sent" note={`${v.sentCount.toLocaleString("en")} payment${v.sentCount === 1 ? "" : "s"}, ${displayAmount(v.fees, precision)} ${symbol} in fees`}>
                    <Amount minor={v.sent} precision={precision} symbol={symbol} />
                  </Total>
                  <Total label="Net">
                    <Amount minor={net} precision={precision} symbol={symbol} />
                  </Total>
                </dl>
                {empty ? (
                  <p className="rounded-md border border-dashed border-gray-300 px-4 py-8 text-center text-sm text-gray-600 dark:border-gray-700 dark:text-gray-400">
                    No completed {symbol} payments in the last {period} days.
                  </p>
                ) : (
                  <ChartWithTable
                    tableLabel={`${symbol} per day`}
                    chart={<VolumeChart symbol={symbol} points={v.days.map((d) => ({ day: d.day, received: displayAmount(d.received, precision), sent: displayAmount(d.sent, precision) }))} />}
                    table={
                      <DataTable
                        caption={`${symbol} received and sent per day (UTC), ${range}`}
                        columns={["Day (UTC)", `Received (${symbol})`, `Sent (${symbol})`]}
                        rows={v.days.map((d) => ({ key: d.day, head: formatDay(d.day), cells: [displayAmount(d.received, precision), displayAmount(d.sent, precision)] }))}
                      />
                    }
                  />
                )}
              </Card>
            );
          })}

          <h2 className="sr-only">Balances</h2>
          {balanceGroups.map((group) => {
            const { symbol, precision } = group[0].asset;
            const days = group[0].days.map((d) => d.day);
            const flat = group.every((w) => w.days.every((d) => d.balance === BigInt(0)));
            return (
              <Card key={group[0].asset.id} title={`${symbol} balance over time`} description="Each wallet's balance (received − sent) at the end of each day; funds held by pending sends are not subtracted.">
                {flat ? (
                  <p className="rounded-md border border-dashed border-gray-300 px-4 py-8 text-center text-sm text-gray-600 dark:border-gray-700 dark:text-gray-400">
                    {group.length === 1 ? `${group[0].wallet.name} has` : `These ${symbol} wallets have`} held nothing in the last {period} days.
                  </p>
                ) : (
                  <ChartWithTable
                    tableLabel={`${symbol} balances per day`}
                    chart={
                      <BalanceChart
                        symbol={symbol}
                        wallets={group.map((w) => w.wallet)}
                        points={days.map((day, i) => ({ day, balances: Object.fromEntries(group.map((w) => [w.wallet.id, displayAmount(w.days[i].balance, precision)])) }))}
                      />
                    }
                    table={
                      <DataTable
                        caption={`${symbol} wallet balances at the end of each day (UTC), ${range}`}
                        columns={["Day (UTC)", ...group.map((w) => `${w.wallet.name} (${symbol})`)]}
                        rows={days.map((day, i) => ({ key: day, head: formatDay(day), cells: group.map((w) => displayAmount(w.days[i].balance, precision)) }))}
                      />
                    }
                  />
                )}
              </Card>
            );
          })}

          <Card title="Transactions by status" description={`Transactions created in the last ${period} days, whatever their asset.`}>
            {totalCount === 0 ? (
              <p className="text-sm text-gray-600 dark:text-gray-400">No transactions were created in the last {period} days.</p>
            ) : (
              <div className="overflow-x-auto">
                <DataTable
                  caption={`Transactions created ${range}, by status`}
                  columns={["Status", "Receives", "Sends", "Total"]}
                  rows={report.statusCounts.map((s) => ({
                    key: s.status,
                    head: STATUS_LABELS[s.status],
                    cells: [s.receive.toLocaleString("en"), s.send.toLocaleString("en"), (s.receive + s.send).toLocaleString("en")],
                  }))}
                />
              </div>
            )}
            <Link href={`/pay/${environment.id}/transactions`} className="mt-3 inline-block text-sm font-semibold text-indigo-700 underline dark:text-indigo-300">
              All transactions
            </Link>
          </Card>
        </div>
      )}
    </>
  );
}
