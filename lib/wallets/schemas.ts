import { z } from "zod";
import { atMost, choose, enter } from "../form-messages";
import { OWN_NAME } from "../lnurl/protocol";

const Id = z.string({ error: "Must be an id" }).trim().min(1, "Must be an id").max(100, "Must be a valid id");

/** Isomorphic: the new-wallet form validates with it in the browser too. */
export const WalletName = z.string({ error: enter("a name") }).trim().min(1, enter("a name")).max(80, atMost(80));

export const CreateWalletInput = z.object({
  name: WalletName,
  environment_id: Id,
  asset_id: z.string({ error: choose("an asset") }).trim().min(1, choose("an asset")).max(100, "Must be a valid id"),
});

/** The name part of a wallet's own Lightning Address (`name@host`), as the wallet page's form and setLightningAddress check it. */
export const LightningAddressInput = z.object({
  name: z
    .string({ error: enter("an address name") })
    .trim()
    .toLowerCase()
    .min(1, enter("an address name"))
    .max(64, atMost(64))
    .regex(OWN_NAME, "May contain only a-z, 0-9, dot, dash and underscore, and must start and end with a letter or digit"),
});
