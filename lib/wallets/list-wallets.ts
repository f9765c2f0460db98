import "server-only";
import { checkId } from "../validation";
import { db } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { authorize, scopedWalletId } from "../auth/permissions";
import { assertEnvironmentVisible } from "../environments/visible";

export type WalletSummary = { id: string; name: string; assetId: string; assetSymbol: string; createdAt: Date };

/** The wallets of one environment in the actor's scope (a wallet-scoped key sees only its own). */
export async function listWallets(actor: Actor, environmentId: string): Promise<WalletSummary[]> {
  authorize(actor, "WALLETS", "READ");
  await assertEnvironmentVisible(actor, checkId(environmentId, "Environment"));
  const rows = await db.wallet.findMany({
    where: {
      environmentId: checkId(environmentId, "Environment"),
      environment: { teamId: actor.teamId },
      ...(scopedWalletId(actor) ? { id: scopedWalletId(actor)! } : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, name: true, assetId: true, createdAt: true, asset: { select: { symbol: true } } },
  });
  return rows.map((w) => ({ id: w.id, name: w.name, assetId: w.assetId, assetSymbol: w.asset.symbol, createdAt: w.createdAt }));
}
