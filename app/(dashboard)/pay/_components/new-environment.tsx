"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { DialogActions } from "@/components/ui/dialog-actions";
import { Field, FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { createEnvironmentAction } from "../actions";

/** "New environment": name and type; opens the new environment's overview when created. */
export function NewEnvironmentButton({ hasLive, label = "New environment" }: { hasLive: boolean; label?: string }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();

  function submit(form: FormData) {
    const name = String(form.get("name") ?? "");
    const type = form.get("type") === "LIVE" ? "LIVE" : "SANDBOX";
    startTransition(async () => {
      const result = await createEnvironmentAction({ name, type });
      if (!result.ok) {
        setError({ field: result.error.field, message: result.error.detail ?? result.error.message });
        return;
      }
      setOpen(false);
      setError(null);
      toast(`Environment "${name.trim()}" created`, "success");
      router.push(`/pay/${result.data}`);
    });
  }

  return (
    <>
      <Button onClick={() => setOpen(true)}>{label}</Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="New environment" description="Sandbox environments settle simulated payments; a live environment moves real funds through your Lightning node.">
        <form action={submit} className="space-y-5" noValidate>
          <Field label="Name" name="name" placeholder="Sandbox - dev" required maxLength={80} error={error?.field === "input.name" ? error.message : undefined} />
          <fieldset>
            <legend className="text-sm font-medium">Type</legend>
            <div className="mt-2 space-y-2">
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" name="type" value="SANDBOX" defaultChecked className="mt-0.5" />
                <span>
                  <span className="font-medium">Sandbox</span>
                  <span className="block text-gray-600 dark:text-gray-400">Test keys (amb_test_…), simulated settlement, no node needed.</span>
                </span>
              </label>
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" name="type" value="LIVE" disabled={hasLive} className="mt-0.5" />
                <span>
                  <span className="font-medium">Live</span>
                  <span className="block text-gray-600 dark:text-gray-400">
                    {hasLive ? "Your team already has its live environment (one per team)." : "Live keys (amb_live_…), real funds through an attached Lightning node."}
                  </span>
                </span>
              </label>
            </div>
          </fieldset>
          <FormError message={error && error.field !== "input.name" ? error.message : undefined} />
          <DialogActions onCancel={() => setOpen(false)} pending={pending} submitLabel="Create environment" pendingLabel="Creating…" />
        </form>
      </Dialog>
    </>
  );
}
