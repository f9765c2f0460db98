import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/dashboard";
import { usdValue } from "@/lib/assets/prices";
import { findWallet } from "@/lib/wallets/manage-wallets";
import { listTransactions } from "@/lib/transactions/query-transactions";
import { Amount } from "@/components/ui/amount";
import { buttonClass } from "@/components/ui/button-class";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { orNotFound } from "../../../../_components/or-not-found";
import { TransactionsTable } from "../../_components/transactions-table";
import { DeleteWalletButton } from "./delete-wallet-button";
import { LightningAddressForm } from "./lightning-address-form";
import { fullAddress, ownHost } from "@/lib/lnurl/own-host";

export const metadata: Metadata = { title: "Wallet" };

export default async function WalletPage({ params }: { params: Promise<{ environmentId: string; walletId: string }> }) {
  const { environmentId, walletId } = await params;
  const actor = await requireUser();
  const wallet = await orNotFound(findWallet(actor, walletId));
  if (wallet.environmentId !== environmentId) notFound();
  const recent = await listTransactions(actor, { wallet_id: wallet.id, page: { limit: 10, offset: 0 } });
  const { asset } = wallet;
  return (
    <>
      <PageHeader
        title={wallet.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {asset.symbol} wallet · <span className="font-mono text-xs">{wallet.id}</span>
            <CopyButton value={wallet.id} label="wallet id" />
          </span>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            <Link href={`/pay/${environmentId}/wallets/${wallet.id}/send`} className={buttonClass("secondary")}>
              Send
            </Link>
            <Link href={`/pay/${environmentId}/wallets/${wallet.id}/invoices/new`} className={buttonClass("primary")}>
              New invoice
            </Link>
          </div>
        }
      />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {[
          { label: "Available", value: wallet.balance },
          { label: "Reserved by pending sends", value: wallet.reserved },
          { label: "Received", value: wallet.received },
          { label: "Sent", value: wallet.sent },
        ].map((c) => (
          <div key={c.label} className="rounded-lg border border-gray-200 bg-white p-5 dark:border-gray-800 dark:bg-gray-900">
            <p className="text-sm text-gray-600 dark:text-gray-400">{c.label}</p>
            <p className="mt-1 text-xl font-semibold">
              <Amount minor={c.value} precision={asset.precision} symbol={asset.symbol} />
            </p>
            <p className="text-xs text-gray-600 dark:text-gray-400">≈ ${usdValue(c.value, asset.precision, asset.symbol)} USD</p>
          </div>
        ))}
      </div>
      <div className="mt-6 space-y-6">
        <Card
          title="Recent transactions"
          actions={
            <Link href={`/pay/${environmentId}/transactions?wallet=${wallet.id}`} className="text-sm font-semibold text-indigo-700 underline dark:text-indigo-300">
              All transactions
            </Link>
          }
        >
          {recent.list.length === 0 ? (
            <EmptyState title="No transactions yet" body="Create an invoice to receive your first payment into this wallet, or send from it once it holds a balance." />
          ) : (
            <TransactionsTable environmentId={environmentId} transactions={recent.list} walletNames={new Map([[wallet.id, wallet.name]])} />
          )}
        </Card>
        {asset.type === "BASE_ASSET" && (
          <Card title="Lightning Address">
            <LightningAddressForm environmentId={environmentId} walletId={wallet.id} address={fullAddress(wallet.lightningAddress)} host={ownHost()} />
          </Card>
        )}
        <Card title="Delete wallet">
          <p className="mb-3 text-sm text-gray-600 dark:text-gray-400">Only possible when the balance is zero and no payment is pending.</p>
          <DeleteWalletButton environmentId={environmentId} walletId={wallet.id} name={wallet.name} />
        </Card>
      </div>
    </>
  );
}
