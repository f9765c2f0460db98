import "server-only";
import { sql } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { assertWalletInKeyScope, keyEnvironmentIds } from "../auth/permissions";
import { notFound } from "../errors";

/**
 * A wallet id given as a filter (transactions, webhook events) that is outside the caller's scope
 * — another team's, another environment's for a key, another wallet for a wallet-scoped key, or
 * none at all — is NOT_FOUND, like every other out-of-scope id, rather than an empty list.
 */
export async function assertWalletVisible(actor: Actor, walletId: string): Promise<void> {
  assertWalletInKeyScope(actor, walletId);
  const [row] = await sql(
    `SELECT 1 FROM wallets w JOIN environments e ON e.id = w."environmentId"
     WHERE w.id = $1 AND e."teamId" = $2 AND ($3::text[] IS NULL OR e.id = ANY($3::text[]))`,
    [walletId, actor.teamId, actor.kind === "key" ? keyEnvironmentIds(actor) : null],
    { prepared: true },
  );
  if (!row) throw notFound("Wallet");
}
