"use client";
import { useRouter } from "next/navigation";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { useToast } from "@/components/ui/toast";
import { deleteWalletAction } from "../actions";

export function DeleteWalletButton({ environmentId, walletId, name }: { environmentId: string; walletId: string; name: string }) {
  const toast = useToast();
  const router = useRouter();
  return (
    <ConfirmForm
      trigger="Delete wallet"
      title={`Delete "${name}"?`}
      body="The wallet and its transaction history are deleted. This cannot be undone."
      confirmLabel="Delete wallet"
      hidden={{}}
      action={async () => {
        const result = await deleteWalletAction(environmentId, walletId);
        if (result.ok) {
          toast(`Wallet "${name}" deleted`, "success");
          router.push(`/pay/${environmentId}/wallets`);
        } else toast(result.error.detail ?? result.error.message, "error");
      }}
    />
  );
}
