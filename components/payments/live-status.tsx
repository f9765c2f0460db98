"use client";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { StatusBadge, type PaymentStatus } from "@/components/ui/status-badge";

/**
 * The payment's status, kept current without a reload: polled every second while pending. When it
 * changes, the page refreshes its server-rendered parts, or (checkout) the payer is sent on.
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
  const { data: status = initial } = useQuery({
    queryKey: ["payment-status", transactionId],
    queryFn: () => poll(transactionId),
    initialData: initial,
    refetchInterval: (query) => (query.state.data === "PENDING" ? 1000 : false),
  });
  const previous = useRef(initial);
  useEffect(() => {
    if (status === previous.current) return;
    previous.current = status;
    if (status === "COMPLETED" && redirectOnPaid) window.location.assign(redirectOnPaid);
    else router.refresh();
  }, [status, redirectOnPaid, router]);
  return (
    <span aria-live="polite" data-testid="payment-status">
      <StatusBadge status={status} />
    </span>
  );
}
