"use client";
import { useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { CopyButton } from "@/components/ui/copy-button";
import { FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { createInvitationAction, revokeInvitationAction } from "../actions";

export function CreateInvitation() {
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const create = () =>
    startTransition(async () => {
      const result = await createInvitationAction();
      if (result.ok) {
        setLink(new URL(result.data.path, window.location.origin).toString());
        setError(undefined);
      } else setError(result.error.message);
    });
  return (
    <Card title="Invite link" description="Create a link and send it to the person you want to add. It is shown only now.">
      <div className="space-y-4">
        <Button onClick={create} disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}
          {pending ? "Creating link…" : "Create invite link"}
        </Button>
        <FormError message={error} />
        {link && (
          <div className="space-y-2">
            <label htmlFor="invite-link" className="block text-sm font-medium">
              New invite link
            </label>
            <div className="flex gap-2">
              <input id="invite-link" readOnly value={link} className="block w-full rounded-md border border-gray-300 bg-gray-50 px-3 py-2 font-mono text-xs dark:border-gray-600 dark:bg-gray-950" />
              <CopyButton value={link} label="invite link" />
            </div>
            <p className="text-xs text-gray-600 dark:text-gray-400">Valid for 7 days, for one account. Copy it now: it is not shown again.</p>
          </div>
        )}
      </div>
    </Card>
  );
}

export function RevokeInvitationButton({ invitationId }: { invitationId: string }) {
  const toast = useToast();
  return (
    <ConfirmForm
      trigger="Revoke"
      triggerLabel="Revoke invitation"
      title="Revoke this invitation?"
      body="The link stops working at once. You can create a new one at any time."
      confirmLabel="Revoke invitation"
      hidden={{ invitationId }}
      action={async (form) => {
        const result = await revokeInvitationAction(form);
        toast(result.ok ? "Invitation revoked" : result.error.message, result.ok ? "success" : "error");
      }}
    />
  );
}
