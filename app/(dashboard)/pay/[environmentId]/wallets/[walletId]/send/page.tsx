import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/dashboard";
import { assetRates } from "@/lib/assets/prices";
import { findWallet } from "@/lib/wallets/manage-wallets";
import { PageHeader } from "@/components/ui/card";
import { orNotFound } from "../../../../../_components/or-not-found";
import { custodyStatus } from "@/lib/custody/credentials";
import { SendForm } from "./send-form";

export const metadata: Metadata = { title: "Send" };

export default async function SendPage({ params }: { params: Promise<{ environmentId: string; walletId: string }> }) {
  const { environmentId, walletId } = await params;
  const actor = await requireUser();
  const wallet = await orNotFound(findWallet(actor, walletId));
  if (wallet.environmentId !== environmentId) notFound();
  const custody = wallet.environment.type === "LIVE" ? await custodyStatus(actor, environmentId) : null;
  const clientPay =
    custody?.sendMode === "client" && custody.node ? { teamId: custody.teamId, restUrl: custody.node.restUrl, ready: custody.passwordSet && custody.node.adminMacaroonStored } : null;
  return (
    <>
      <PageHeader title="Send" description={`Pay a Lightning invoice or a Lightning Address from ${wallet.name} (${wallet.asset.symbol}).`} />
      <SendForm
        environmentId={environmentId}
        walletId={wallet.id}
        asset={assetRates(wallet.asset)}
        sandbox={wallet.environment.type === "SANDBOX"}
        clientPay={clientPay}
      />
    </>
  );
}
