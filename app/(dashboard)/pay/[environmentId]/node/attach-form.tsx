"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition, type TextareaHTMLAttributes } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { attachNodeAction } from "./actions";

const FIELDS = {
  rest: "input.lnd.rest",
  grpc: "input.lnd.grpc",
  tls: "input.lnd.tls_cert",
  macaroon: "input.lnd.management_macaroon",
} as const;
const KNOWN: string[] = Object.values(FIELDS);

/** The attach form (also "Replace credentials"): REST URL, TLS certificate, macaroon, gRPC host. */
export function AttachNodeForm({ environmentId, replacing = false, onDone }: { environmentId: string; replacing?: boolean; onDone?: () => void }) {
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();

  function submit(form: FormData) {
    const input = {
      rest: String(form.get("rest") ?? ""),
      grpc: String(form.get("grpc") ?? ""),
      tls_cert: String(form.get("tls_cert") ?? ""),
      management_macaroon: String(form.get("management_macaroon") ?? ""),
    };
    startTransition(async () => {
      const result = await attachNodeAction(environmentId, input);
      if (!result.ok) {
        setError({ field: result.error.field, message: result.error.detail ?? result.error.message });
        return;
      }
      setError(null);
      toast(replacing ? "Node credentials replaced" : `Node ${result.data.alias ?? ""} attached`.replace(/\s+/g, " "), "success");
      onDone?.();
      router.refresh();
    });
  }

  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);

  return (
    <form action={submit} className="space-y-5" noValidate aria-label={replacing ? "Replace node credentials" : "Attach a node"}>
      <Field
        label="REST URL"
        name="rest"
        type="url"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://mynode.example.com:8080"
        required
        hint="LND's REST listener (restlisten, port 8080 by default), reachable from this Boltrail."
        error={fieldError(FIELDS.rest)}
      />
      <TextArea
        label="TLS certificate (PEM)"
        name="tls_cert"
        rows={5}
        placeholder={"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"}
        hint="The contents of the node's tls.cert. Leave empty if the node's certificate comes from a public authority."
        error={fieldError(FIELDS.tls)}
      />
      <TextArea
        label="Management macaroon (hex or base64)"
        name="management_macaroon"
        rows={3}
        required
        placeholder="0201036c6e64…"
        hint="invoice.macaroon is enough to receive: xxd -p -c 100000 ~/.lnd/data/chain/bitcoin/mainnet/invoice.macaroon. Stored encrypted, never shown again."
        error={fieldError(FIELDS.macaroon)}
      />
      <Field label="gRPC host (optional)" name="grpc" autoComplete="off" spellCheck={false} placeholder="mynode.example.com:10009" hint="Stored and shown for reference; Boltrail talks REST." error={fieldError(FIELDS.grpc)} />
      <FormError message={error && !KNOWN.includes(error.field ?? "") ? error.message : undefined} />
      <div className="flex flex-wrap justify-end gap-2">
        {onDone && (
          <Button variant="secondary" onClick={onDone}>
            Cancel
          </Button>
        )}
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}
          {pending ? "Checking the node…" : replacing ? "Replace credentials" : "Attach node"}
        </Button>
      </div>
    </form>
  );
}

/** A labelled textarea with its hint and error wired for screen readers (the Field of long values). */
function TextArea({ label, name, error, hint, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; name: string; error?: string; hint?: string }) {
  const id = `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-gray-900 dark:text-gray-100">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-xs break-all text-gray-900 shadow-xs placeholder:text-gray-500 focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500 aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100 dark:placeholder:text-gray-400"
        {...props}
      />
      {hint && (
        <p id={`${id}-hint`} className="text-xs break-words text-gray-600 dark:text-gray-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
