"use client";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { displayAmount, parseDisplayAmount } from "@/lib/money";
import { Button, Spinner } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { Countdown } from "@/components/payments/countdown";
import { CopyButton } from "@/components/ui/copy-button";
import { DeriveProgressBar, NeverSentNotice, useTeamKeys } from "@/components/custody/use-team-keys";
import { payOnNode } from "@/components/custody/pay-on-node";
import { nodePermissionsAction, previewSendAction, sendPaymentAction } from "../../actions";

type Preview = Extract<Awaited<ReturnType<typeof previewSendAction>>, { ok: true }>["data"];
type Asset = { symbol: string; precision: number; usdPrice: string };
/** A live wallet whose node has no send macaroon: this browser pays on the node with the team password (Rails' custody). */
export type ClientPay = { teamId: string; restUrl: string; ready: boolean };

const newKey = () => `dashboard-${crypto.randomUUID()}`;

/**
 * Send: paste an invoice, a lightning: URI or a Lightning Address → the decoded preview (checked
 * exactly as create_send checks it) → Confirm → the transaction page, which follows its status
 * live and shows the fee and the preimage. One idempotency key per reviewed payment, so a double
 * click or a retry after a network error pays once.
 */
export function SendForm({ environmentId, walletId, asset, sandbox, clientPay }: { environmentId: string; walletId: string; asset: Asset; sandbox: boolean; clientPay: ClientPay | null }) {
  const [teamPassword, setTeamPassword] = useState("");
  const [stage, setStage] = useState<string | null>(null);
  const { progress, derive } = useTeamKeys();
  const [text, setText] = useState("");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [amountText, setAmountText] = useState("");
  const [comment, setComment] = useState("");
  const [behavior, setBehavior] = useState("");
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const key = useRef(newKey());
  const router = useRouter();
  const toast = useToast();
  const money = (minor: string) => `${displayAmount(BigInt(minor), asset.precision)} ${asset.symbol}`;

  function review() {
    setError(null);
    if (!text.trim()) return setError({ field: "input.request", message: "Paste an invoice (lnbc…, lntb…, lnbcrt…) or a Lightning Address (name@domain)" });
    startTransition(async () => {
      const result = await previewSendAction(walletId, text);
      if (!result.ok) return setError({ field: result.error.field ?? "input.request", message: result.error.detail ?? result.error.message });
      key.current = newKey();
      setPreview(result.data);
    });
  }

  const parsed = preview?.kind === "address" && amountText.trim() ? parseDisplayAmount(amountText, asset.precision) : null;

  function confirm() {
    if (!preview) return;
    setError(null);
    let address: { lightning_address: string; amount: string; comment: string | null } | undefined;
    if (preview.kind === "address") {
      if (!parsed?.ok) return setError({ field: "input.address.amount", message: parsed ? parsed.reason : "Enter an amount" });
      address = { lightning_address: preview.address, amount: parsed.minor, comment: comment.trim() || null };
    }
    const metadata = sandbox && behavior ? JSON.stringify({ amb_sandbox_behavior: behavior }) : null;
    if (clientPay && !teamPassword.trim()) {
      setError({ field: "team_password", message: "Enter the team password: this browser pays on your node with it" });
      return document.getElementById("field-team-password")?.focus();
    }
    startTransition(async () => {
      // Client-paid live send: the admin macaroon is decrypted here before the send is created, so a wrong password creates nothing.
      let macaroon: { restUrl: string; hex: string } | null = null;
      if (clientPay) {
        try {
          const keys = await derive(teamPassword, clientPay.teamId);
          setStage("Reading the node's credentials…");
          const perms = await nodePermissionsAction(walletId, keys.masterPasswordHash);
          if (!perms.ok) {
            setStage(null);
            return setError({ field: /password/i.test(perms.error.message) ? "team_password" : undefined, message: perms.error.message });
          }
          const node = perms.data.nodes[0];
          if (!node) {
            setStage(null);
            return setError({ message: "No admin macaroon is stored for this node: the team's master stores one on the Node page." });
          }
          const envelope = await import("@/lib/custody/envelope");
          const symmetricKey = envelope.decryptSymmetricKey(perms.data.encryptedSymmetricKey, keys.masterKey);
          macaroon = { restUrl: node.restUrl, hex: envelope.decryptMacaroon(node.encryptedMacaroon, symmetricKey) };
        } catch (err) {
          setStage(null);
          return setError({ field: "team_password", message: err instanceof Error ? err.message : "The team password could not be checked" });
        }
      }
      setStage(clientPay ? "Creating the payment…" : null);
      const result = await sendPaymentAction(environmentId, {
        wallet_id: walletId,
        idempotency_key: key.current,
        ...(preview.kind === "invoice" ? { request: { bolt11: preview.paymentRequest } } : { address }),
        ...(metadata ? { metadata } : {}),
      });
      if (!result.ok) {
        setStage(null);
        return setError({ field: result.error.field, message: result.error.detail ?? result.error.message });
      }
      const tx = result.data;
      if (macaroon && tx.clientPays && tx.status === "PENDING" && tx.paymentRequest) {
        setStage("Paying on your node…");
        try {
          const outcome = await payOnNode(macaroon.restUrl, macaroon.hex, tx.paymentRequest, (status) => setStage(status === "IN_FLIGHT" ? "Payment in flight on your node…" : "Paying on your node…"));
          toast(outcome.status === "SUCCEEDED" ? "Paid on your node" : `The node could not pay: ${outcome.failureReason ?? "no reason given"}`, outcome.status === "SUCCEEDED" ? "success" : "error");
        } catch (err) {
          setStage(null);
          setError({ message: `${err instanceof Error ? err.message : String(err)} The payment is recorded as pending until it is paid or its invoice expires.` });
          return;
        }
      } else {
        toast(tx.status === "COMPLETED" && tx.clientPays ? "Already paid" : "Payment sent", "success");
      }
      setStage(null);
      router.push(`/pay/${environmentId}/transactions/${tx.id}`);
    });
  }

  const fieldError = (f: string) => (error?.field?.startsWith(f) ? error.message : undefined);
  const box = "max-w-xl space-y-5 rounded-lg border border-gray-200 bg-white p-6 dark:border-gray-800 dark:bg-gray-900";

  if (!preview) {
    const inputError = fieldError("input.request") ?? fieldError("input.address");
    return (
      <form action={review} className={box} noValidate>
        <div className="space-y-1">
          <label htmlFor="send-target" className="block text-sm font-medium">
            Invoice or Lightning Address
          </label>
          <textarea
            id="send-target"
            name="target"
            rows={4}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setError(null);
            }}
            autoComplete="off"
            spellCheck={false}
            placeholder="lnbcrt10u1p… or alice@example.com"
            aria-invalid={inputError ? true : undefined}
            aria-describedby={inputError ? "send-target-error" : "send-target-hint"}
            className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-xs break-all aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900"
          />
          <p id="send-target-hint" className="text-xs text-gray-600 dark:text-gray-400">
            A BOLT11 invoice, a <span className="font-mono">lightning:</span> link, or a Lightning Address.{" "}
            {sandbox && "Sandbox wallets pay regtest, testnet and signet invoices."}
          </p>
          {inputError && (
            <p id="send-target-error" role="alert" className="text-sm text-red-700 dark:text-red-400">
              {inputError}
            </p>
          )}
        </div>
        <FormError message={error && !inputError ? error.message : undefined} />
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}
          {pending ? "Checking…" : "Review payment"}
        </Button>
      </form>
    );
  }

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
    <form action={confirm} className={box} noValidate>
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
          <Field
            label={`Amount (${asset.symbol})`}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            value={amountText}
            onChange={(e) => {
              setAmountText(e.target.value);
              setError(null);
            }}
            error={fieldError("input.address.amount") ?? (parsed && !parsed.ok ? parsed.reason : undefined)}
            hint={
              parsed?.ok
                ? `= ${BigInt(parsed.minor).toLocaleString("en")} ${asset.symbol === "BTC" ? "sats" : `minor units of ${asset.symbol}`}`
                : asset.symbol === "BTC"
                  ? "Typed in BTC, e.g. 0.0001 (10 000 sats)"
                  : `Typed in ${asset.symbol}; the payee receives its value in sats`
            }
          />
          {preview.commentAllowed > 0 && (
            <Field
              label="Comment (optional, sent to the payee)"
              name="comment"
              maxLength={preview.commentAllowed}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              error={fieldError("input.address.comment")}
              hint={`At most ${preview.commentAllowed} characters.`}
            />
          )}
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
          <Field
            label="Team password"
            name="team-password"
            type="password"
            autoComplete="current-password"
            value={teamPassword}
            onChange={(e) => {
              setTeamPassword(e.target.value);
              setError(null);
            }}
            error={fieldError("team_password")}
          />
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
          <select id="send-behavior" value={behavior} onChange={(e) => setBehavior(e.target.value)} aria-describedby="send-behavior-hint" className="block w-full rounded-md border border-gray-300 bg-white px-2 py-2 text-sm dark:border-gray-600 dark:bg-gray-900">
            <option value="">Expire (default for payments to other nodes)</option>
            <option value="complete">Complete</option>
            <option value="fail">Fail</option>
          </select>
          <p id="send-behavior-hint" className="text-xs text-gray-600 dark:text-gray-400">
            Payments to invoices of other nodes are simulated in a sandbox (amb_sandbox_behavior). Invoices of this Boltrail settle for real, at once.
          </p>
        </div>
      )}
      <FormError message={error && !["input.address.amount", "input.address.comment", "team_password"].some((f) => error.field?.startsWith(f)) ? error.message : undefined} />
      <div className="flex flex-wrap gap-3">
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}
          {pending ? "Paying…" : preview.kind === "invoice" ? `Confirm and pay ${money(preview.amount)}` : "Confirm and pay"}
        </Button>
        <Button
          type="button"
          variant="secondary"
          disabled={pending}
          onClick={() => {
            setPreview(null);
            setError(null);
          }}
        >
          Back
        </Button>
      </div>
    </form>
  );
}
