import { z } from "zod";

export const SANDBOX_BEHAVIORS = ["complete", "fail", "expire"] as const;
export const MAX_EXPIRY_SECONDS = 2_592_000;
export const DEFAULT_EXPIRY_SECONDS = 600;

/** Field-level shape of create_receive; amount and metadata get their own checks in the service. */
const walletId = z.string({ error: "is required" }).trim().min(1, "is required").max(100, "is not a valid id");

export const CreateReceiveInput = z.object({
  wallet_id: walletId,
  amount: z.unknown(),
  description: z.string({ error: "must be a string" }).max(640, "must be at most 640 characters").nullish(),
  expires_in_seconds: z
    .number({ error: "must be a whole number of seconds" })
    .int("must be a whole number of seconds")
    .min(1, "must be at least 1 second")
    .max(MAX_EXPIRY_SECONDS, `must be at most ${MAX_EXPIRY_SECONDS} seconds (30 days)`)
    .nullish(),
  idempotency_key: z.string({ error: "must be a string" }).min(1, "must not be empty").max(255, "must be at most 255 characters").nullish(),
  metadata: z.string({ error: "must be a JSON object encoded as a string" }).max(2048, "must be at most 2048 characters").nullish(),
});

/** create_send (reference schema CreateSendTransactionInput, plus Boltrail's optional `address.comment`, LUD-12). */
export const CreateSendInput = z.object({
  wallet_id: walletId,
  request: z
    .object({ bolt11: z.string({ error: "must be a string" }).max(8000, "is too long to be a BOLT11 invoice") }, { error: "must be an object { bolt11 }" })
    .nullish(),
  address: z
    .object(
      {
        lightning_address: z.string({ error: "must be a string" }).max(320, "must be at most 320 characters"),
        amount: z.unknown(),
        comment: z.string({ error: "must be a string" }).max(2000, "must be at most 2000 characters").nullish(),
      },
      { error: "must be an object { lightning_address amount }" },
    )
    .nullish(),
  idempotency_key: z.string({ error: "must be a string" }).min(1, "must not be empty").max(255, "must be at most 255 characters").nullish(),
  metadata: z.string({ error: "must be a JSON object encoded as a string" }).max(2048, "must be at most 2048 characters").nullish(),
});

export const ListTransactionsInput = z.object({
  environment_id: z.string().trim().min(1).max(100).nullish(),
  wallet_id: z.string().trim().min(1).max(100).nullish(),
  filter: z
    .object({
      status: z.enum(["PENDING", "COMPLETED", "FAILED", "EXPIRED"]).nullish(),
      direction: z.enum(["RECEIVE", "SEND"]).nullish(),
      /**
       * Dashboard search box (not part of the Rails ListTransactionsInput, so GraphQL never sends it):
       * an id, a payment hash, text of the description / metadata / idempotency key, or an exact amount.
       */
      search: z.string({ error: "must be a string" }).max(200, "must be at most 200 characters").nullish(),
      date_range: z
        .object({
          from: z.string().nullish(),
          to: z.string().nullish(),
        })
        .nullish(),
    })
    .nullish(),
  page: z
    .object({
      limit: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(100, "must be at most 100"),
      offset: z.number({ error: "must be a number" }).int("must be a whole number").min(0, "must not be negative").max(1_000_000, "must be at most 1000000"),
    })
    .nullish(),
});
export type ListTransactionsInput = z.input<typeof ListTransactionsInput>;
