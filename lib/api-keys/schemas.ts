import { z } from "zod";
import { atMost, choose, enter } from "../form-messages";
import { parseIsoDate } from "../validation";

const Resource = z.enum(["ENVIRONMENTS", "WALLETS", "PAYMENTS", "WEBHOOKS", "WALLET_CREDENTIALS"], {
  error: "Must be one of ENVIRONMENTS, WALLETS, PAYMENTS, WEBHOOKS, WALLET_CREDENTIALS",
});
const Level = z.enum(["READ", "WRITE"], { error: "Must be READ or WRITE" });

// Isomorphic: the create and rename forms validate with these in the browser too.
export const KeyName = z.string({ error: enter("a name") }).trim().min(1, enter("a name")).max(80, atMost(80));

export const CreateApiKeyInput = z.object({
  name: KeyName,
  environment_id: z.string({ error: choose("an environment") }).trim().min(1, choose("an environment")).max(100, atMost(100)),
  permissions: z
    .array(z.object({ resource: Resource, level: Level }), { error: "Must be a list of { resource, level }" })
    .min(1, "Grant at least one permission")
    .max(20, atMost(20, "entries")),
  expires_at: z
    .string()
    .trim()
    .nullish()
    .transform((v, ctx) => {
      if (!v) return null;
      const date = parseIsoDate(v);
      if (!date) {
        ctx.addIssue({ code: "custom", message: "Must be a valid ISO 8601 date, such as 2027-01-31T00:00:00Z" });
        return z.NEVER;
      }
      const ms = date.getTime();
      if (ms <= Date.now()) {
        ctx.addIssue({ code: "custom", message: "Must be in the future" });
        return z.NEVER;
      }
      return new Date(ms);
    }),
  wallet_id: z.string().trim().max(100).nullish().transform((v) => v || null),
  node_id: z.string().trim().max(100).nullish().transform((v) => v || null),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInput>;

export const UpdateApiKeyInput = z.object({ name: KeyName });
