"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { parseDisplayAmount } from "@/lib/money";
import { Button, Spinner } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { createInvoiceAction } from "../../../actions";

const EXPIRY = [
  { seconds: 600, label: "10 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 604_800, label: "7 days" },
];

export function NewInvoiceForm({
  environmentId,
  walletId,
  asset,
  sandbox,
}: {
  environmentId: string;
  walletId: string;
  asset: { symbol: string; precision: number; usdPrice: string };
  sandbox: boolean;
}) {
  const [amountText, setAmountText] = useState("");
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();
  const parsed = amountText.trim() ? parseDisplayAmount(amountText, asset.precision) : null;
  const minorUnit = asset.symbol === "BTC" ? "sats" : `minor units (10^-${asset.precision} ${asset.symbol})`;

  function submit(form: FormData) {
    if (!parsed?.ok) {
      setError({ field: "input.amount", message: parsed ? parsed.reason : "Enter an amount" });
      return;
    }
    const description = String(form.get("description") ?? "");
    const metadata = String(form.get("metadata") ?? "").trim();
    const input = {
      wallet_id: walletId,
      amount: parsed.minor,
      description: description || null,
      expires_in_seconds: Number(form.get("expiry")),
      metadata: metadata || null,
    };
    startTransition(async () => {
      const result = await createInvoiceAction(environmentId, input);
      if (!result.ok) return setError({ field: result.error.field, message: result.error.detail ?? result.error.message });
      toast("Invoice created", "success");
      router.push(`/pay/${environmentId}/invoices/${result.data}`);
    });
  }

  const fieldError = (f: string) => (error?.field?.startsWith(f) ? error.message : undefined);
  const amountError = fieldError("input.amount") ?? (parsed && !parsed.ok ? parsed.reason : undefined);

  return (
    <form action={submit} className="max-w-xl space-y-5 rounded-lg border border-gray-200 bg-white p-6 dark:border-gray-800 dark:bg-gray-900" noValidate>
      <Field
        label={`Amount (${asset.symbol})`}
        name="amount"
        inputMode="decimal"
        autoComplete="off"
        placeholder={asset.symbol === "BTC" ? "0.001" : "12.50"}
        value={amountText}
        onChange={(e) => {
          setAmountText(e.target.value);
          if (error?.field === "input.amount") setError(null);
        }}
        error={amountError}
        hint={parsed?.ok ? `= ${BigInt(parsed.minor).toLocaleString("en")} ${minorUnit}` : `Typed in ${asset.symbol}; sent to the API in ${minorUnit}.`}
      />
      <div className="space-y-1">
        <label htmlFor="description" className="block text-sm font-medium">
          Description <span className="font-normal text-gray-600 dark:text-gray-400">(optional, shown to the payer)</span>
        </label>
        <input id="description" name="description" maxLength={640} className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm dark:border-gray-600 dark:bg-gray-900" aria-describedby={fieldError("input.description") ? "description-error" : undefined} />
        {fieldError("input.description") && <p id="description-error" className="text-sm text-red-700 dark:text-red-400">{fieldError("input.description")}</p>}
      </div>
      <div className="space-y-1">
        <label htmlFor="expiry" className="block text-sm font-medium">
          Expires after
        </label>
        <select id="expiry" name="expiry" defaultValue={3600} className="block w-full rounded-md border border-gray-300 bg-white px-2 py-2 text-sm dark:border-gray-600 dark:bg-gray-900">
          {EXPIRY.map((o) => (
            <option key={o.seconds} value={o.seconds}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="metadata" className="block text-sm font-medium">
          Metadata <span className="font-normal text-gray-600 dark:text-gray-400">(optional JSON object)</span>
        </label>
        <textarea
          id="metadata"
          name="metadata"
          rows={3}
          maxLength={2048}
          placeholder={sandbox ? '{"order_id":"42","amb_sandbox_behavior":"complete","success_url":"https://shop.example/thanks"}' : '{"order_id":"42"}'}
          className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-xs dark:border-gray-600 dark:bg-gray-900"
          aria-describedby="metadata-hint"
        />
        <p id="metadata-hint" className="text-xs text-gray-600 dark:text-gray-400">
          Returned with the transaction and in webhooks. {sandbox && "amb_sandbox_behavior (complete, fail, expire) decides how this sandbox invoice ends. "}A success_url sends the payer there from the hosted checkout once paid.
        </p>
        {fieldError("input.metadata") && <p className="text-sm text-red-700 dark:text-red-400">{fieldError("input.metadata")}</p>}
      </div>
      <FormError message={error && !["input.amount", "input.description", "input.metadata"].some((f) => error.field?.startsWith(f)) ? error.message : undefined} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending && <Spinner />}
        {pending ? "Creating invoice…" : "Create invoice"}
      </Button>
    </form>
  );
}
