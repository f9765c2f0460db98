"use client";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { useToast } from "@/components/ui/toast";
import { deleteEndpointAction, redeliverAction, sendTestEventAction, updateEndpointAction } from "../actions";

export function EndpointControls({ environmentId, id, active }: { environmentId: string; id: string; active: boolean }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const router = useRouter();
  const run = (fn: () => Promise<{ ok: boolean; error?: { message: string; detail?: string } }>, done: string) =>
    startTransition(async () => {
      const result = await fn();
      toast(result.ok ? done : (result.error?.detail ?? result.error?.message ?? "Failed"), result.ok ? "success" : "error");
      router.refresh();
    });
  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" disabled={pending} onClick={() => run(() => sendTestEventAction(environmentId, id), "Test event queued")}>
        Send test event
      </Button>
      <Button variant="secondary" disabled={pending} onClick={() => run(() => updateEndpointAction(environmentId, { id, active: !active }), active ? "Endpoint paused" : "Endpoint resumed")}>
        {active ? "Pause" : "Resume"}
      </Button>
      <ConfirmForm
        trigger="Delete endpoint"
        title="Delete this endpoint?"
        body="Deliveries to it stop at once and its delivery history is deleted."
        confirmLabel="Delete endpoint"
        hidden={{}}
        action={async () => {
          const result = await deleteEndpointAction(environmentId, id);
          if (result.ok) {
            toast("Endpoint deleted", "success");
            router.push(`/pay/${environmentId}/webhooks`);
          } else toast(result.error.detail ?? result.error.message, "error");
        }}
      />
    </div>
  );
}

export function RedeliverButton({ environmentId, eventId, endpointId }: { environmentId: string; eventId: string; endpointId: string }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const router = useRouter();
  return (
    <Button
      variant="secondary"
      className="px-2.5 py-1.5 text-xs"
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          const result = await redeliverAction(environmentId, eventId, endpointId);
          toast(result.ok ? "Redelivery queued" : (result.error.detail ?? result.error.message), result.ok ? "success" : "error");
          router.refresh();
        })
      }
    >
      Redeliver
    </Button>
  );
}
