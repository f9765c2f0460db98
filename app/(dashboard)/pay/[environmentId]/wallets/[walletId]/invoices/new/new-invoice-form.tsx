"use client";
import { useRouter } from "next/navigation";
import { useMemo } from "react";
import { Controller } from "react-hook-form";
import type { AssetRates } from "@/lib/assets/convert";
import { AmountInput, amountFields, emptyAmount, resolveAmount } from "@/components/ui/amount-input";
import { Field, FormError, TextAreaField } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { createInvoiceAction } from "../../../actions";

const EXPIRY = [
  { seconds: 600, label: "10 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 604_800, label: "7 days" },
];

/** The service's description and metadata rules, the amount as AmountInput resolves it, and the expiry choice. */
async function invoiceSchema(rates: AssetRates) {
  const [{ z }, { CreateReceiveInput }, { amountValue }] = await Promise.all([import("zod"), import("@/lib/transactions/schemas"), import("@/components/ui/form/amount-schema")]);
  return CreateReceiveInput.pick({ description: true, metadata: true }).extend({
    amount: amountValue(rates),
    expiry: z.string(),
  });
}

export function NewInvoiceForm({
  environmentId,
  walletId,
  rates,
  sandbox,
}: {
  environmentId: string;
  walletId: string;
  /** The prices create_receive converts at (lib/assets/prices.ts assetRates), from the server page. */
  rates: AssetRates;
  sandbox: boolean;
}) {
  const router = useRouter();
  const toast = useToast();
  const schema = useMemo(() => () => invoiceSchema(rates), [rates]);
  const form = useServerForm({
    schema,
    defaultValues: { amount: emptyAmount(rates), description: "", metadata: "", expiry: "3600" },
    aliases: { amount_usd_cents: "amount", expires_in_seconds: "expiry" },
    submit: (values) => {
      const resolved = resolveAmount(values.amount, rates);
      if (!resolved?.ok) return Promise.resolve(null); // the schema refused it already
      const metadata = (values.metadata ?? "").trim();
      return createInvoiceAction(environmentId, {
        wallet_id: walletId,
        ...amountFields(resolved),
        description: values.description || null,
        expires_in_seconds: Number(values.expiry),
        metadata: metadata || null,
      });
    },
    onSuccess: (id) => {
      toast("Invoice created", "success");
      router.push(`/pay/${environmentId}/invoices/${id}`);
    },
  });

  return (
    <form onSubmit={form.onSubmit} className="max-w-xl space-y-5 rounded-lg border border-gray-200 bg-white p-6 dark:border-gray-800 dark:bg-gray-900" noValidate>
      <Controller
        control={form.control}
        name="amount"
        render={({ field, fieldState }) => (
          <AmountInput
            id="field-amount"
            name="amount"
            label="Amount"
            rates={rates}
            allowUsd
            ref={field.ref}
            value={field.value}
            onChange={field.onChange}
            error={fieldState.error?.message}
            hint={rates.base ? "The API's amount is in sats; choose USD to price the invoice in dollars (converted when it is created)." : `The API's amount is in minor units of ${rates.symbol}; choose USD to price the invoice in dollars.`}
          />
        )}
      />
      <Field label="Description (optional, shown to the payer)" maxLength={640} counter {...form.field("description")} />
      <div className="space-y-1">
        <label htmlFor="expiry" className="block text-sm font-medium">
          Expires after
        </label>
        <select id="expiry" {...form.register("expiry")} className="block w-full rounded-md border border-gray-300 bg-white px-2 py-2 text-sm dark:border-gray-600 dark:bg-gray-900">
          {EXPIRY.map((o) => (
            <option key={o.seconds} value={o.seconds}>
              {o.label}
            </option>
          ))}
        </select>
        {form.formState.errors.expiry?.message && <p className="text-sm text-red-700 dark:text-red-400">{form.formState.errors.expiry.message}</p>}
      </div>
      <TextAreaField
        label="Metadata (optional JSON object)"
        rows={3}
        maxLength={2048}
        counter
        placeholder={sandbox ? '{"order_id":"42","amb_sandbox_behavior":"complete","success_url":"https://shop.example/thanks"}' : '{"order_id":"42"}'}
        hint={
          <>
            Returned with the transaction and in webhooks. {sandbox && "amb_sandbox_behavior (complete, fail, expire) decides how this sandbox invoice ends. "}A success_url sends the payer there from the hosted checkout once paid.
          </>
        }
        {...form.field("metadata")}
      />
      <FormError message={form.generalError} />
      <PendingButton pending={form.pending} pendingLabel="Creating invoice…">
        Create invoice
      </PendingButton>
    </form>
  );
}
