import { z } from "zod";
import { parseIsoDate } from "../validation";

const Resource = z.enum(["ENVIRONMENTS", "WALLETS", "PAYMENTS", "WEBHOOKS", "WALLET_CREDENTIALS"], {
  error: "must be one of ENVIRONMENTS, WALLETS, PAYMENTS, WEBHOOKS, WALLET_CREDENTIALS",
});
const Level = z.enum(["READ", "WRITE"], { error: "must be READ or WRITE" });

export const KeyName = z.string({ error: "is required" }).trim().min(1, "must not be empty").max(80, "must be at most 80 characters");

export const CreateApiKeyInput = z.object({
  name: KeyName,
  environment_id: z.string({ error: "is required" }).trim().min(1, "is required").max(100),
  permissions: z
    .array(z.object({ resource: Resource, level: Level }), { error: "must be a list of { resource, level }" })
    .min(1, "must grant at least one permission")
    .max(20, "has too many entries"),
  expires_at: z
    .string()
    .trim()
    .nullish()
    .transform((v, ctx) => {
      if (!v) return null;
      const date = parseIsoDate(v);
      if (!date) {
        ctx.addIssue({ code: "custom", message: "must be a valid ISO 8601 date, e.g. 2027-01-31T00:00:00Z" });
        return z.NEVER;
      }
      const ms = date.getTime();
      if (ms <= Date.now()) {
        ctx.addIssue({ code: "custom", message: "must be in the future" });
        return z.NEVER;
      }
      return new Date(ms);
    }),
  wallet_id: z.string().trim().max(100).nullish().transform((v) => v || null),
  node_id: z.string().trim().max(100).nullish().transform((v) => v || null),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInput>;

export const UpdateApiKeyInput = z.object({ name: KeyName });
