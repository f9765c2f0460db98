import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/dashboard";
import { listAssets } from "@/lib/assets/list-assets";
import { usdValue } from "@/lib/assets/prices";
import { findEnvironment } from "@/lib/environments/find-environment";
import { listWalletViews } from "@/lib/wallets/manage-wallets";
import { Amount } from "@/components/ui/amount";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Truncate } from "@/components/ui/truncate";
import { orNotFound } from "../../../_components/or-not-found";
import { CreateWalletButton } from "./create-wallet";

export const metadata: Metadata = { title: "Wallets" };

export default async function WalletsPage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  const actor = await requireUser();
  const environment = await orNotFound(findEnvironment(actor, environmentId));
  const [wallets, assets] = await Promise.all([listWalletViews(actor, environment.id), listAssets()]);
  const assetOptions = assets.map((a) => ({ id: a.id, symbol: a.symbol, name: a.name, precision: a.precision }));
  return (
    <>
      <PageHeader
        title="Wallets"
        description={`Balances in ${environment.name}. Each wallet holds one asset.`}
        actions={wallets.length > 0 ? <CreateWalletButton environmentId={environment.id} assets={assetOptions} /> : undefined}
      />
      {wallets.length === 0 ? (
        <EmptyState
          title="No wallets yet"
          body="Open a wallet in BTC, USDT or USDC to start issuing invoices."
          action={<CreateWalletButton environmentId={environment.id} assets={assetOptions} label="Create your first wallet" />}
        />
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {wallets.map((w) => (
            <li key={w.id}>
              <Link href={`/pay/${environment.id}/wallets/${w.id}`} className="block rounded-lg border border-gray-200 bg-white p-5 shadow-xs hover:border-indigo-400 dark:border-gray-800 dark:bg-gray-900">
                <p className="flex min-w-0 items-center justify-between gap-3 text-sm text-gray-600 dark:text-gray-400">
                  <Truncate text={w.name} className="font-medium text-gray-900 dark:text-gray-100" />
                  <span className="shrink-0">{w.asset.symbol}</span>
                </p>
                <p className="mt-3 text-2xl font-semibold">
                  <Amount minor={w.balance} precision={w.asset.precision} symbol={w.asset.symbol} />
                </p>
                <p className="text-sm text-gray-600 dark:text-gray-400">≈ ${usdValue(w.balance, w.asset.precision, w.asset.symbol)} USD</p>
                <p className="mt-3 text-xs text-gray-600 dark:text-gray-400">
                  Received <Amount minor={w.received} precision={w.asset.precision} symbol={w.asset.symbol} /> · Sent{" "}
                  <Amount minor={w.sent} precision={w.asset.precision} symbol={w.asset.symbol} />
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
