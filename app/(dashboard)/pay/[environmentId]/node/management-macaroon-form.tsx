"use client";
import { useRouter } from "next/navigation";
import { FormError, TextAreaField } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { storeManagementMacaroonAction } from "./actions";


/** Replaces the management macaroon Boltrail uses for invoices and for following payments (credentials.store_management), checked on the node first. */
export function ManagementMacaroonForm({ environmentId, nodeId, canTrack }: { environmentId: string; nodeId: string; canTrack: boolean | null }) {
  const router = useRouter();
  const toast = useToast();
  const form = useServerForm({
    schema: () => import("@/lib/nodes/schemas").then((m) => m.MacaroonForm),
    defaultValues: { macaroon: "" },
    submit: (values) => storeManagementMacaroonAction(environmentId, nodeId, values.macaroon.trim()),
    onSuccess: () => {
      form.reset();
      toast("Management macaroon replaced", "success");
      router.refresh();
    },
  });

  return (
    <form onSubmit={form.onSubmit} className="space-y-3" noValidate aria-label="Management macaroon">
      <p className="text-sm text-gray-700 dark:text-gray-300">
        {canTrack
          ? "The management macaroon can follow payments (offchain:read): payments made by clients on the node are recorded."
          : canTrack === false
            ? "The management macaroon cannot follow payments (no offchain:read): without a send macaroon, live sends are refused until you store one that can."
            : "Not checked yet whether the management macaroon can follow payments."}
      </p>
      <TextAreaField
        id="field-management-macaroon"
        label="Replace the management macaroon (hex or base64)"
        rows={3}
        placeholder="0201036c6e64…"
        hint={
          <>
            Bake one with <code>lncli bakemacaroon info:read invoices:read invoices:write offchain:read</code>. Checked on the node, stored encrypted, never shown again.
          </>
        }
        {...form.field("macaroon")}
      />
      <FormError message={form.generalError} />
      <div className="flex justify-end">
        <PendingButton pending={form.pending} pendingLabel="Checking on the node…">
          Store management macaroon
        </PendingButton>
      </div>
    </form>
  );
}
