"use client";
import { useRouter } from "next/navigation";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { useToast } from "@/components/ui/toast";
import { deleteEnvironmentAction } from "../actions";

export function DeleteEnvironmentButton({ environmentId, name }: { environmentId: string; name: string }) {
  const toast = useToast();
  const router = useRouter();
  return (
    <ConfirmForm
      trigger="Delete environment"
      title={`Delete "${name}"?`}
      body="Its API keys stop working at once, and its wallets, transactions and webhook endpoints are deleted. This cannot be undone."
      confirmLabel="Delete environment"
      hidden={{}}
      action={async () => {
        const result = await deleteEnvironmentAction(environmentId);
        if (result.ok) {
          toast(`Environment "${name}" deleted`, "success");
          router.push("/pay");
        } else toast(result.error.detail ?? result.error.message, "error");
      }}
    />
  );
}
