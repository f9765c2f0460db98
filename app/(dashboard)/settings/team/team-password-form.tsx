"use client";
import { useRouter } from "next/navigation";
import { useMemo } from "react";
import { Field, FormError } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { formFailure } from "@/components/ui/form/server-error";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { DeriveProgressBar, NeverSentNotice, useTeamKeys } from "@/components/custody/use-team-keys";
import { atLeast, enter } from "@/lib/form-messages";
import { checkTeamPasswordAction, storeTeamPasswordAction } from "./actions";

export const TEAM_PASSWORD_MIN_LENGTH = 12;

/**
 * The team password never reaches the server (only what is derived from it in the browser), so this
 * schema is the form's own; the server checks the derived hash and the encrypted key.
 */
async function teamPasswordSchema(isSet: boolean) {
  const { z } = await import("zod");
  return z
    .object({
      current: isSet ? z.string().trim().min(1, enter("the current team password")) : z.string(),
      password: z.string().refine((v) => v.trim().length >= TEAM_PASSWORD_MIN_LENGTH, `${atLeast(TEAM_PASSWORD_MIN_LENGTH)} (spaces around it are ignored)`),
      confirm: z.string(),
    })
    .refine((v) => v.confirm === v.password, {
      path: ["confirm"],
      message: "Must match the new password",
      // Checked with the other fields' errors, so every problem shows at once.
      when: (payload) => typeof (payload.value as { password?: unknown })?.password === "string",
    });
}

/**
 * The team password of Rails' custody model (issue 14): it protects the node's admin macaroon,
 * encrypted in the browser. Setting it creates the team's symmetric key here and uploads it
 * encrypted under the derived master key; changing it proves the current password, then re-wraps
 * the same symmetric key (stored macaroons stay readable).
 */
export function TeamPasswordForm({ teamId, isSet, encryptedSymmetricKey }: { teamId: string; isSet: boolean; encryptedSymmetricKey: string | null }) {
  const { progress, derive } = useTeamKeys();
  const router = useRouter();
  const toast = useToast();
  const schema = useMemo(() => () => teamPasswordSchema(isSet), [isSet]);
  const form = useServerForm({
    schema,
    defaultValues: { current: "", password: "", confirm: "" },
    submit: async ({ current, password }) => {
      try {
        const envelope = await import("@/lib/custody/envelope");
        let symmetricKey: string;
        if (isSet) {
          const old = await derive(current, teamId);
          const proven = await checkTeamPasswordAction(old.masterPasswordHash);
          if (!proven.ok) return proven;
          if (!proven.data) return formFailure("Wrong team password", "current");
          symmetricKey = envelope.decryptSymmetricKey(encryptedSymmetricKey ?? "", old.masterKey);
        } else {
          symmetricKey = envelope.generateSymmetricKey();
        }
        const keys = await derive(password, teamId);
        return await storeTeamPasswordAction({ encrypted_symmetric_key: envelope.encryptSymmetricKey(symmetricKey, keys.masterKey), password_hash: keys.masterPasswordHash });
      } catch (err) {
        return formFailure(err instanceof Error ? err.message : "The keys could not be derived in this browser");
      }
    },
    onSuccess: () => {
      form.reset();
      toast(isSet ? "Team password changed" : "Team password set", "success");
      router.refresh();
    },
  });

  return (
    <form onSubmit={form.onSubmit} className="max-w-md space-y-4" noValidate aria-label={isSet ? "Change the team password" : "Set the team password"}>
      <p className="text-sm text-gray-700 dark:text-gray-300">
        {isSet
          ? "A team password is set. Clients that pay from live wallets (this dashboard, Rails' SDK) need it to decrypt the node's admin macaroon."
          : "No team password yet. Set one to store your node's admin macaroon encrypted, so that clients knowing the password can pay from live wallets."}
      </p>
      {isSet && <Field label="Current team password" type="password" autoComplete="current-password" {...form.field("current")} />}
      <Field
        label={isSet ? "New team password" : "Team password"}
        type="password"
        autoComplete="new-password"
        hint={`At least ${TEAM_PASSWORD_MIN_LENGTH} characters. Share it only with people and backends allowed to spend from live wallets.`}
        {...form.field("password")}
      />
      <Field label="Repeat it" type="password" autoComplete="new-password" {...form.field("confirm")} />
      <NeverSentNotice />
      <DeriveProgressBar progress={progress} />
      <FormError message={form.generalError} />
      <PendingButton pending={form.pending} pendingLabel="Deriving keys…">
        {isSet ? "Change team password" : "Set team password"}
      </PendingButton>
    </form>
  );
}
