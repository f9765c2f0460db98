import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/dashboard";
import { gqlTransaction } from "@/lib/graphql/mappers";
import { findTransaction } from "@/lib/transactions/query-transactions";
import { formatUsdCents } from "@/lib/assets/convert";
import { Amount } from "@/components/ui/amount";
import { Card, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { LiveStatusBadge } from "@/components/live/by-status";
import { orNotFound } from "../../../../_components/or-not-found";
import { LiveStatus } from "@/components/payments/live-status";
import { getTransactionStatusAction } from "../../invoices/actions";
import { PreimageCheck } from "./preimage-check";

export const metadata: Metadata = { title: "Transaction" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export default async function TransactionPage({ params }: { params: Promise<{ environmentId: string; transactionId: string }> }) {
  const { environmentId, transactionId } = await params;
  const actor = await requireUser();
  const tx = await orNotFound(findTransaction(actor, transactionId));
  if (tx.environmentId !== environmentId) notFound();
  const action = tx.successAction ? (JSON.parse(tx.successAction) as { tag: string; message?: string; description?: string; url?: string }) : null;
  const successAction =
    action?.tag === "message" ? (
      action.message
    ) : action?.tag === "url" && action.url ? (
      <a href={action.url} rel="noopener noreferrer nofollow" target="_blank" className="text-indigo-700 underline dark:text-indigo-300">
        {action.description || action.url}
      </a>
    ) : null;
  const fields: [string, React.ReactNode][] = [
    // The same status source as the header's badge (components/live), so the two never disagree.
    ["Status", <LiveStatusBadge key="s" transactionId={tx.id} initial={tx.status} />],
    ["Direction", tx.direction === "RECEIVE" ? "Receive" : "Send"],
    ["Amount", <Amount key="a" minor={tx.amount} precision={tx.asset.precision} symbol={tx.asset.symbol} />],
    ["Fee", <Amount key="f" minor={tx.fee} precision={tx.asset.precision} symbol={tx.asset.symbol} />],
    ...(tx.direction === "SEND"
      ? ([
          ["Fee reserve", tx.feeReserve === null ? "—" : <Amount key="fr" minor={tx.feeReserve} precision={tx.asset.precision} symbol={tx.asset.symbol} />],
          ["Paid to", tx.lightningAddress ? <span key="la" className="font-mono text-xs">{tx.lightningAddress}</span> : "BOLT11 invoice"],
          ["Payee node", tx.payeePubkey ? <span key="pk" className="font-mono text-xs break-all">{tx.payeePubkey}</span> : "—"],
          ["Payment hash", tx.paymentHash ? <span key="ph" className="font-mono text-xs break-all">{tx.paymentHash}</span> : "—"],
          [
            "Preimage",
            tx.paymentPreimage && tx.paymentHash ? (
              <PreimageCheck key="pi" preimage={tx.paymentPreimage} paymentHash={tx.paymentHash} />
            ) : tx.status === "COMPLETED" ? (
              "Not known: a sandbox payment to another node is simulated, and only the payee's node knows the preimage"
            ) : (
              "Known once paid"
            ),
          ],
          ...(successAction ? ([["Message from the payee", successAction]] as [string, React.ReactNode][]) : []),
        ] as [string, React.ReactNode][])
      : []),
    ["Settled amount", tx.settleAmount === null ? "—" : <Amount key="sa" minor={tx.settleAmount} precision={tx.asset.precision} symbol={tx.asset.symbol} />],
    ["Amount in sats", tx.amountSats === null ? "—" : `${tx.amountSats.toLocaleString("en")} sats at ${tx.exchangeRate} sats/${tx.asset.symbol}`],
    ...(tx.pricedUsdCents !== null ? ([["Priced in USD", `USD ${formatUsdCents(tx.pricedUsdCents)} at USD ${tx.pricedUsdRate} per ${tx.asset.symbol} (rounded up)`]] as [string, React.ReactNode][]) : []),
    [
      "USD at settlement",
      tx.settledUsdCents !== null ? `USD ${formatUsdCents(tx.settledUsdCents)} at USD ${tx.settledUsdRate} per ${tx.asset.symbol}` : tx.status === "COMPLETED" ? "Not recorded (settled before USD values were kept)" : "Recorded when it completes",
    ],
    ["Description", tx.description || "—"],
    ["Idempotency key", <span key="i" className="font-mono text-xs">{tx.idempotencyKey}</span>],
    ["Created", `${dateFormat.format(tx.createdAt)} UTC`],
    ["Expires", tx.expiresAt ? `${dateFormat.format(tx.expiresAt)} UTC` : "—"],
    ["Settled", tx.settledAt ? `${dateFormat.format(tx.settledAt)} UTC` : "—"],
    ["Error", tx.error ?? "—"],
  ];
  return (
    <>
      <PageHeader
        title="Transaction"
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-xs">{tx.id}</span>
            <CopyButton value={tx.id} label="transaction id" />
          </span>
        }
        actions={
          tx.direction === "SEND" ? (
            <LiveStatus transactionId={tx.id} initial={tx.status} poll={getTransactionStatusAction} />
          ) : tx.direction === "RECEIVE" ? (
            <Link href={`/pay/${environmentId}/invoices/${tx.id}`} className="text-sm font-semibold text-indigo-700 underline dark:text-indigo-300">
              Invoice and QR code
            </Link>
          ) : undefined
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Details">
          <dl className="grid grid-cols-3 gap-x-4 gap-y-3 text-sm">
            {fields.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-gray-600 dark:text-gray-400">{k}</dt>
                <dd className="col-span-2 break-words">{v}</dd>
              </div>
            ))}
          </dl>
        </Card>
        <Card title="Timeline">
          <ol className="relative space-y-4 border-l border-gray-200 pl-5 dark:border-gray-700">
            {tx.events.map((e) => (
              <li key={e.id}>
                <span aria-hidden="true" className="absolute -left-1.5 mt-1.5 size-3 rounded-full border-2 border-white bg-indigo-600 dark:border-gray-900" />
                <p className="font-mono text-xs font-semibold">{e.eventType}</p>
                <p className="text-sm">{e.message}</p>
                <p className="text-xs text-gray-600 dark:text-gray-400">{dateFormat.format(e.createdAt)} UTC</p>
              </li>
            ))}
          </ol>
        </Card>
      </div>
      <div className="mt-6">
        <Card title="Raw JSON" description="As returned by payment.transaction.find_one.">
          <pre className="max-h-96 overflow-auto rounded-md bg-gray-50 p-3 text-xs dark:bg-gray-950" tabIndex={0} aria-label="Transaction as JSON">
            {JSON.stringify(gqlTransaction(tx), null, 2)}
          </pre>
        </Card>
      </div>
    </>
  );
}
