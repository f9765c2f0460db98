"use client";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { useLiveUpdates, useTransactionStatus } from "@/components/live/live-updates";
import { mergeStatus } from "@/components/live/status-store";
import { StatusBadge, type PaymentStatus } from "@/components/ui/status-badge";

/**
 * The payment's status, kept current without a reload.
 * - On dashboard pages it reads the page's one status source (components/live), fed by the live
 *   stream, so it always agrees with the page's other badges; it polls only while the stream is
 *   down, and what it learns goes to that same source (which refreshes the page).
 * - Elsewhere (the public checkout, which has no session): polled every second while pending;
 *   when it changes the page refreshes its server-rendered parts, or the payer is sent on.
 */
export function LiveStatus({
  transactionId,
  initial,
  poll,
  redirectOnPaid,
}: {
  transactionId: string;
  initial: PaymentStatus;
  poll: (transactionId: string) => Promise<PaymentStatus>;
  redirectOnPaid?: string | null;
}) {
  const router = useRouter();
  const live = useLiveUpdates();
  const shared = useTransactionStatus(transactionId, initial);
  const { data: polled } = useQuery({
    queryKey: ["payment-status", transactionId],
    queryFn: () => poll(transactionId),
    initialData: initial,
    enabled: live === null || (live.down && shared === "PENDING"),
    refetchInterval: (query) => (query.state.data === "PENDING" ? 1000 : false),
  });
  useEffect(() => {
    if (live && polled) live.report(transactionId, polled);
  }, [live, polled, transactionId]);
  const status = live ? shared : (mergeStatus(initial, polled) ?? initial);

  const previous = useRef(status);
  useEffect(() => {
    if (status === previous.current) return;
    previous.current = status;
    if (status === "COMPLETED" && redirectOnPaid) window.location.assign(redirectOnPaid);
    // On the dashboard the live updates refresh the page themselves.
    else if (!live) router.refresh();
  }, [status, redirectOnPaid, router, live]);
  return (
    <span aria-live="polite" data-testid="payment-status">
      <StatusBadge status={status} />
    </span>
  );
}
