"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Field, FormError, TextAreaField } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { attachNodeAction } from "./actions";

/** The attach form (also "Replace credentials"): REST URL, TLS certificate, macaroon, gRPC host. */
export function AttachNodeForm({ environmentId, replacing = false, onDone }: { environmentId: string; replacing?: boolean; onDone?: () => void }) {
  const router = useRouter();
  const toast = useToast();
  const form = useServerForm({
    schema: () => import("@/lib/nodes/schemas").then((m) => m.ConnectLndInput),
    defaultValues: { rest: "", grpc: "", tls_cert: "", management_macaroon: "" },
    submit: (values) => attachNodeAction(environmentId, { rest: values.rest, grpc: values.grpc, tls_cert: values.tls_cert ?? "", management_macaroon: values.management_macaroon }),
    onSuccess: (node) => {
      toast(replacing ? "Node credentials replaced" : `Node ${node.alias ?? ""} attached`.replace(/\s+/g, " "), "success");
      onDone?.();
      router.refresh();
    },
  });

  return (
    <form onSubmit={form.onSubmit} className="space-y-5" noValidate aria-label={replacing ? "Replace node credentials" : "Attach a node"}>
      <Field
        label="REST URL"
        type="url"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://mynode.example.com:8080"
        required
        hint="LND's REST listener (restlisten, port 8080 by default), reachable from this Boltrail."
        {...form.field("rest")}
      />
      <TextAreaField
        label="TLS certificate (PEM)"
        rows={5}
        placeholder={"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"}
        hint="The contents of the node's tls.cert. Leave empty if the node's certificate comes from a public authority."
        {...form.field("tls_cert")}
      />
      <TextAreaField
        label="Management macaroon (hex or base64)"
        rows={3}
        required
        placeholder="0201036c6e64…"
        hint="invoice.macaroon is enough to receive: xxd -p -c 100000 ~/.lnd/data/chain/bitcoin/mainnet/invoice.macaroon. Stored encrypted, never shown again."
        {...form.field("management_macaroon")}
      />
      <Field label="gRPC host (optional)" autoComplete="off" spellCheck={false} placeholder="mynode.example.com:10009" hint="Stored and shown for reference; Boltrail talks REST." {...form.field("grpc")} />
      <FormError message={form.generalError} />
      <div className="flex flex-wrap justify-end gap-2">
        {onDone && (
          <Button variant="secondary" onClick={onDone}>
            Cancel
          </Button>
        )}
        <PendingButton pending={form.pending} pendingLabel="Checking the node…">
          {replacing ? "Replace credentials" : "Attach node"}
        </PendingButton>
      </div>
    </form>
  );
}
