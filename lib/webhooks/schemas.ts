import { z } from "zod";
// Isomorphic: the endpoint forms validate with these in the browser too.
import { atMost, enter } from "../form-messages";
import { PAYMENT_EVENT_TYPES } from "./event-types";

const EventFilters = z
  .array(z.string({ error: "Must be a list of event type names" }), { error: "Must be a list of event type names" })
  .max(20, atMost(20, "entries"))
  .superRefine((list, ctx) => {
    for (const [i, value] of list.entries()) {
      if (!(PAYMENT_EVENT_TYPES as readonly string[]).includes(value)) {
        ctx.addIssue({ code: "custom", path: [i], message: `Must be one of ${PAYMENT_EVENT_TYPES.join(", ")} ("${value.slice(0, 60)}" is not an event type)` });
      }
    }
  })
  .transform((list) => [...new Set(list)]);

export const EndpointUrl = z.string({ error: enter("the endpoint URL") }).trim().min(1, enter("the endpoint URL")).max(2048, atMost(2048));
const EndpointId = z.string({ error: "Must be an id" }).trim().min(1, "Must be an id").max(100, "Must be a valid id");

export const CreateEndpointInput = z.object({
  environment_id: EndpointId,
  url: EndpointUrl,
  event_filters: EventFilters.nullish(),
});

export const UpdateEndpointInput = z.object({
  id: EndpointId,
  url: EndpointUrl.nullish(),
  event_filters: EventFilters.nullish(),
  active: z.boolean({ error: "Must be true or false" }).nullish(),
});
