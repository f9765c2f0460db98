"use client";
import { useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { revokeOtherSessionsAction, revokeSessionAction } from "./actions";

export type SessionRow = { id: string; device: string; ip: string | null; createdAt: string; lastSeenAt: string | null; current: boolean };

export function SignOutSessionButton({ id, device }: { id: string; device: string }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  return (
    <Button
      variant="secondary"
      className="px-2.5 py-1.5 text-xs"
      disabled={pending}
      aria-busy={pending}
      aria-label={`Sign out ${device}`}
      onClick={() =>
        startTransition(async () => {
          const result = await revokeSessionAction(id);
          toast(result.ok ? `Signed out ${device}` : (result.error.detail ?? result.error.message), result.ok ? "success" : "error");
        })
      }
    >
      {pending && <Spinner />}
      Sign out
    </Button>
  );
}

export function SignOutEverywhereElseButton({ others }: { others: number }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  return (
    <Button
      variant="secondary"
      disabled={pending || others === 0}
      aria-busy={pending}
      onClick={() =>
        startTransition(async () => {
          const result = await revokeOtherSessionsAction();
          if (!result.ok) return toast(result.error.message, "error");
          const n = result.data.endedSessions;
          toast(n === 0 ? "No other sessions were signed in" : `Signed out ${n} other session${n === 1 ? "" : "s"}`, "success");
        })
      }
    >
      {pending && <Spinner />}
      Sign out everywhere else
    </Button>
  );
}
