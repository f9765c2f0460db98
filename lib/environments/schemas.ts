import { z } from "zod";
// Isomorphic: the environment forms validate with these in the browser too.
import { atMost, enter } from "../form-messages";

export const EnvironmentName = z
  .string({ error: enter("a name") })
  .trim()
  .min(1, enter("a name"))
  .max(80, atMost(80));

export const CreateEnvironmentInput = z.object({
  name: EnvironmentName,
  type: z.enum(["SANDBOX", "LIVE"], { error: "Must be SANDBOX or LIVE" }),
  live: z
    .object({
      success_url: z.url({ error: "Must be an absolute URL" }),
      cancel_url: z.url({ error: "Must be an absolute URL" }),
    })
    .nullish(),
});
export type CreateEnvironmentInput = z.infer<typeof CreateEnvironmentInput>;

export const Id = z.string({ error: "Must be an id" }).trim().min(1, "Must be an id").max(100, "Must be a valid id");
