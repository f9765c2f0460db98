"use client";
import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog } from "@/components/ui/dialog";
import { DialogActions } from "@/components/ui/dialog-actions";
import { Field, FormError } from "@/components/ui/field";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { choose } from "@/lib/form-messages";
import { createApiKeyAction } from "./actions";
import { CodeSamples } from "../developers/_components/code-samples";

type Level = "NONE" | "READ" | "WRITE";
const RESOURCES = [
  { id: "ENVIRONMENTS", label: "Environments", hint: "payment.environment.*" },
  { id: "WALLETS", label: "Wallets", hint: "payment.wallet.*" },
  { id: "PAYMENTS", label: "Payments", hint: "payment.transaction.*: invoices, sends, lists" },
  { id: "WEBHOOKS", label: "Webhooks", hint: "payment.webhook_endpoint.* and webhook_event.*" },
] as const;
type Grid = Record<(typeof RESOURCES)[number]["id"], Level>;

const PRESETS: { id: string; label: string; grid: Grid }[] = [
  { id: "full", label: "Full access", grid: { ENVIRONMENTS: "WRITE", WALLETS: "WRITE", PAYMENTS: "WRITE", WEBHOOKS: "WRITE" } },
  { id: "read", label: "Read only", grid: { ENVIRONMENTS: "READ", WALLETS: "READ", PAYMENTS: "READ", WEBHOOKS: "READ" } },
  { id: "receive", label: "Receive payments only", grid: { ENVIRONMENTS: "NONE", WALLETS: "READ", PAYMENTS: "WRITE", WEBHOOKS: "NONE" } },
];

const EXPIRY = [
  { id: "never", label: "Never" },
  { id: "30", label: "In 30 days" },
  { id: "90", label: "In 90 days" },
  { id: "365", label: "In 1 year" },
  { id: "custom", label: "On a date…" },
];

/** The service's name rule, and the form's own choices (turned into the service's input on submit). */
const CreateApiKeyForm = async () => {
  const [{ z }, { CreateApiKeyInput }] = await Promise.all([import("zod"), import("@/lib/api-keys/schemas")]);
  return CreateApiKeyInput.pick({ name: true })
    .extend({ expiry: z.string(), expiresOn: z.string(), walletId: z.string(), permissions: z.unknown() })
    .refine((v) => v.expiry !== "custom" || v.expiresOn !== "", { path: ["expiresOn"], message: choose("the date the key stops working"), when: () => true });
};

function expiresAt(choice: string, date: string): string | null {
  if (choice === "never") return null;
  if (choice === "custom") return date ? new Date(`${date}T23:59:59.999Z`).toISOString() : "";
  return new Date(Date.now() + Number(choice) * 86_400_000).toISOString();
}

