import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/dashboard";
import { assetRates } from "@/lib/assets/prices";
import { findWallet } from "@/lib/wallets/manage-wallets";
import { PageHeader } from "@/components/ui/card";
import { orNotFound } from "../../../../../../_components/or-not-found";
import { NewInvoiceForm } from "./new-invoice-form";

export const metadata: Metadata = { title: "New invoice" };

export default async function NewInvoicePage({ params }: { params: Promise<{ environmentId: string; walletId: string }> }) {
  const { environmentId, walletId } = await params;
  const actor = await requireUser();
  const wallet = await orNotFound(findWallet(actor, walletId));
  if (wallet.environmentId !== environmentId) notFound();
  return (
    <>
      <PageHeader title="New invoice" description={`Receive ${wallet.asset.symbol} into ${wallet.name}. The payer pays a Lightning invoice in sats.`} />
      <NewInvoiceForm
        environmentId={environmentId}
        walletId={wallet.id}
        rates={assetRates(wallet.asset)}
        sandbox={wallet.environment.type === "SANDBOX"}
      />
    </>
  );
}
