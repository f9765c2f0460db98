"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { TextAreaField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { setSendMacaroonAction } from "./actions";

/**
 * The optional send macaroon (offchain:read and offchain:write): with it, live create_send pays
 * through the node itself. The node is asked before it is stored; it is never shown again.
 */
export function SendMacaroonForm({ environmentId, nodeId, stored }: { environmentId: string; nodeId: string; stored: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [value, setValue] = useState("");
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();

  function save(macaroon: string) {
    startTransition(async () => {
      const result = await setSendMacaroonAction(environmentId, nodeId, macaroon);
      if (!result.ok) {
        setError(result.error.detail ?? result.error.message);
        return;
      }
      setError(null);
      setValue("");
      toast(result.data.stored ? "Send macaroon stored: live payments go through the node" : "Send macaroon removed: clients pay live sends on the node", "success");
      router.refresh();
    });
  }

  const id = "field-send-macaroon";
  return (
    <form
      action={() => save(value)}
      className="space-y-3"
      noValidate
      aria-label="Send macaroon"
    >
      <p className="text-sm text-gray-700 dark:text-gray-300">
        {stored ? "A send macaroon is stored: create_send on this environment pays through the node." : "No send macaroon: live sends are paid by clients on the node (admin macaroon above)."}
      </p>
      <TextAreaField
        id={id}
        label={stored ? "Replace the send macaroon (hex or base64)" : "Send macaroon (hex or base64)"}
        name="macaroon"
        rows={3}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder="0201036c6e64…"
        hint={
          <>
            Bake one with <code>lncli bakemacaroon offchain:read offchain:write info:read</code>. Boltrail checks it on the node, stores it encrypted and never shows it again.
          </>
        }
        error={error ?? undefined}
      />
      <div className="flex flex-wrap justify-end gap-2">
        {stored && (
          <Button variant="secondary" disabled={pending} onClick={() => save("")}>
            Remove
          </Button>
        )}
        <Button type="submit" disabled={pending || value.trim() === ""} aria-busy={pending}>
          {pending && <Spinner />}
          {pending ? "Checking on the node…" : "Store send macaroon"}
        </Button>
      </div>
    </form>
  );
}
