/** The webhook event types (isomorphic: the endpoint form lists them and validates with the same schema as the service). */
export const PAYMENT_EVENT_TYPES = ["payment.pending", "payment.completed", "payment.failed", "payment.expired"] as const;
export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];
