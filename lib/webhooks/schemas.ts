import { z } from "zod";
import { PAYMENT_EVENT_TYPES } from "./events";

const EventFilters = z
  .array(z.string({ error: "must be a list of event type names" }), { error: "must be a list of event type names" })
  .max(20, "has too many entries")
  .superRefine((list, ctx) => {
    for (const [i, value] of list.entries()) {
      if (!(PAYMENT_EVENT_TYPES as readonly string[]).includes(value)) {
        ctx.addIssue({ code: "custom", path: [i], message: `"${value.slice(0, 60)}" is not an event type; use one of ${PAYMENT_EVENT_TYPES.join(", ")}` });
      }
    }
  })
  .transform((list) => [...new Set(list)]);

const Url = z.string({ error: "is required" }).trim().min(1, "is required").max(2048, "must be at most 2048 characters");

export const CreateEndpointInput = z.object({
  environment_id: z.string({ error: "is required" }).trim().min(1, "is required").max(100),
  url: Url,
  event_filters: EventFilters.nullish(),
});

export const UpdateEndpointInput = z.object({
  id: z.string({ error: "is required" }).trim().min(1, "is required").max(100),
  url: Url.nullish(),
  event_filters: EventFilters.nullish(),
  active: z.boolean({ error: "must be true or false" }).nullish(),
});
