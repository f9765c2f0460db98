import { z } from "zod";
import { atMost } from "../form-messages";
import { MAX_USD_CENTS } from "../assets/convert";

export const SANDBOX_BEHAVIORS = ["complete", "fail", "expire"] as const;
export const MAX_EXPIRY_SECONDS = 2_592_000;
export const DEFAULT_EXPIRY_SECONDS = 600;

/** Field-level shape of create_receive; amount and metadata get their own checks in the service. */
const walletId = z.string({ error: "Must be an id" }).trim().min(1, "Must be an id").max(100, "Must be a valid id");

export const CreateReceiveInput = z.object({
  wallet_id: walletId,
  // Optional here: a USD-priced invoice gives amount_usd_cents instead (the service requires exactly one).
  amount: z.unknown().optional(),
  /**
   * Boltrail extension (issue 15 §4, as SatsRail's amount_cents): the invoice priced in US cents,
   * converted to the wallet's asset at creation (rounded up) with the rate recorded. Exactly one of
   * `amount` and `amount_usd_cents` (the service checks which was given).
   */
  amount_usd_cents: z
    .number({ error: "Must be a whole number of US cents, such as 2500 for USD 25.00" })
    .int("Must be a whole number of US cents (no fraction of a cent), such as 2500 for USD 25.00")
    .min(1, "Must be at least 1 (USD 0.01)")
    .max(MAX_USD_CENTS, `Must be at most ${MAX_USD_CENTS} (USD ${(MAX_USD_CENTS / 100).toLocaleString("en")}.00)`)
    .nullish(),
  description: z.string({ error: "Must be a string" }).max(640, atMost(640)).nullish(),
  expires_in_seconds: z
    .number({ error: "Must be a whole number of seconds" })
    .int("Must be a whole number of seconds")
    .min(1, "Must be at least 1 second")
    .max(MAX_EXPIRY_SECONDS, `Must be at most ${MAX_EXPIRY_SECONDS} seconds (30 days)`)
    .nullish(),
  idempotency_key: z.string({ error: "Must be a string" }).min(1, "Must not be empty").max(255, "Must be at most 255 characters").nullish(),
  metadata: z.string({ error: "Must be a JSON object encoded as a string" }).max(2048, atMost(2048)).nullish(),
});

/** create_send (reference schema CreateSendTransactionInput, plus Boltrail's optional `address.comment`, LUD-12). */
export const CreateSendInput = z.object({
  wallet_id: walletId,
  request: z
    .object({ bolt11: z.string({ error: "Must be a string" }).max(8000, "Must be a BOLT11 invoice (this is too long)") }, { error: "Must be an object { bolt11 }" })
    .nullish(),
  address: z
    .object(
      {
        lightning_address: z.string({ error: "Must be a string" }).max(320, "Must be at most 320 characters"),
        amount: z.unknown(),
        comment: z.string({ error: "Must be a string" }).max(2000, "Must be at most 2000 characters").nullish(),
      },
      { error: "Must be an object { lightning_address amount }" },
    )
    .nullish(),
  idempotency_key: z.string({ error: "Must be a string" }).min(1, "Must not be empty").max(255, "Must be at most 255 characters").nullish(),
  metadata: z.string({ error: "Must be a JSON object encoded as a string" }).max(2048, atMost(2048)).nullish(),
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
      search: z.string({ error: "Must be a string" }).max(200, "Must be at most 200 characters").nullish(),
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
      limit: z.number({ error: "Must be a number" }).int("Must be a whole number").min(1, "Must be at least 1").max(100, "Must be at most 100"),
      offset: z.number({ error: "Must be a number" }).int("Must be a whole number").min(0, "Must not be negative").max(1_000_000, "Must be at most 1000000"),
    })
    .nullish(),
});
export type ListTransactionsInput = z.input<typeof ListTransactionsInput>;
