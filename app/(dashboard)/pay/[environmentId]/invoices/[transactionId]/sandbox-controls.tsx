"use client";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { simulateOutcomeAction } from "../actions";

const OUTCOMES = [
  { id: "settle", label: "Settle now", done: "Invoice settled", variant: "primary" },
  { id: "fail", label: "Fail", done: "Payment failed", variant: "secondary" },
  { id: "expire", label: "Expire", done: "Invoice expired", variant: "secondary" },
] as const;

/** Sandbox only: end a pending invoice now instead of waiting for auto-settlement. */
export function SandboxControls({ environmentId, transactionId }: { environmentId: string; transactionId: string }) {
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const toast = useToast();
  return (
    <div className="flex flex-wrap gap-2" role="group" aria-label="Sandbox controls">
      {OUTCOMES.map((o) => (
        <Button
          key={o.id}
          variant={o.variant}
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              const result = await simulateOutcomeAction(environmentId, transactionId, o.id);
              toast(result.ok ? o.done : (result.error.detail ?? result.error.message), result.ok ? "success" : "error");
              router.refresh();
            })
          }
        >
          {pending && <Spinner />}
          {o.label}
        </Button>
      ))}
    </div>
  );
}
