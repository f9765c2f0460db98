"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { Field, FormError, TextAreaField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { DeriveProgressBar, NeverSentNotice, useTeamKeys } from "@/components/custody/use-team-keys";
import { removeAdminMacaroonAction, storeAdminMacaroonAction } from "./actions";

type Errors = Partial<Record<"password" | "macaroon" | "form", string>>;

/**
 * "Store admin macaroon" (Rails' custody, issue 14): the browser derives the team keys from the
 * team password, opens the team's symmetric key, encrypts the macaroon with it (NIP-44 v2) and
 * uploads only that envelope. A wrong password fails to open the key, here, before anything is sent.
 */
export function AdminMacaroonForm(props: { environmentId: string; nodeId: string; teamId: string; passwordSet: boolean; encryptedSymmetricKey: string | null; stored: boolean }) {
  const [password, setPassword] = useState("");
  const [macaroon, setMacaroon] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [pending, startTransition] = useTransition();
  const { progress, derive } = useTeamKeys();
  const passwordRef = useRef<HTMLInputElement>(null);
  const router = useRouter();
  const toast = useToast();

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

  function submit() {
    const found: Errors = {};
    if (!password.trim()) found.password = "Enter the team password";
    if (!macaroon.trim()) found.macaroon = "Paste the admin macaroon (hex or base64)";
    setErrors(found);
    if (found.password) return passwordRef.current?.focus();
    if (found.macaroon) return document.getElementById("field-admin-macaroon")?.focus();
    startTransition(async () => {
      try {
        const envelope = await import("@/lib/custody/envelope");
        let hex: string;
        try {
          hex = envelope.normalizeMacaroonHex(macaroon);
        } catch (err) {
          return setErrors({ macaroon: err instanceof Error ? err.message : "Not a macaroon" });
        }
        const keys = await derive(password, props.teamId);
        let symmetricKey: string;
        try {
          symmetricKey = envelope.decryptSymmetricKey(props.encryptedSymmetricKey ?? "", keys.masterKey);
        } catch {
          setErrors({ password: "Wrong team password" });
          return passwordRef.current?.focus();
        }
        const result = await storeAdminMacaroonAction(props.environmentId, props.nodeId, envelope.encryptMacaroon(hex, symmetricKey));
        if (!result.ok) return setErrors({ form: result.error.message });
        setPassword("");
        setMacaroon("");
        toast("Admin macaroon stored, encrypted: clients with the team password can pay from live wallets", "success");
        router.refresh();
      } catch (err) {
        setErrors({ form: err instanceof Error ? err.message : "The macaroon could not be encrypted in this browser" });
      }
    });
  }

  function remove() {
    startTransition(async () => {
      const result = await removeAdminMacaroonAction(props.environmentId, props.nodeId);
      if (!result.ok) return setErrors({ form: result.error.message });
      toast("Admin macaroon removed", "success");
      router.refresh();
    });
  }

  return (
    <form action={submit} className="space-y-3" noValidate aria-label="Admin macaroon">
      <p className="text-sm text-gray-700 dark:text-gray-300">
        {props.stored ? "An admin macaroon is stored, encrypted under the team password." : "No admin macaroon stored: clients cannot pay from live wallets on this node yet."}
      </p>
      <Field ref={passwordRef} label="Team password" name="team-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} />
      <TextAreaField
        id="field-admin-macaroon"
        label={props.stored ? "Replace the admin macaroon (hex or base64)" : "Admin macaroon (hex or base64)"}
        name="admin-macaroon"
        rows={3}
        value={macaroon}
        onChange={(e) => setMacaroon(e.target.value)}
        placeholder="0201036c6e64…"
        hint={
          <>
            <code>xxd -p -c 100000 ~/.lnd/data/chain/bitcoin/mainnet/admin.macaroon</code>, or a macaroon baked with <code>offchain:read offchain:write</code>. Encrypted in this browser before upload.
          </>
        }
        error={errors.macaroon}
      />
      <NeverSentNotice />
      <DeriveProgressBar progress={progress} />
      <FormError message={errors.form} />
      <div className="flex flex-wrap justify-end gap-2">
        {props.stored && (
          <Button variant="secondary" disabled={pending} onClick={remove}>
            Remove
          </Button>
        )}
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}
          {pending ? "Encrypting…" : "Store admin macaroon"}
        </Button>
      </div>
    </form>
  );
}
