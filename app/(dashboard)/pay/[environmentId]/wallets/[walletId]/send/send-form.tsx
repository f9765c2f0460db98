"use client";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Controller } from "react-hook-form";
import { displayAmount } from "@/lib/money";
import type { AssetRates } from "@/lib/assets/convert";
import { AmountInput, emptyAmount, resolveAmount } from "@/components/ui/amount-input";
import { Button } from "@/components/ui/button";
import { Field, FormError, TextAreaField } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { formFailure } from "@/components/ui/form/server-error";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { atMost } from "@/lib/form-messages";
import { useToast } from "@/components/ui/toast";
import { Countdown } from "@/components/payments/countdown";
import { CopyButton } from "@/components/ui/copy-button";
import { DeriveProgressBar, NeverSentNotice, useTeamKeys } from "@/components/custody/use-team-keys";
import { payOnNode } from "@/components/custody/pay-on-node";
import { nodePermissionsAction, previewSendAction, sendPaymentAction } from "../../actions";

type Preview = Extract<Awaited<ReturnType<typeof previewSendAction>>, { ok: true }>["data"];
/** The prices create_send converts at (lib/assets/prices.ts assetRates), from the server page. */
type Asset = AssetRates;
/** A live wallet whose node has no send macaroon: this browser pays on the node with the team password (Rails' custody). */
export type ClientPay = { teamId: string; restUrl: string; ready: boolean };

const newKey = () => `dashboard-${crypto.randomUUID()}`;

const TEAM_PASSWORD_NEEDED = "Enter the team password: this browser pays on your node with it";

/** What the first step takes: anything the service's preview can read (it decodes and checks the rest). */
const ReviewInput = async () => {
  const { z } = await import("zod");
  return z.object({
    target: z
      .string()
      .trim()
      .min(1, "Paste an invoice (lnbc…, lntb…, lnbcrt…) or a Lightning Address (name@domain)")
      .max(8000, "Must be a BOLT11 invoice or a Lightning Address (this is too long)"),
  });
};

/**
 * Send: paste an invoice, a lightning: URI or a Lightning Address → the decoded preview (checked
 * exactly as create_send checks it) → Confirm → the transaction page, which follows its status
 * live and shows the fee and the preimage. One idempotency key per reviewed payment, so a double
 * click or a retry after a network error pays once.
 */
export function SendForm({ environmentId, walletId, asset, sandbox, clientPay }: { environmentId: string; walletId: string; asset: Asset; sandbox: boolean; clientPay: ClientPay | null }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const review = useServerForm({
    schema: ReviewInput,
    defaultValues: { target: "" },
    submit: async ({ target }) => {
      const result = await previewSendAction(walletId, target);
      // Whatever the preview refuses is about what was pasted: shown beside it.
      return result.ok ? result : { ok: false as const, error: { ...result.error, field: "target", detail: result.error.detail ?? result.error.message } };
    },
    onSuccess: (data) => {
      setIdempotencyKey(newKey());
      setPreview(data);
    },
  });
  const box = "max-w-xl space-y-5 rounded-lg border border-gray-200 bg-white p-6 dark:border-gray-800 dark:bg-gray-900";

  if (!preview) {
    return (
      <form onSubmit={review.onSubmit} className={box} noValidate>
        <TextAreaField
          id="send-target"
          label="Invoice or Lightning Address"
          rows={4}
          placeholder="lnbcrt10u1p… or alice@example.com"
          hint={
            <>
              A BOLT11 invoice, a <span className="font-mono">lightning:</span> link, or a Lightning Address. {sandbox && "Sandbox wallets pay regtest, testnet and signet invoices."}
            </>
          }
          {...review.field("target")}
        />
        <FormError message={review.generalError} />
        <PendingButton pending={review.pending} pendingLabel="Checking…">
          Review payment
        </PendingButton>
      </form>
    );
  }
  return <ConfirmSend environmentId={environmentId} walletId={walletId} asset={asset} sandbox={sandbox} clientPay={clientPay} preview={preview} idempotencyKey={idempotencyKey} onBack={() => setPreview(null)} box={box} />;
}

