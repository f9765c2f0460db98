"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { TypedConfirmForm } from "@/components/ui/typed-confirm-form";
import { Dialog } from "@/components/ui/dialog";
import { DialogActions } from "@/components/ui/dialog-actions";
import { Field, FormError } from "@/components/ui/field";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { renameApiKeyAction, revokeApiKeyAction } from "./actions";

export function KeyActions({ environmentId, id, name, active }: { environmentId: string; id: string; name: string; active: boolean }) {
  const [renaming, setRenaming] = useState(false);
  const toast = useToast();
  const form = useServerForm({
    schema: () => import("@/lib/api-keys/schemas").then((m) => m.UpdateApiKeyInput),
    defaultValues: { name },
    submit: (values) => renameApiKeyAction(environmentId, id, values.name),
    onSuccess: (renamed) => {
      setRenaming(false);
      form.reset({ name: renamed });
      toast(`Renamed to "${renamed}"`, "success");
    },
  });

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
        <form onSubmit={form.onSubmit} className="space-y-4" noValidate>
          <Field label="Name" required maxLength={80} counter {...form.field("name")} />
          <FormError message={form.generalError} />
          <DialogActions onCancel={() => setRenaming(false)} pending={form.pending} submitLabel="Save" />
        </form>
      </Dialog>
    </div>
  );
}
