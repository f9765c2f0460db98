"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { DialogActions } from "@/components/ui/dialog-actions";
import { Field, FormError } from "@/components/ui/field";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { createWalletAction } from "./actions";

export type AssetOption = { id: string; symbol: string; name: string; precision: number };

export function CreateWalletButton({ environmentId, assets, label = "New wallet" }: { environmentId: string; assets: AssetOption[]; label?: string }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const toast = useToast();
  const form = useServerForm({
    schema: () => import("@/lib/wallets/schemas").then((m) => m.CreateWalletInput),
    defaultValues: { environment_id: environmentId, name: "", asset_id: assets[0]?.id ?? "" },
    submit: (values) => createWalletAction(values),
    onSuccess: (id, values) => {
      setOpen(false);
      form.reset();
      toast(`Wallet "${values.name.trim()}" created`, "success");
      router.push(`/pay/${environmentId}/wallets/${id}`);
    },
  });

  return (
    <>
      <Button onClick={() => setOpen(true)}>{label}</Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="New wallet" description="A wallet holds a balance in exactly one asset.">
        <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
          <Field label="Name" placeholder="Main USDT wallet" maxLength={80} counter required {...form.field("name")} />
          <fieldset>
            <legend className="text-sm font-medium">Asset</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-3">
              {assets.map((a) => (
                <label key={a.id} className="flex cursor-pointer items-center gap-2 rounded-md border border-gray-300 px-3 py-2 text-sm has-checked:border-indigo-600 has-checked:bg-indigo-50 dark:border-gray-600 dark:has-checked:bg-indigo-950">
                  <input type="radio" value={a.id} {...form.register("asset_id")} />
                  <span>
                    <span className="font-semibold">{a.symbol}</span>
                    <span className="block text-xs text-gray-600 dark:text-gray-400">{a.name}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <FormError message={form.generalError ?? form.formState.errors.asset_id?.message} />
          <DialogActions onCancel={() => setOpen(false)} pending={form.pending} submitLabel="Create wallet" pendingLabel="Creating…" />
        </form>
      </Dialog>
    </>
  );
}
