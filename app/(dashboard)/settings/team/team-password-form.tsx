"use client";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { DeriveProgressBar, NeverSentNotice, useTeamKeys } from "@/components/custody/use-team-keys";
import { checkTeamPasswordAction, storeTeamPasswordAction } from "./actions";

export const TEAM_PASSWORD_MIN_LENGTH = 12;
type Errors = Partial<Record<"current" | "password" | "confirm" | "form", string>>;

/**
 * The team password of Rails' custody model (issue 14): it protects the node's admin macaroon,
 * encrypted in the browser. Setting it creates the team's symmetric key here and uploads it
 * encrypted under the derived master key; changing it proves the current password, then re-wraps
 * the same symmetric key (stored macaroons stay readable).
 */
export function TeamPasswordForm({ teamId, isSet, encryptedSymmetricKey }: { teamId: string; isSet: boolean; encryptedSymmetricKey: string | null }) {
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [pending, startTransition] = useTransition();
  const { progress, derive } = useTeamKeys();
  const currentRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const router = useRouter();
  const toast = useToast();

  function validate(): Errors {
    const found: Errors = {};
    if (isSet && !current.trim()) found.current = "Enter the current team password";
    if (password.trim().length < TEAM_PASSWORD_MIN_LENGTH) found.password = `Use at least ${TEAM_PASSWORD_MIN_LENGTH} characters (spaces around it are ignored)`;
    if (confirm !== password) found.confirm = "Does not match the new password";
    return found;
  }

  function submit() {
    const found = validate();
    setErrors(found);
    const first = (["current", "password", "confirm"] as const).find((f) => found[f]);
    if (first) return { current: currentRef, password: passwordRef, confirm: confirmRef }[first].current?.focus();
    startTransition(async () => {
      try {
        const envelope = await import("@/lib/custody/envelope");
        let symmetricKey: string;
        if (isSet) {
          const old = await derive(current, teamId);
          const proven = await checkTeamPasswordAction(old.masterPasswordHash);
          if (!proven.ok) return setErrors({ form: proven.error.message });
          if (!proven.data) {
            setErrors({ current: "Wrong team password" });
            return currentRef.current?.focus();
          }
          symmetricKey = envelope.decryptSymmetricKey(encryptedSymmetricKey ?? "", old.masterKey);
        } else {
          symmetricKey = envelope.generateSymmetricKey();
        }
        const keys = await derive(password, teamId);
        const stored = await storeTeamPasswordAction({ encrypted_symmetric_key: envelope.encryptSymmetricKey(symmetricKey, keys.masterKey), password_hash: keys.masterPasswordHash });
        if (!stored.ok) return setErrors({ form: stored.error.message });
        setCurrent("");
        setPassword("");
        setConfirm("");
        toast(isSet ? "Team password changed" : "Team password set", "success");
        router.refresh();
      } catch (err) {
        setErrors({ form: err instanceof Error ? err.message : "The keys could not be derived in this browser" });
      }
    });
  }

  return (
    <form action={submit} className="max-w-md space-y-4" noValidate aria-label={isSet ? "Change the team password" : "Set the team password"}>
      <p className="text-sm text-gray-700 dark:text-gray-300">
        {isSet
          ? "A team password is set. Clients that pay from live wallets (this dashboard, Rails' SDK) need it to decrypt the node's admin macaroon."
          : "No team password yet. Set one to store your node's admin macaroon encrypted, so that clients knowing the password can pay from live wallets."}
      </p>
      {isSet && (
        <Field ref={currentRef} label="Current team password" name="current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={errors.current} />
      )}
      <Field
        ref={passwordRef}
        label={isSet ? "New team password" : "Team password"}
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.password}
        hint={`At least ${TEAM_PASSWORD_MIN_LENGTH} characters. Share it only with people and backends allowed to spend from live wallets.`}
      />
      <Field ref={confirmRef} label="Repeat it" name="confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} error={errors.confirm} />
      <NeverSentNotice />
      <DeriveProgressBar progress={progress} />
      <FormError message={errors.form} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending && <Spinner />}
        {pending ? "Deriving keys…" : isSet ? "Change team password" : "Set team password"}
      </Button>
    </form>
  );
}
