"use client";
import { useRouter } from "next/navigation";
import { TypedConfirmForm } from "@/components/ui/typed-confirm-form";
import { useToast } from "@/components/ui/toast";
import { deleteEnvironmentAction } from "../actions";

export function DeleteEnvironmentButton({ environmentId, name }: { environmentId: string; name: string }) {
  const toast = useToast();
  const router = useRouter();
  return (
    <TypedConfirmForm
      trigger="Delete environment"
      title={`Delete "${name}"?`}
      body="Its API keys stop working at once, and its wallets, transactions and webhook endpoints are deleted. This cannot be undone."
      expected={name}
      what="the environment's name"
      confirmLabel="Delete environment"
      pendingLabel="Deleting…"
      action={async (typed) => {
        const result = await deleteEnvironmentAction(environmentId, typed);
        if (!result.ok) return result.error.detail ?? result.error.message;
        toast(`Environment "${name}" deleted`, "success");
        router.push("/pay");
      }}
    />
  );
}
