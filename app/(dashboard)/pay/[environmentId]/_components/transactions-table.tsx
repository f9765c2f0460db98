import Link from "next/link";
import type { TransactionView } from "@/lib/transactions/transaction-view";
import { Amount } from "@/components/ui/amount";
import { StatusBadge } from "@/components/ui/status-badge";
import { formatUsdCents } from "@/lib/assets/convert";

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export function TransactionsTable({ environmentId, transactions, walletNames }: { environmentId: string; transactions: TransactionView[]; walletNames: Map<string, string> }) {
  return (
    <div className="overflow-x-auto">
      <table className="table-stack w-full text-left text-sm">
        <caption className="sr-only">Transactions</caption>
        <thead className="text-xs text-gray-600 uppercase dark:text-gray-400">
          <tr>
            <th scope="col" className="py-2 pr-4 font-semibold">Amount</th>
            <th scope="col" className="py-2 pr-4 font-semibold">USD</th>
            <th scope="col" className="py-2 pr-4 font-semibold">Status</th>
            <th scope="col" className="py-2 pr-4 font-semibold">Direction</th>
            <th scope="col" className="py-2 pr-4 font-semibold">Description</th>
            <th scope="col" className="py-2 pr-4 font-semibold">Wallet</th>
            <th scope="col" className="py-2 pr-4 font-semibold">Created (UTC)</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-200 dark:divide-gray-800">
          {transactions.map((t) => (
            <tr key={t.id}>
              <td data-label="Amount" className="py-2.5 pr-4 font-medium whitespace-nowrap">
                <Link href={`/pay/${environmentId}/transactions/${t.id}`} className="text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
                  {t.direction === "SEND" && <span aria-hidden="true">−</span>}
                  <Amount minor={t.amount} precision={t.asset.precision} symbol={t.asset.symbol} />
                  {t.direction === "SEND" && <span className="sr-only"> (outgoing)</span>}
                  <span className="sr-only"> — transaction {t.id}</span>
                </Link>
              </td>
              <td data-label="USD" className="py-2.5 pr-4 whitespace-nowrap tabular-nums">
                <UsdCell transaction={t} />
              </td>
              <td data-label="Status" className="py-2.5 pr-4">
                <StatusBadge status={t.status} />
              </td>
              <td data-label="Direction" className="py-2.5 pr-4">{t.direction === "RECEIVE" ? "↓ Receive" : "↑ Send"}</td>
              <td data-label="Description" className="max-w-64 truncate py-2.5 pr-4" title={t.description || undefined}>{t.description || <span className="text-gray-600 dark:text-gray-400">—</span>}</td>
              <td data-label="Wallet" className="py-2.5 pr-4">{walletNames.get(t.walletId) ?? t.walletId}</td>
              <td data-label="Created (UTC)" className="py-2.5 pr-4 whitespace-nowrap">{dateFormat.format(t.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The USD value at settlement (issue 15 §4); before that, a USD-priced invoice's price. */
function UsdCell({ transaction: t }: { transaction: TransactionView }) {
  if (t.settledUsdCents !== null) return <>${formatUsdCents(t.settledUsdCents)}</>;
  if (t.pricedUsdCents !== null) {
    return (
      <>
        ${formatUsdCents(t.pricedUsdCents)} <span className="text-xs text-gray-600 dark:text-gray-400">priced</span>
      </>
    );
  }
  return (
    <span className="text-gray-600 dark:text-gray-400">
      <span aria-hidden="true">—</span>
      <span className="sr-only">{t.status === "COMPLETED" ? "not recorded" : "not settled"}</span>
    </span>
  );
}
