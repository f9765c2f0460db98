import "server-only";
import { db, isUniqueViolation } from "@/lib/db";
import { AppError, forbidden } from "../errors";
import type { Actor } from "../auth/actor";
import { recordAudit } from "../audit";
import { authorize, refuseWalletScopedKey } from "../auth/permissions";
import { parseInput } from "../validation";
import { ENVIRONMENT_SELECT, toEnvironmentView, type EnvironmentView } from "./environment-view";
import { generateNodeKey } from "./node-key";
import { CreateEnvironmentInput } from "./schemas";

export type CreatedEnvironment = { environment: EnvironmentView; checkoutUrl: string | null };

/**
 * Master session: SANDBOX or LIVE (one LIVE per team). A key with ENVIRONMENTS WRITE: SANDBOX
 * only, in its own team, and the sandbox joins that key's scope (DESIGN.md §4: it can find, use
 * and delete it). A wallet-scoped key: none. Members: none. A sandbox gets its own secp256k1 node
 * key, sealed with APP_ENCRYPTION_KEY, that later signs its invoices.
 */
export async function createEnvironment(actor: Actor, raw: unknown): Promise<CreatedEnvironment> {
  authorize(actor, "ENVIRONMENTS", "WRITE");
  refuseWalletScopedKey(actor, "create environments");
  if (actor.kind === "user" && !actor.isMaster) throw forbidden("Only the team's master account can create environments");
  const input = parseInput(CreateEnvironmentInput, raw, "input");
  if (input.type === "LIVE" && actor.kind === "key") {
    throw forbidden("LIVE environments can only be created with the master account's dashboard session");
  }
  const nodeKey = input.type === "SANDBOX" ? generateNodeKey() : null;
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.environment.create({
        data: {
          teamId: actor.teamId,
          name: input.name,
          type: input.type,
          nodePubkey: nodeKey?.pubkey ?? null,
          nodeKeyEncrypted: nodeKey?.sealedPrivateKey ?? null,
          createdByKeyId: actor.kind === "key" ? actor.keyId : null,
        },
        select: ENVIRONMENT_SELECT,
      });
      await recordAudit(tx, actor, "environment.created", { type: "environment", id: created.id }, { name: input.name, type: input.type });
      return created;
    });
    return { environment: toEnvironmentView(row), checkoutUrl: null };
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError("CONFLICT", "input.type: your team already has a LIVE environment (one per team)", {
        field: "input.type",
        detail: "Your team already has a LIVE environment (one per team)",
      });
    }
    throw err;
  }
}
