import { z } from "zod";
import { atMost, enter } from "../form-messages";

// Isomorphic: the node page's forms validate with these in the browser too.

/** A macaroon as pasted (hex or base64; the service normalises and checks it on the node). */
export const Macaroon = z.string({ error: enter("the macaroon (hex or base64)") }).trim().min(1, enter("the macaroon (hex or base64)")).max(16_384, atMost(16_384));

/** node.connect's `lnd` (Mutation.node.connect): where LND's REST listener is, and how to talk to it. */
export const ConnectLndInput = z.object({
  rest: z.string({ error: enter("the https URL of LND's REST listener") }).trim().min(1, enter("the https URL of LND's REST listener (restlisten, port 8080 by default)")).max(2048, atMost(2048)),
  grpc: z.string().trim().max(2048, atMost(2048)),
  management_macaroon: Macaroon,
  tls_cert: z.string().trim().max(16_384, atMost(16_384)).nullish(),
});

/** The node page's forms that take one macaroon (management, send). */
export const MacaroonForm = z.object({ macaroon: Macaroon });

/** The admin macaroon form: checked in the browser only — the team password never leaves it (DESIGN §custody). */
export const AdminMacaroonForm = z.object({ password: z.string().trim().min(1, enter("the team password")), macaroon: Macaroon });
