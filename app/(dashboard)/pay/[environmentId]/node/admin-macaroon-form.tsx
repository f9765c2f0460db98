"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormError, TextAreaField } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { formFailure } from "@/components/ui/form/server-error";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { DeriveProgressBar, NeverSentNotice, useTeamKeys } from "@/components/custody/use-team-keys";
import { removeAdminMacaroonAction, storeAdminMacaroonAction } from "./actions";

/** The team password stays in the browser: this form's own rule for it; the macaroon's is the service's. */

/**
 * "Store admin macaroon" (Rails' custody, issue 14): the browser derives the team keys from the
 * team password, opens the team's symmetric key, encrypts the macaroon with it (NIP-44 v2) and
 * uploads only that envelope. A wrong password fails to open the key, here, before anything is sent.
 */
export function AdminMacaroonForm(props: { environmentId: string; nodeId: string; teamId: string; passwordSet: boolean; encryptedSymmetricKey: string | null; stored: boolean }) {
  const [removing, startRemoving] = useTransition();
  const { progress, derive } = useTeamKeys();
  const router = useRouter();
  const toast = useToast();
  const form = useServerForm({
    schema: () => import("@/lib/nodes/schemas").then((m) => m.AdminMacaroonForm),
    defaultValues: { password: "", macaroon: "" },
    submit: async ({ password, macaroon }) => {
      try {
        const envelope = await import("@/lib/custody/envelope");
        let hex: string;
        try {
          hex = envelope.normalizeMacaroonHex(macaroon);
        } catch (err) {
          return formFailure(err instanceof Error ? err.message : "Must be a macaroon", "macaroon");
        }
        const keys = await derive(password, props.teamId);
        let symmetricKey: string;
        try {
          symmetricKey = envelope.decryptSymmetricKey(props.encryptedSymmetricKey ?? "", keys.masterKey);
        } catch {
          return formFailure("Wrong team password", "password");
        }
        return await storeAdminMacaroonAction(props.environmentId, props.nodeId, envelope.encryptMacaroon(hex, symmetricKey));
      } catch (err) {
        return formFailure(err instanceof Error ? err.message : "The macaroon could not be encrypted in this browser");
      }
    },
    onSuccess: () => {
      form.reset();
      toast("Admin macaroon stored, encrypted: clients with the team password can pay from live wallets", "success");
      router.refresh();
    },
  });
  const pending = form.pending || removing;

  if (!props.passwordSet) {
    return (
      <p className="text-sm text-gray-700 dark:text-gray-300">
        Set a{" "}
        <Link href="/settings/team" className="text-indigo-700 underline dark:text-indigo-300">
          team password
        </Link>{" "}
        first: the admin macaroon is encrypted in your browser under the key it protects.
      </p>
    );
  }

  function remove() {
    startRemoving(async () => {
      const result = await removeAdminMacaroonAction(props.environmentId, props.nodeId);
      if (!result.ok) return form.setGeneralError(result.error.message);
      toast("Admin macaroon removed", "success");
      router.refresh();
    });
  }

  return (
    <form onSubmit={form.onSubmit} className="space-y-3" noValidate aria-label="Admin macaroon">
      <p className="text-sm text-gray-700 dark:text-gray-300">
        {props.stored ? "An admin macaroon is stored, encrypted under the team password." : "No admin macaroon stored: clients cannot pay from live wallets on this node yet."}
      </p>
      <Field id="field-team-password" label="Team password" type="password" autoComplete="current-password" {...form.field("password")} />
      <TextAreaField
        id="field-admin-macaroon"
        label={props.stored ? "Replace the admin macaroon (hex or base64)" : "Admin macaroon (hex or base64)"}
        rows={3}
        placeholder="0201036c6e64…"
        hint={
          <>
            <code>xxd -p -c 100000 ~/.lnd/data/chain/bitcoin/mainnet/admin.macaroon</code>, or a macaroon baked with <code>offchain:read offchain:write</code>. Encrypted in this browser before upload.
          </>
        }
        {...form.field("macaroon")}
      />
      <NeverSentNotice />
      <DeriveProgressBar progress={progress} />
      <FormError message={form.generalError} />
      <div className="flex flex-wrap justify-end gap-2">
        {props.stored && (
          <Button variant="secondary" disabled={pending} onClick={remove}>
            Remove
          </Button>
        )}
        <PendingButton pending={pending} pendingLabel="Encrypting…">
          Store admin macaroon
        </PendingButton>
      </div>
    </form>
  );
}
