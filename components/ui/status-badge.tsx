import { Badge } from "./badge";

const TONE = { PENDING: "amber", COMPLETED: "green", FAILED: "red", EXPIRED: "gray" } as const;
const LABEL = { PENDING: "Pending", COMPLETED: "Paid", FAILED: "Failed", EXPIRED: "Expired" } as const;

export type PaymentStatus = keyof typeof TONE;

export function StatusBadge({ status }: { status: PaymentStatus }) {
  return <Badge tone={TONE[status]}>{LABEL[status]}</Badge>;
}