export function CreateApiKey({ environmentId, wallets }: { environmentId: string; wallets: { id: string; name: string; assetSymbol: string }[] }) {
  const [open, setOpen] = useState(false);
  const [grid, setGrid] = useState<Grid>(PRESETS[0].grid);
  const [created, setCreated] = useState<{ name: string; plaintextKey: string; walletId: string | null } | null>(null);
  const toast = useToast();
  const form = useServerForm({
    schema: CreateApiKeyForm,
    defaultValues: { name: "", expiry: "never", expiresOn: "", walletId: "", permissions: null },
    aliases: { expires_at: "expiresOn", wallet_id: "walletId" },
    submit: (values) =>
      createApiKeyAction({
        environment_id: environmentId,
        name: values.name,
        permissions: RESOURCES.filter((r) => grid[r.id] !== "NONE").map((r) => ({ resource: r.id, level: grid[r.id] })),
        expires_at: expiresAt(values.expiry, values.expiresOn),
        wallet_id: values.walletId || null,
      }),
    onSuccess: (data, values) => {
      // The samples use the key's own wallet, else the environment's first.
      setCreated({ name: data.name, plaintextKey: data.plaintextKey, walletId: values.walletId || wallets[0]?.id || null });
      toast(`API key "${data.name}" created`, "success");
    },
  });
  const expiry = form.watch("expiry");

  const presetId = PRESETS.find((p) => RESOURCES.every((r) => p.grid[r.id] === grid[r.id]))?.id ?? "custom";

  function close() {
    setOpen(false);
    setCreated(null);
  }


  return (
    <>
      <Button
        onClick={() => {
          setGrid(PRESETS[0].grid);
          form.reset();
          setOpen(true);
        }}
      >
        Create API key
      </Button>
      <Dialog open={open} onClose={close} title={created ? "Your new API key" : "Create API key"} wide>
        {created ? (
          <div className="space-y-4">
            <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
              Copy this key now and store it in your secret manager. For your security it is never shown again; if you lose it, revoke it and create a new one.
            </div>
            <label htmlFor="plaintext-key" className="block text-sm font-medium">
              Secret key for “{created.name}”
            </label>
            <div className="flex gap-2">
              <input id="plaintext-key" readOnly value={created.plaintextKey} className="block w-full rounded-md border border-gray-300 bg-gray-50 px-3 py-2 font-mono text-xs dark:border-gray-600 dark:bg-gray-950" onFocus={(e) => e.currentTarget.select()} />
              <CopyButton value={created.plaintextKey} label="API key" />
            </div>
            <p className="text-sm text-gray-600 dark:text-gray-400">
              Send it as the <code className="font-mono">x-api-key</code> header to <code className="font-mono">POST /graphql</code>. Try it now (the samples carry the key, this once):
            </p>
            <CodeSamples endpoint={`${window.location.origin}/graphql`} environmentId={environmentId} walletId={created.walletId} apiKey={created.plaintextKey} />
            <p className="text-sm text-gray-600 dark:text-gray-400">
              More on the{" "}
              <Link href={`/pay/${environmentId}/developers`} className="font-medium text-indigo-700 underline dark:text-indigo-300">
                Developers page
              </Link>
              .
            </p>
            <div className="flex justify-end">
              <Button onClick={close}>Done</Button>
            </div>
          </div>
        ) : (
          <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
            <Field label="Name" placeholder="backend-prod" required maxLength={80} counter {...form.field("name")} />
            <fieldset>
              <legend className="text-sm font-medium">Permissions</legend>
              <div className="mt-2 flex flex-wrap gap-2" role="group" aria-label="Presets">
                {PRESETS.map((p) => (
                  <button
                    key={p.id}
                    type="button"
                    aria-pressed={presetId === p.id}
                    onClick={() => setGrid(p.grid)}
                    className={`rounded-full border px-3 py-1 text-xs font-medium ${presetId === p.id ? "border-indigo-600 bg-indigo-50 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200" : "border-gray-300 text-gray-700 dark:border-gray-600 dark:text-gray-300"}`}
                  >
                    {p.label}
                  </button>
                ))}
              </div>
              <table className="table-stack mt-3 w-full text-left text-sm">
                <caption className="sr-only">Access level per resource</caption>
                <thead className="text-xs text-gray-600 uppercase dark:text-gray-400">
                  <tr>
                    <th scope="col" className="py-1.5 pr-3 font-semibold">Resource</th>
                    {(["NONE", "READ", "WRITE"] as const).map((l) => (
                      <th key={l} scope="col" className="px-2 py-1.5 text-center font-semibold">
                        {l === "NONE" ? "None" : l === "READ" ? "Read" : "Write"}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-gray-200 dark:divide-gray-800">
                  {RESOURCES.map((r) => (
                    <tr key={r.id}>
                      <th scope="row" className="py-2 pr-3 font-normal">
                        <span className="font-medium">{r.label}</span>
                        <span className="block text-xs text-gray-600 dark:text-gray-400">{r.hint}</span>
                      </th>
                      {(["NONE", "READ", "WRITE"] as const).map((l) => (
                        <td key={l} data-label={l === "NONE" ? "None" : l === "READ" ? "Read" : "Write"} className="px-2 py-2 text-center">
                          <input
                            type="radio"
                            name={`perm-${r.id}`}
                            value={l}
                            checked={grid[r.id] === l}
                            onChange={() => setGrid({ ...grid, [r.id]: l })}
                            aria-label={`${r.label}: ${l === "NONE" ? "no access" : l === "READ" ? "read" : "write"}`}
                          />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="mt-2 text-xs text-gray-600 dark:text-gray-400">Write includes read. Keys can never manage other keys.</p>
              {form.formState.errors.permissions?.message && <p className="mt-1 text-sm text-red-700 dark:text-red-400">{form.formState.errors.permissions.message}</p>}
            </fieldset>
            <div className="grid gap-4 sm:grid-cols-2">
              <div className="space-y-1">
                <label htmlFor="expiry" className="block text-sm font-medium">
                  Expires
                </label>
                <select id="expiry" {...form.register("expiry")} className="block w-full rounded-md border border-gray-300 bg-white px-2 py-2 text-sm dark:border-gray-600 dark:bg-gray-900">
                  {EXPIRY.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.label}
                    </option>
                  ))}
                </select>
                {expiry === "custom" && (
                  <div className="pt-2">
                    <Field label="Expiry date (end of day, UTC)" type="date" {...form.field("expiresOn")} />
                  </div>
                )}
                {expiry !== "custom" && form.formState.errors.expiresOn?.message && <p className="text-sm text-red-700 dark:text-red-400">{form.formState.errors.expiresOn.message}</p>}
              </div>
              <div className="space-y-1">
                <label htmlFor="walletId" className="block text-sm font-medium">
                  Wallet scope
                </label>
                <select id="walletId" {...form.register("walletId")} className="block w-full rounded-md border border-gray-300 bg-white px-2 py-2 text-sm dark:border-gray-600 dark:bg-gray-900">
                  <option value="">All wallets in this environment</option>
                  {wallets.map((w) => (
                    <option key={w.id} value={w.id}>
                      {w.name} ({w.assetSymbol})
                    </option>
                  ))}
                </select>
                {form.formState.errors.walletId?.message && <p className="text-sm text-red-700 dark:text-red-400">{form.formState.errors.walletId.message}</p>}
              </div>
            </div>
            <FormError message={form.generalError} />
            <DialogActions onCancel={close} pending={form.pending} submitLabel="Create key" pendingLabel="Creating…" />
          </form>
        )}
      </Dialog>
    </>
  );
}
