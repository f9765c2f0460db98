"use client";
import type { ReactNode } from "react";
import { StatusBadge } from "@/components/ui/status-badge";
import type { LiveStatus } from "@/lib/events/types";
import { useTransactionStatus } from "./live-updates";

/** A payment's status badge on a dashboard page, from the page's one status source (live-updates.tsx). */
export function LiveStatusBadge({ transactionId, initial }: { transactionId: string; initial: LiveStatus }) {
  return <StatusBadge status={useTransactionStatus(transactionId, initial)} />;
}

/**
 * The part of a server-rendered page that depends on a payment's status (the invoice's QR code
 * while pending, the outcome once ended), switched by the same status source as its badges: the
 * page never shows "Paid" in one place and "Pending" in another while its refresh is on the way.
 */
export function ByStatus({ transactionId, initial, views }: { transactionId: string; initial: LiveStatus; views: Partial<Record<LiveStatus, ReactNode>> }) {
  return <>{views[useTransactionStatus(transactionId, initial)] ?? null}</>;
}