/** The second step: the checked payment, an address's amount and comment, the team password of a client-paid send, then pay. */
function ConfirmSend({
  environmentId,
  walletId,
  asset,
  sandbox,
  clientPay,
  preview,
  idempotencyKey,
  onBack,
  box,
}: {
  environmentId: string;
  walletId: string;
  asset: Asset;
  sandbox: boolean;
  clientPay: ClientPay | null;
  preview: Preview;
  idempotencyKey: string;
  onBack: () => void;
  box: string;
}) {
  const [stage, setStage] = useState<string | null>(null);
  const { progress, derive } = useTeamKeys();
  const router = useRouter();
  const toast = useToast();
  const money = (minor: string) => `${displayAmount(BigInt(minor), asset.precision)} ${asset.symbol}`;
  const commentAllowed = preview.kind === "address" ? preview.commentAllowed : 0;
  const schema = useMemo(
    () => async () => {
      const [{ z }, { amountValue }] = await Promise.all([import("zod"), import("@/components/ui/form/amount-schema")]);
      return z.object({
        amount: preview.kind === "address" ? amountValue(asset) : z.unknown(),
        comment: z.string().max(commentAllowed, atMost(commentAllowed)),
        teamPassword: clientPay ? z.string().trim().min(1, TEAM_PASSWORD_NEEDED) : z.string(),
        behavior: z.string(),
      });
    },
    [preview.kind, asset, commentAllowed, clientPay],
  );
  const form = useServerForm({
    schema,
    defaultValues: { amount: emptyAmount(asset), comment: "", teamPassword: "", behavior: "" },
    aliases: { team_password: "teamPassword" },
    submit: async (values) => {
      let address: { lightning_address: string; amount: string; comment: string | null } | undefined;
      if (preview.kind === "address") {
        const parsed = resolveAmount(values.amount as never, asset);
        if (!parsed?.ok) return null; // the schema refused it already
        address = { lightning_address: preview.address, amount: parsed.minor.toString(), comment: values.comment.trim() || null };
      }
      const metadata = sandbox && values.behavior ? JSON.stringify({ amb_sandbox_behavior: values.behavior }) : null;
      // Client-paid live send: the admin macaroon is decrypted here before the send is created, so a wrong password creates nothing.
      let macaroon: { restUrl: string; hex: string } | null = null;
      if (clientPay) {
        try {
          const keys = await derive(values.teamPassword, clientPay.teamId);
          setStage("Reading the node's credentials…");
          const perms = await nodePermissionsAction(walletId, keys.masterPasswordHash);
          if (!perms.ok) {
            setStage(null);
            return formFailure(perms.error.message, /password/i.test(perms.error.message) ? "teamPassword" : undefined, perms.error.code);
          }
          const node = perms.data.nodes[0];
          if (!node) {
            setStage(null);
            return formFailure("No admin macaroon is stored for this node: the team's master stores one on the Node page.");
          }
          const envelope = await import("@/lib/custody/envelope");
          const symmetricKey = envelope.decryptSymmetricKey(perms.data.encryptedSymmetricKey, keys.masterKey);
          macaroon = { restUrl: node.restUrl, hex: envelope.decryptMacaroon(node.encryptedMacaroon, symmetricKey) };
        } catch (err) {
          setStage(null);
          return formFailure(err instanceof Error ? err.message : "The team password could not be checked", "teamPassword");
        }
      }
      setStage(clientPay ? "Creating the payment…" : null);
      const result = await sendPaymentAction(environmentId, {
        wallet_id: walletId,
        idempotency_key: idempotencyKey,
        ...(preview.kind === "invoice" ? { request: { bolt11: preview.paymentRequest } } : { address }),
        ...(metadata ? { metadata } : {}),
      });
      if (!result.ok) {
        setStage(null);
        return result;
      }
      const tx = result.data;
      if (macaroon && tx.clientPays && tx.status === "PENDING" && tx.paymentRequest) {
        setStage("Paying on your node…");
        try {
          const outcome = await payOnNode(macaroon.restUrl, macaroon.hex, tx.paymentRequest, (status) => setStage(status === "IN_FLIGHT" ? "Payment in flight on your node…" : "Paying on your node…"));
          toast(outcome.status === "SUCCEEDED" ? "Paid on your node" : `The node could not pay: ${outcome.failureReason ?? "no reason given"}`, outcome.status === "SUCCEEDED" ? "success" : "error");
        } catch (err) {
          setStage(null);
          return formFailure(`${err instanceof Error ? err.message : String(err)} The payment is recorded as pending until it is paid or its invoice expires.`);
        }
      } else {
        toast(tx.status === "COMPLETED" && tx.clientPays ? "Already paid" : "Payment sent", "success");
      }
      setStage(null);
      router.push(`/pay/${environmentId}/transactions/${tx.id}`);
      return null;
    },
  });
  const pending = form.pending;

  const rows: [string, React.ReactNode][] =
    preview.kind === "invoice"
      ? [
          ["Amount", <span key="a">{money(preview.amount)} <span className="text-gray-600 dark:text-gray-400">(≈ ${preview.amountUsd} USD · {BigInt(preview.amountSats).toLocaleString("en")} sats)</span></span>],
          ["Fee reserve", preview.internal ? "None: the payee is a wallet of this Boltrail (settled at once, no routing fee)" : `up to ${money(preview.feeReserve)}`],
          ["Description", preview.description || "—"],
          ["Payee node", <span key="p" className="flex items-center gap-2 font-mono text-xs break-all">{preview.payeePubkey}<CopyButton value={preview.payeePubkey} label="payee node key" /></span>],
          ["Expiry", <Countdown key="e" expiresAt={preview.expiresAt} active />],
          ["Available", money(preview.available)],
        ]
      : [
          ["Lightning Address", <span key="l" className="font-mono text-xs">{preview.address}</span>],
          ["Description", preview.description || "—"],
          ["Accepts", `${BigInt(preview.minSats).toLocaleString("en")} to ${BigInt(preview.maxSats).toLocaleString("en")} sats`],
          ["Available", money(preview.available)],
        ];

  return (
    <form onSubmit={form.onSubmit} className={box} noValidate>
      <h2 className="text-base font-semibold">Review the payment</h2>
      {preview.kind === "invoice" && preview.existingId && (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          This wallet already paid (or is paying) this invoice; confirming shows that payment instead of paying twice.
        </p>
      )}
      <dl className="grid grid-cols-3 gap-x-4 gap-y-3 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-gray-600 dark:text-gray-400">{k}</dt>
            <dd className="col-span-2 break-words">{v}</dd>
          </div>
        ))}
      </dl>
      {preview.kind === "address" && (
        <>
          <Controller
            control={form.control}
            name="amount"
            render={({ field, fieldState }) => (
              <AmountInput
                id="field-amount"
                name="amount"
                label="Amount"
                rates={asset}
                ref={field.ref}
                value={field.value as never}
                onChange={field.onChange}
                error={fieldState.error?.message}
                hint={asset.base ? "The API's address.amount is in sats." : `The API's address.amount is in minor units of ${asset.symbol}; the payee receives its value in sats.`}
              />
            )}
          />
          {preview.commentAllowed > 0 && <Field label="Comment (optional, sent to the payee)" maxLength={preview.commentAllowed} counter {...form.field("comment")} />}
        </>
      )}
      {clientPay && (
        <div className="space-y-3 rounded-md border border-gray-200 p-4 dark:border-gray-800">
          <p className="text-sm text-gray-700 dark:text-gray-300">
            Your node pays this: the browser decrypts the node&apos;s admin macaroon with the team password and sends the payment to <span className="font-mono text-xs break-all">{clientPay.restUrl}</span>{" "}
            itself. LND must allow this page: add <code className="break-all">restcors={typeof window === "undefined" ? "<this dashboard's origin>" : window.location.origin}</code> to lnd.conf and restart LND.
          </p>
          {!clientPay.ready && (
            <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
              No team password or admin macaroon yet: the team&apos;s master sets the password in Settings → Team and stores the admin macaroon on the Node page.
            </p>
          )}
          <Field id="field-team-password" label="Team password" type="password" autoComplete="current-password" {...form.field("teamPassword")} />
          <NeverSentNotice />
          <DeriveProgressBar progress={progress} />
          {stage && (
            <p role="status" aria-live="polite" className="text-sm text-gray-700 dark:text-gray-300">
              {stage}
            </p>
          )}
        </div>
      )}
      {sandbox && !(preview.kind === "invoice" && preview.internal) && (
        <div className="space-y-1">
          <label htmlFor="send-behavior" className="block text-sm font-medium">
            Sandbox outcome
          </label>
          <select id="send-behavior" {...form.register("behavior")} aria-describedby="send-behavior-hint" className="block w-full rounded-md border border-gray-300 bg-white px-2 py-2 text-sm dark:border-gray-600 dark:bg-gray-900">
            <option value="">Expire (default for payments to other nodes)</option>
            <option value="complete">Complete</option>
            <option value="fail">Fail</option>
          </select>
          <p id="send-behavior-hint" className="text-xs text-gray-600 dark:text-gray-400">
            Payments to invoices of other nodes are simulated in a sandbox (amb_sandbox_behavior). Invoices of this Boltrail settle for real, at once.
          </p>
        </div>
      )}
      <FormError message={form.generalError} />
      <div className="flex flex-wrap gap-3">
        <PendingButton pending={pending} pendingLabel="Paying…">
          {preview.kind === "invoice" ? `Confirm and pay ${money(preview.amount)}` : "Confirm and pay"}
        </PendingButton>
        <Button type="button" variant="secondary" disabled={pending} onClick={onBack}>
          Back
        </Button>
      </div>
    </form>
  );
}
