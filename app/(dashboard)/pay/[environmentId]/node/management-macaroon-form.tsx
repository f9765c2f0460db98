"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { TextAreaField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { storeManagementMacaroonAction } from "./actions";

/** Replaces the management macaroon Boltrail uses for invoices and for following payments (credentials.store_management), checked on the node first. */
export function ManagementMacaroonForm({ environmentId, nodeId, canTrack }: { environmentId: string; nodeId: string; canTrack: boolean | null }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();

  function save() {
    if (!value.trim()) return setError("Paste the management macaroon (hex or base64)");
    startTransition(async () => {
      const result = await storeManagementMacaroonAction(environmentId, nodeId, value.trim());
      if (!result.ok) return setError(result.error.detail ?? result.error.message);
      setError(null);
      setValue("");
      toast("Management macaroon replaced", "success");
      router.refresh();
    });
  }

  return (
    <form action={save} className="space-y-3" noValidate aria-label="Management macaroon">
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
        name="management-macaroon"
        rows={3}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setError(null);
        }}
        placeholder="0201036c6e64…"
        hint={
          <>
            Bake one with <code>lncli bakemacaroon info:read invoices:read invoices:write offchain:read</code>. Checked on the node, stored encrypted, never shown again.
          </>
        }
        error={error ?? undefined}
      />
      <div className="flex justify-end">
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}
          {pending ? "Checking on the node…" : "Store management macaroon"}
        </Button>
      </div>
    </form>
  );
}
