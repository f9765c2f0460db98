"use client";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { FormError, TextAreaField } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { setSendMacaroonAction } from "./actions";


/**
 * The optional send macaroon (offchain:read and offchain:write): with it, live create_send pays
 * through the node itself. The node is asked before it is stored; it is never shown again.
 */
export function SendMacaroonForm({ environmentId, nodeId, stored }: { environmentId: string; nodeId: string; stored: boolean }) {
  const [removing, startRemoving] = useTransition();
  const router = useRouter();
  const toast = useToast();
  const saved = (data: { stored: boolean }) => {
    form.reset();
    toast(data.stored ? "Send macaroon stored: live payments go through the node" : "Send macaroon removed: clients pay live sends on the node", "success");
    router.refresh();
  };
  const form = useServerForm({
    schema: () => import("@/lib/nodes/schemas").then((m) => m.MacaroonForm),
    defaultValues: { macaroon: "" },
    submit: (values) => setSendMacaroonAction(environmentId, nodeId, values.macaroon),
    onSuccess: saved,
  });
  const remove = () =>
    startRemoving(async () => {
      const result = await setSendMacaroonAction(environmentId, nodeId, "");
      if (result.ok) saved(result.data);
      else form.setGeneralError(result.error.message);
    });
  const pending = form.pending || removing;

  const id = "field-send-macaroon";
  return (
    <form onSubmit={form.onSubmit} className="space-y-3" noValidate aria-label="Send macaroon">
      <p className="text-sm text-gray-700 dark:text-gray-300">
        {stored ? "A send macaroon is stored: create_send on this environment pays through the node." : "No send macaroon: live sends are paid by clients on the node (admin macaroon above)."}
      </p>
      <TextAreaField
        id={id}
        label={stored ? "Replace the send macaroon (hex or base64)" : "Send macaroon (hex or base64)"}
        rows={3}
        placeholder="0201036c6e64…"
        hint={
          <>
            Bake one with <code>lncli bakemacaroon offchain:read offchain:write info:read</code>. Boltrail checks it on the node, stores it encrypted and never shows it again.
          </>
        }
        {...form.field("macaroon")}
      />
      <FormError message={form.generalError} />
      <div className="flex flex-wrap justify-end gap-2">
        {stored && (
          <Button variant="secondary" disabled={pending} aria-busy={removing} onClick={remove}>
            Remove
          </Button>
        )}
        <PendingButton pending={pending} pendingLabel="Checking on the node…">
          Store send macaroon
        </PendingButton>
      </div>
    </form>
  );
}
