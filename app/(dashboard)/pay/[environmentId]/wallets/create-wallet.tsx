"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { DialogActions } from "@/components/ui/dialog-actions";
import { Field, FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { createWalletAction } from "./actions";

export type AssetOption = { id: string; symbol: string; name: string; precision: number };

export function CreateWalletButton({ environmentId, assets, label = "New wallet" }: { environmentId: string; assets: AssetOption[]; label?: string }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();

  function submit(form: FormData) {
    const input = { environment_id: environmentId, name: String(form.get("name") ?? ""), asset_id: String(form.get("asset_id") ?? "") };
    startTransition(async () => {
      const result = await createWalletAction(input);
      if (!result.ok) return setError({ field: result.error.field, message: result.error.detail ?? result.error.message });
      setOpen(false);
      setError(null);
      toast(`Wallet "${input.name.trim()}" created`, "success");
      router.push(`/pay/${environmentId}/wallets/${result.data}`);
    });
  }

  return (
    <>
      <Button onClick={() => setOpen(true)}>{label}</Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="New wallet" description="A wallet holds a balance in exactly one asset.">
        <form action={submit} className="space-y-5" noValidate>
          <Field label="Name" name="name" placeholder="Main USDT wallet" maxLength={80} required error={error?.field === "input.name" ? error.message : undefined} />
          <fieldset>
            <legend className="text-sm font-medium">Asset</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-3">
              {assets.map((a, i) => (
                <label key={a.id} className="flex cursor-pointer items-center gap-2 rounded-md border border-gray-300 px-3 py-2 text-sm has-checked:border-indigo-600 has-checked:bg-indigo-50 dark:border-gray-600 dark:has-checked:bg-indigo-950">
                  <input type="radio" name="asset_id" value={a.id} defaultChecked={i === 0} />
                  <span>
                    <span className="font-semibold">{a.symbol}</span>
                    <span className="block text-xs text-gray-600 dark:text-gray-400">{a.name}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <FormError message={error && error.field !== "input.name" ? error.message : undefined} />
          <DialogActions onCancel={() => setOpen(false)} pending={pending} submitLabel="Create wallet" pendingLabel="Creating…" />
        </form>
      </Dialog>
    </>
  );
}
