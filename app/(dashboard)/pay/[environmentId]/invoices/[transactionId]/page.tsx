import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/dashboard";
import { usdValue } from "@/lib/assets/prices";
import { formatUsdCents } from "@/lib/assets/convert";
import { findTransaction } from "@/lib/transactions/query-transactions";
import { Amount } from "@/components/ui/amount";
import { Card, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Countdown } from "@/components/payments/countdown";
import { LiveStatus } from "@/components/payments/live-status";
import { ByStatus } from "@/components/live/by-status";
import { InvoiceQr } from "@/components/payments/qr-code";
import { orNotFound } from "../../../../_components/or-not-found";
import { getTransactionStatusAction } from "../actions";
import { SandboxControls } from "./sandbox-controls";

export const metadata: Metadata = { title: "Invoice" };

export default async function InvoicePage({ params }: { params: Promise<{ environmentId: string; transactionId: string }> }) {
  const { environmentId, transactionId } = await params;
  const actor = await requireUser();
  const tx = await orNotFound(findTransaction(actor, transactionId));
  if (tx.environmentId !== environmentId || tx.direction !== "RECEIVE") notFound();
  const pending = tx.status === "PENDING";
  return (
    <>
      <PageHeader
        title="Invoice"
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-xs">{tx.id}</span>
            <CopyButton value={tx.id} label="transaction id" />
          </span>
        }
        actions={<LiveStatus transactionId={tx.id} initial={tx.status} poll={getTransactionStatusAction} />}
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <div className="flex flex-col items-center gap-4 text-center">
            <p className="text-3xl font-semibold">
              <Amount minor={tx.amount} precision={tx.asset.precision} symbol={tx.asset.symbol} />
            </p>
            {tx.pricedUsdCents !== null && (
              <p className="text-base font-medium" data-testid="usd-price">
                Priced at USD {formatUsdCents(tx.pricedUsdCents)}
                <span className="text-sm font-normal text-gray-600 dark:text-gray-400"> (at USD {tx.pricedUsdRate} per {tx.asset.symbol}, rounded up)</span>
              </p>
            )}
            <p className="text-sm text-gray-600 dark:text-gray-400">
              {[
                tx.pricedUsdCents === null ? `≈ $${usdValue(tx.amount, tx.asset.precision, tx.asset.symbol)} USD` : null,
                tx.asset.type === "BASE_ASSET" ? `${tx.amount.toLocaleString("en")} sats` : null,
                tx.amountSats !== null ? `payer pays ${tx.amountSats.toLocaleString("en")} sats at ${tx.exchangeRate} sats/${tx.asset.symbol}` : null,
              ]
                .filter(Boolean)
                .join(" · ")}
            </p>
            {/* The QR code while pending, the outcome once ended: switched by the same status as the header's badge. */}
            <ByStatus
              transactionId={tx.id}
              initial={tx.status}
              views={{
                PENDING: tx.paymentRequest && (
                  <>
                    <InvoiceQr paymentRequest={tx.paymentRequest} />
                    {tx.expiresAt && <Countdown expiresAt={tx.expiresAt.toISOString()} active={pending} />}
                  </>
                ),
                COMPLETED: <InvoiceOutcome text="Paid — this invoice has been settled." />,
                FAILED: <InvoiceOutcome text={`Failed: ${tx.error ?? "the payment did not go through"}.`} />,
                EXPIRED: <InvoiceOutcome text="This invoice expired without being paid." />,
              }}
            />
            {tx.description && <p className="text-sm">{tx.description}</p>}
          </div>
        </Card>
        <div className="space-y-6">
          <Card title="Payment request">
            <div className="space-y-3">
              <label htmlFor="bolt11" className="sr-only">
                BOLT11 invoice
              </label>
              <textarea id="bolt11" readOnly rows={4} value={tx.paymentRequest ?? ""} className="block w-full resize-none rounded-md border border-gray-300 bg-gray-50 p-2 font-mono text-xs break-all dark:border-gray-600 dark:bg-gray-950" />
              <div className="flex flex-wrap gap-2">
                <CopyButton value={tx.paymentRequest ?? ""} label="invoice" />
                <a href={`lightning:${tx.paymentRequest}`} className="text-sm font-semibold text-indigo-700 underline dark:text-indigo-300">
                  Open in wallet
                </a>
              </div>
              <p className="flex items-center gap-2 text-xs">
                <span className="text-gray-600 dark:text-gray-400">Payment hash</span>
                <span className="truncate font-mono" title={tx.paymentHash ?? undefined}>{tx.paymentHash}</span>
                <CopyButton value={tx.paymentHash ?? ""} label="payment hash" />
              </p>
            </div>
          </Card>
          {pending && tx.environmentType === "SANDBOX" && (
            <ByStatus
              transactionId={tx.id}
              initial={tx.status}
              views={{
                PENDING: (
                  <Card title="Sandbox" description="Sandbox invoices settle by themselves after a few seconds; end this one now instead:">
                    <SandboxControls environmentId={environmentId} transactionId={tx.id} />
                  </Card>
                ),
              }}
            />
          )}
          <Card title="Share">
            <p className="text-sm">
              <Link href={`/checkout/${tx.id}`} className="font-semibold text-indigo-700 underline dark:text-indigo-300" target="_blank">
                Hosted checkout page
              </Link>{" "}
              — send this link to the payer.
            </p>
            <p className="mt-2 text-sm">
              <Link href={`/pay/${environmentId}/transactions/${tx.id}`} className="font-semibold text-indigo-700 underline dark:text-indigo-300">
                Transaction details and timeline
              </Link>
            </p>
          </Card>
        </div>
      </div>
    </>
  );
}

function InvoiceOutcome({ text }: { text: string }) {
  return <p className="rounded-md bg-gray-100 px-4 py-6 text-sm dark:bg-gray-800">{text}</p>;
}
