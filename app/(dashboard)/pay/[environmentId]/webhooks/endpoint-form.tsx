"use client";
import { useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog } from "@/components/ui/dialog";
import { DialogActions } from "@/components/ui/dialog-actions";
import { Field, FormError } from "@/components/ui/field";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { useToast } from "@/components/ui/toast";
import { TypedConfirmForm } from "@/components/ui/typed-confirm-form";
import { endpointConfirmationName } from "@/lib/auth/typed-confirmation";
import { createEndpointAction, generateTestUrlAction, rotateSecretAction, updateEndpointAction } from "./actions";

export const EVENT_TYPES = ["payment.pending", "payment.completed", "payment.failed", "payment.expired"];

/** The URL as the service checks it (required, at most 2048 characters); a test inbox's URL is Boltrail's own and not edited. */
const EndpointUrlForm = () => import("@/lib/webhooks/schemas").then((m) => m.CreateEndpointInput.pick({ url: true }));
const TestInboxForm = () => import("@/lib/webhooks/schemas").then((m) => m.UpdateEndpointInput.pick({ url: true }));

/** The secret of an endpoint, shown once with a copy button and what to do with it. */
export function SecretOnce({ secret, title = "Signing secret" }: { secret: string; title?: string }) {
  return (
    <div className="space-y-3">
      <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
        Copy this secret now: it is not shown again. Use it to verify the <code>x-webhook-signature</code> header (hex HMAC-SHA256 of <code>{"${timestamp}.${rawBody}"}</code>) or the Standard Webhooks headers.
      </div>
      <label htmlFor="webhook-secret" className="block text-sm font-medium">
        {title}
      </label>
      <div className="flex gap-2">
        <input id="webhook-secret" readOnly value={secret} className="block w-full rounded-md border border-gray-300 bg-gray-50 px-3 py-2 font-mono text-xs dark:border-gray-600 dark:bg-gray-950" />
        <CopyButton value={secret} label="signing secret" />
      </div>
    </div>
  );
}

function EventCheckboxes({ selected, onChange }: { selected: string[]; onChange: (v: string[]) => void }) {
  return (
    <fieldset>
      <legend className="text-sm font-medium">Events</legend>
      <p className="text-xs text-gray-600 dark:text-gray-400">None checked means every event.</p>
      <div className="mt-2 grid gap-1 sm:grid-cols-2">
        {EVENT_TYPES.map((t) => (
          <label key={t} className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={selected.includes(t)} onChange={(e) => onChange(e.target.checked ? [...selected, t] : selected.filter((x) => x !== t))} />
            <span className="font-mono text-xs">{t}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function AddEndpointButton({ environmentId }: { environmentId: string }) {
  const [open, setOpen] = useState(false);
  const [filters, setFilters] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const toast = useToast();
  const form = useServerForm({
    schema: EndpointUrlForm,
    defaultValues: { url: "" },
    submit: (values) => createEndpointAction({ environment_id: environmentId, url: values.url, event_filters: filters }),
    onSuccess: (data) => {
      setSecret(data.secret);
      toast("Webhook endpoint added", "success");
    },
  });
  const close = () => {
    setOpen(false);
    setSecret(null);
    form.reset();
    setFilters([]);
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>Add endpoint</Button>
      <Dialog open={open} onClose={close} title={secret ? "Endpoint added" : "Add webhook endpoint"} wide>
        {secret ? (
          <div className="space-y-4">
            <SecretOnce secret={secret} />
            <div className="flex justify-end">
              <Button onClick={close}>Done</Button>
            </div>
          </div>
        ) : (
          <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
            <Field label="Endpoint URL" type="url" placeholder="https://api.example.com/webhooks/boltrail" required maxLength={2048} hint="HTTPS, reachable on the public internet." {...form.field("url")} />
            <EventCheckboxes selected={filters} onChange={setFilters} />
            <FormError message={form.generalError} />
            <DialogActions onCancel={close} pending={form.pending} submitLabel="Add endpoint" pendingLabel="Adding…" />
          </form>
        )}
      </Dialog>
    </>
  );
}

export function GenerateTestUrlButton({ environmentId }: { environmentId: string }) {
  const [created, setCreated] = useState<{ inboxId: string; secret: string; url: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  return (
    <>
      <Button
        variant="secondary"
        disabled={pending}
        aria-busy={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await generateTestUrlAction(environmentId);
            if (!result.ok) return toast(result.error.detail ?? result.error.message, "error");
            setCreated(result.data);
          })
        }
      >
        {pending && <Spinner />}
        Generate test URL
      </Button>
      <Dialog open={!!created} onClose={() => setCreated(null)} title="Test URL ready" wide>
        {created && (
          <div className="space-y-4">
            <p className="text-sm">
              Boltrail now delivers every event of this environment to its own test inbox at <span className="font-mono text-xs break-all">{created.url}</span>.
            </p>
            <SecretOnce secret={created.secret} />
            <div className="flex justify-end gap-2">
              <a href={`/pay/${environmentId}/webhooks/inbox/${created.inboxId}`} className="inline-flex items-center rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white hover:bg-indigo-700">
                Open the inbox
              </a>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}

export function EditEndpointButton({ environmentId, id, url, filters: initial, isTestInbox }: { environmentId: string; id: string; url: string; filters: string[]; isTestInbox: boolean }) {
  const [open, setOpen] = useState(false);
  const [filters, setFilters] = useState<string[]>(initial);
  const toast = useToast();
  const form = useServerForm({
    schema: async () => (isTestInbox ? await TestInboxForm() : await EndpointUrlForm()),
    defaultValues: { url },
    submit: (values) => updateEndpointAction(environmentId, { id, ...(isTestInbox ? {} : { url: values.url ?? "" }), event_filters: filters }),
    onSuccess: () => {
      setOpen(false);
      toast("Endpoint updated", "success");
    },
  });
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Edit
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Edit endpoint" wide>
        <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
          {!isTestInbox && <Field label="Endpoint URL" type="url" required maxLength={2048} {...form.field("url")} />}
          <EventCheckboxes selected={filters} onChange={setFilters} />
          <FormError message={form.generalError} />
          <DialogActions onCancel={() => setOpen(false)} pending={form.pending} submitLabel="Save" />
        </form>
      </Dialog>
    </>
  );
}

/** Rotation confirmed by typing the endpoint's host (the server action checks it too). */
export function RotateSecretButton({ environmentId, id, url }: { environmentId: string; id: string; url: string }) {
  const [secret, setSecret] = useState<string | null>(null);
  const host = endpointConfirmationName(url);
  return (
    <>
      <TypedConfirmForm
        trigger="Rotate secret"
        triggerVariant="secondary"
        title="Rotate the signing secret?"
        body="A new secret is made and shown once. The current one keeps verifying for 24 hours, so update your receiver within that time."
        expected={host}
        what="the endpoint's host"
        confirmLabel="Rotate secret"
        pendingLabel="Rotating…"
        action={async (typed) => {
          const result = await rotateSecretAction(environmentId, id, typed);
          if (!result.ok) return result.error.detail ?? result.error.message;
          setSecret(result.data);
        }}
      />
      <Dialog open={!!secret} onClose={() => setSecret(null)} title="New signing secret" wide>
        {secret && (
          <div className="space-y-4">
            <SecretOnce secret={secret} title="New signing secret" />
            <p className="text-sm text-gray-600 dark:text-gray-400">The previous secret keeps verifying for 24 hours: deliveries carry signatures for both until then.</p>
            <div className="flex justify-end">
              <Button onClick={() => setSecret(null)}>Done</Button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}
