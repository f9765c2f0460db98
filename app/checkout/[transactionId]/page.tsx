import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import { getCheckout, type CheckoutView } from "@/lib/checkout/get-checkout";
import { Amount } from "@/components/ui/amount";
import { buttonClass } from "@/components/ui/button-class";
import { CopyButton } from "@/components/ui/copy-button";
import { Countdown } from "@/components/payments/countdown";
import { LiveStatus } from "@/components/payments/live-status";
import { InvoiceQr } from "@/components/payments/qr-code";
import { getCheckoutStatusAction } from "../actions";
import { CheckoutFrame } from "../checkout-frame";
import { PaidRedirect } from "./paid-redirect";

export const metadata: Metadata = { title: "Pay with Lightning", robots: { index: false } };
export const dynamic = "force-dynamic";

/**
 * The payer's page, phone first: who is asking, how much, then the ways to pay (scan, open in the
 * wallet on this phone, copy) and the time left. Once paid it says so, and only then (after a
 * moment) sends the payer back to the merchant's success URL.
 */
export default async function CheckoutPage({ params }: { params: Promise<{ transactionId: string }> }) {
  const { transactionId } = await params;
  let checkout: CheckoutView;
  try {
    checkout = await getCheckout(transactionId);
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  const pending = checkout.status === "PENDING";
  return (
    <CheckoutFrame>
      <div className="text-center">
        <p className="text-sm text-gray-600 dark:text-gray-400">Payment to</p>
        <p className="mt-0.5 text-lg font-semibold break-words text-gray-900 dark:text-gray-100">
          <span>{checkout.merchant}</span>
          {checkout.sandbox && <span className="ml-2 inline-block rounded bg-amber-100 px-1.5 py-0.5 align-middle text-xs font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">Sandbox</span>}
        </p>
        <h1 className="mt-4 text-4xl font-bold tracking-tight break-words sm:text-5xl">
          <Amount minor={checkout.amount} precision={checkout.asset.precision} symbol={checkout.asset.symbol} />
        </h1>
        <p className="mt-1 text-sm text-gray-600 dark:text-gray-400">
          {checkout.usdPriced ? "" : "≈ "}${checkout.usdValue} USD · {checkout.amountSats.toLocaleString("en")} sats
        </p>
        {checkout.description && <p className="mt-3 text-sm break-words">{checkout.description}</p>}
        <div className="mt-4 flex justify-center">
          {/* No redirect from here: the paid state below is shown first, then PaidRedirect moves on. */}
          <LiveStatus transactionId={checkout.id} initial={checkout.status} poll={getCheckoutStatusAction} redirectOnPaid={null} />
        </div>
      </div>
      {pending ? (
        <div className="mt-5 flex flex-col items-center gap-4">
          <InvoiceQr paymentRequest={checkout.paymentRequest} size={232} />
          <p className="text-center text-sm text-gray-600 dark:text-gray-400">Scan with any Lightning wallet, or pay from this device.</p>
          <div className="flex w-full flex-col gap-2 sm:flex-row">
            <a href={`lightning:${checkout.paymentRequest}`} className={buttonClass("primary", "w-full py-3 sm:flex-1")}>
              <span aria-hidden="true">⚡</span> Open in wallet
            </a>
            <CopyButton value={checkout.paymentRequest} label="invoice" className="w-full py-3 sm:w-auto" />
          </div>
          {checkout.expiresAt && (
            <p className="text-sm font-medium">
              <Countdown expiresAt={checkout.expiresAt.toISOString()} active />
            </p>
          )}
          <details className="w-full text-left text-sm">
            <summary className="cursor-pointer text-center font-medium text-indigo-700 dark:text-indigo-300">Show the invoice text</summary>
            <p className="mt-2 rounded-md border border-gray-300 bg-gray-50 p-2 font-mono text-xs break-all select-all dark:border-gray-600 dark:bg-gray-950">
              {checkout.paymentRequest}
            </p>
          </details>
        </div>
      ) : (
        <div className="mt-6 text-center">
          {checkout.status === "COMPLETED" ? (
            <div role="status">
              <p aria-hidden="true" className="mx-auto flex size-16 items-center justify-center rounded-full bg-green-100 text-3xl text-green-700 dark:bg-green-950 dark:text-green-300">
                ✓
              </p>
              <p className="mt-3 text-2xl font-semibold text-green-700 dark:text-green-400">Paid</p>
              <p className="mt-1 text-sm">Payment received. Thank you!</p>
              {checkout.successUrl && <PaidRedirect url={checkout.successUrl} />}
            </div>
          ) : checkout.status === "EXPIRED" ? (
            <p className="text-sm">This invoice expired. Ask the merchant for a new one.</p>
          ) : (
            <p className="text-sm">This payment failed. Ask the merchant for a new invoice.</p>
          )}
        </div>
      )}
    </CheckoutFrame>
  );
}
