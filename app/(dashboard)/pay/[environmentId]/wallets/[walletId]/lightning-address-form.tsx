"use client";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { CopyButton } from "@/components/ui/copy-button";
import { useToast } from "@/components/ui/toast";
import { AddressQr } from "@/components/payments/qr-code";
import { setLightningAddressAction } from "../actions";

/** The wallet's Lightning Address: shown with copy and QR, chosen or removed here. */
export function LightningAddressForm({ environmentId, walletId, address, host }: { environmentId: string; walletId: string; address: string | null; host: string }) {
  const [removing, startRemoving] = useTransition();
  const toast = useToast();
  const saved = (set: string | null) => {
    toast(set ? `Lightning Address set: ${set}` : "Lightning Address removed", "success");
    if (!set) form.reset({ name: "" });
  };
  const form = useServerForm({
    schema: () => import("@/lib/wallets/schemas").then((m) => m.LightningAddressInput),
    defaultValues: { name: address ? address.slice(0, address.lastIndexOf("@")) : "" },
    submit: (values) => setLightningAddressAction(environmentId, walletId, values.name),
    onSuccess: saved,
  });
  const remove = () =>
    startRemoving(async () => {
      const result = await setLightningAddressAction(environmentId, walletId, "");
      if (result.ok) saved(result.data);
      else form.setError("name", { message: result.error.detail ?? result.error.message });
    });
  const pending = form.pending || removing;
  const error = form.formState.errors.name?.message ?? form.generalError;

  return (
    <div className="space-y-4">
      {address ? (
        <div className="flex flex-wrap items-center gap-4">
          <AddressQr address={address} />
          <div className="space-y-1">
            <p className="flex flex-wrap items-center gap-2 font-mono text-sm">
              <span data-testid="lightning-address">{address}</span>
              <CopyButton value={address} label="Lightning Address" />
            </p>
            <p className="text-xs text-gray-600 dark:text-gray-400">Any Lightning wallet can pay this address; each payment is an ordinary receive of this wallet.</p>
          </div>
        </div>
      ) : (
        <p className="text-sm text-gray-600 dark:text-gray-400">No Lightning Address yet. Give this wallet one, and payers need no invoice from you.</p>
      )}
      <form onSubmit={form.onSubmit} className="flex flex-wrap items-end gap-2" noValidate>
        <div className="space-y-1">
          <label htmlFor="lightning-address-name" className="block text-sm font-medium">
            Address name
          </label>
          <div className="flex items-center gap-1">
            <input
              id="lightning-address-name"
              {...form.register("name")}
              autoComplete="off"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "lightning-address-error" : "lightning-address-hint"}
              className="block w-48 rounded-md border border-gray-300 bg-white px-3 py-2 text-sm aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900"
            />
            <span className="font-mono text-sm text-gray-600 dark:text-gray-400">@{host}</span>
          </div>
        </div>
        <PendingButton pending={pending}>{address ? "Change address" : "Set address"}</PendingButton>
        {address && (
          <Button type="button" variant="secondary" disabled={pending} aria-busy={removing} onClick={remove}>
            Remove
          </Button>
        )}
      </form>
      <p id="lightning-address-hint" className="text-xs text-gray-600 dark:text-gray-400">
        Lowercase letters, digits, dots, dashes and underscores; unique on this Boltrail.
      </p>
      {error && (
        <p id="lightning-address-error" role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
