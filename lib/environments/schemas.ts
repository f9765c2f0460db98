import { z } from "zod";

export const EnvironmentName = z
  .string({ error: "name is required" })
  .trim()
  .min(1, "must not be empty")
  .max(80, "must be at most 80 characters");

export const CreateEnvironmentInput = z.object({
  name: EnvironmentName,
  type: z.enum(["SANDBOX", "LIVE"], { error: "must be SANDBOX or LIVE" }),
  live: z
    .object({
      success_url: z.url({ error: "must be an absolute URL" }),
      cancel_url: z.url({ error: "must be an absolute URL" }),
    })
    .nullish(),
});
export type CreateEnvironmentInput = z.infer<typeof CreateEnvironmentInput>;

export const Id = z.string({ error: "is required" }).trim().min(1, "is required").max(100, "is not a valid id");
