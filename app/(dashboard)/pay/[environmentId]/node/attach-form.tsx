"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { Field, FormError, TextAreaField } from "@/components/ui/field";
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
      <TextAreaField
        label="TLS certificate (PEM)"
        name="tls_cert"
        rows={5}
        placeholder={"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"}
        hint="The contents of the node's tls.cert. Leave empty if the node's certificate comes from a public authority."
        error={fieldError(FIELDS.tls)}
      />
      <TextAreaField
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
