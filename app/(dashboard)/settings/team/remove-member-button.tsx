"use client";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { useToast } from "@/components/ui/toast";
import { removeMemberAction } from "../actions";

export function RemoveMemberButton({ userId, email }: { userId: string; email: string }) {
  const toast = useToast();
  return (
    <ConfirmForm
      trigger="Remove"
      triggerLabel={`Remove ${email}`}
      title={`Remove ${email}?`}
      body="Their account is deleted and they are signed out everywhere at once. This cannot be undone; you can invite them again later."
      confirmLabel="Remove member"
      hidden={{ userId }}
      action={async (form) => {
        const result = await removeMemberAction(form);
        toast(result.ok ? `${email} was removed from the team` : result.error.message, result.ok ? "success" : "error");
      }}
    />
  );
}
