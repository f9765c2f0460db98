"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { TypedConfirmForm } from "@/components/ui/typed-confirm-form";
import { Dialog } from "@/components/ui/dialog";
import { DialogActions } from "@/components/ui/dialog-actions";
import { Field } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { renameApiKeyAction, revokeApiKeyAction } from "./actions";

export function KeyActions({ environmentId, id, name, active }: { environmentId: string; id: string; name: string; active: boolean }) {
  const [renaming, setRenaming] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const toast = useToast();

  function rename(form: FormData) {
    startTransition(async () => {
      const result = await renameApiKeyAction(environmentId, id, String(form.get("name") ?? ""));
      if (!result.ok) return setError(result.error.detail ?? result.error.message);
      setError(undefined);
      setRenaming(false);
      toast(`Renamed to "${result.data}"`, "success");
    });
  }

  return (
    <div className="flex justify-end gap-2">
      <Button variant="secondary" className="px-2.5 py-1.5 text-xs" onClick={() => setRenaming(true)} aria-label={`Rename ${name}`}>
        Rename
      </Button>
      {active && (
        <TypedConfirmForm
          trigger="Revoke"
          triggerLabel={`Revoke ${name}`}
          title={`Revoke "${name}"?`}
          body="Requests made with this key are refused from the next one on. This cannot be undone."
          expected={name}
          what="the key's name"
          confirmLabel="Revoke key"
          pendingLabel="Revoking…"
          action={async (typed) => {
            const result = await revokeApiKeyAction(environmentId, id, typed);
            if (!result.ok) return result.error.detail ?? result.error.message;
            toast(`API key "${result.data}" revoked`, "success");
          }}
        />
      )}
      <Dialog open={renaming} onClose={() => setRenaming(false)} title="Rename API key">
        <form action={rename} className="space-y-4" noValidate>
          <Field label="Name" name="name" defaultValue={name} required maxLength={80} error={error} />
          <DialogActions onCancel={() => setRenaming(false)} pending={pending} submitLabel="Save" />
        </form>
      </Dialog>
    </div>
  );
}
