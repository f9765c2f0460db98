"use server";
import { getCheckoutStatus } from "@/lib/checkout/get-checkout";
import type { PaymentStatus } from "@/components/ui/status-badge";

/** Public: the payer's page polls this while the invoice is pending. */
export async function getCheckoutStatusAction(transactionId: string): Promise<PaymentStatus> {
  return getCheckoutStatus(transactionId);
}
