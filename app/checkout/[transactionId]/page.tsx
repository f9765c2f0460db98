import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";
import { getCheckout, type CheckoutView } from "@/lib/checkout/get-checkout";
import { Amount } from "@/components/ui/amount";
import { CopyButton } from "@/components/ui/copy-button";
import { Countdown } from "@/components/payments/countdown";
import { LiveStatus } from "@/components/payments/live-status";
import { InvoiceQr } from "@/components/payments/qr-code";
import { getCheckoutStatusAction } from "../actions";

export const metadata: Metadata = { title: "Pay with Lightning", robots: { index: false } };
export const dynamic = "force-dynamic";

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
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-md rounded-xl border border-gray-200 bg-white p-8 text-center shadow-sm dark:border-gray-800 dark:bg-gray-900">
        <p className="text-sm text-gray-600 dark:text-gray-400">
          Pay <span className="font-semibold text-gray-900 dark:text-gray-100">{checkout.merchant}</span>
          {checkout.sandbox && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200">Sandbox</span>}
        </p>
        <h1 className="mt-2 text-3xl font-semibold">
          <Amount minor={checkout.amount} precision={checkout.asset.precision} symbol={checkout.asset.symbol} />
        </h1>
        <p className="text-sm text-gray-600 dark:text-gray-400">
          ≈ ${checkout.usdValue} USD · {checkout.amountSats.toLocaleString("en")} sats
        </p>
        {checkout.description && <p className="mt-2 text-sm">{checkout.description}</p>}
        <div className="mt-4 flex justify-center">
          <LiveStatus transactionId={checkout.id} initial={checkout.status} poll={getCheckoutStatusAction} redirectOnPaid={checkout.successUrl} />
        </div>
        {pending ? (
          <div className="mt-6 flex flex-col items-center gap-4">
            <a href={`lightning:${checkout.paymentRequest}`} aria-label="Open the invoice in your Lightning wallet">
              <InvoiceQr paymentRequest={checkout.paymentRequest} size={256} />
            </a>
            <p className="text-sm text-gray-600 dark:text-gray-400">Scan with any Lightning wallet, or copy the invoice.</p>
            <div className="flex w-full gap-2">
              <label htmlFor="checkout-invoice" className="sr-only">
                Lightning invoice
              </label>
              <input id="checkout-invoice" readOnly value={checkout.paymentRequest} className="block w-full rounded-md border border-gray-300 bg-gray-50 px-2 py-1.5 font-mono text-xs dark:border-gray-600 dark:bg-gray-950" />
              <CopyButton value={checkout.paymentRequest} label="invoice" />
            </div>
            {checkout.expiresAt && (
              <p className="text-sm">
                <Countdown expiresAt={checkout.expiresAt.toISOString()} active />
              </p>
            )}
          </div>
        ) : (
          <div className="mt-6 text-sm">
            {checkout.status === "COMPLETED" ? (
              <>
                <p className="text-lg font-semibold text-green-700 dark:text-green-400">Payment received. Thank you!</p>
                {checkout.successUrl && (
                  <a href={checkout.successUrl} className="mt-3 inline-block font-semibold text-indigo-700 underline dark:text-indigo-300">
                    Continue to {new URL(checkout.successUrl).host}
                  </a>
                )}
              </>
            ) : checkout.status === "EXPIRED" ? (
              <p>This invoice expired. Ask the merchant for a new one.</p>
            ) : (
              <p>This payment failed. Ask the merchant for a new invoice.</p>
            )}
          </div>
        )}
        <p className="mt-8 text-xs text-gray-600 dark:text-gray-400">Powered by Boltrail · ⚡ Lightning</p>
      </div>
    </main>
  );
}
