"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { DialogActions } from "@/components/ui/dialog-actions";
import { Field, FormError } from "@/components/ui/field";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { createEnvironmentAction } from "../actions";

const NewEnvironmentInput = () => import("@/lib/environments/schemas").then((m) => m.CreateEnvironmentInput.pick({ name: true, type: true }));

/** "New environment": name and type; opens the new environment's overview when created. */
export function NewEnvironmentButton({ hasLive, label = "New environment" }: { hasLive: boolean; label?: string }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const toast = useToast();
  const form = useServerForm({
    schema: NewEnvironmentInput,
    defaultValues: { name: "", type: "SANDBOX" },
    submit: (values) => createEnvironmentAction(values),
    onSuccess: (id, values) => {
      setOpen(false);
      form.reset();
      toast(`Environment "${values.name.trim()}" created`, "success");
      router.push(`/pay/${id}`);
    },
  });

  return (
    <>
      <Button onClick={() => setOpen(true)}>{label}</Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="New environment" description="Sandbox environments settle simulated payments; a live environment moves real funds through your Lightning node.">
        <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
          <Field label="Name" placeholder="Sandbox - dev" required maxLength={80} counter {...form.field("name")} />
          <fieldset>
            <legend className="text-sm font-medium">Type</legend>
            <div className="mt-2 space-y-2">
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" value="SANDBOX" className="mt-0.5" {...form.register("type")} />
                <span>
                  <span className="font-medium">Sandbox</span>
                  <span className="block text-gray-600 dark:text-gray-400">Test keys (amb_test_…), simulated settlement, no node needed.</span>
                </span>
              </label>
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" value="LIVE" disabled={hasLive} className="mt-0.5" {...form.register("type")} />
                <span>
                  <span className="font-medium">Live</span>
                  <span className="block text-gray-600 dark:text-gray-400">
                    {hasLive ? "Your team already has its live environment (one per team)." : "Live keys (amb_live_…), real funds through an attached Lightning node."}
                  </span>
                </span>
              </label>
            </div>
          </fieldset>
          <FormError message={form.generalError ?? form.formState.errors.type?.message} />
          <DialogActions onCancel={() => setOpen(false)} pending={form.pending} submitLabel="Create environment" pendingLabel="Creating…" />
        </form>
      </Dialog>
    </>
  );
}
