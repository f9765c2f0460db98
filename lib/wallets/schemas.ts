import { z } from "zod";

const Id = z.string({ error: "is required" }).trim().min(1, "is required").max(100, "is not a valid id");

export const CreateWalletInput = z.object({
  name: z.string({ error: "is required" }).trim().min(1, "must not be empty").max(80, "must be at most 80 characters"),
  environment_id: Id,
  asset_id: Id,
});
