import "server-only";
import { db } from "@/lib/db";

export type AssetView = {
  id: string;
  symbol: string;
  name: string;
  type: "BASE_ASSET" | "TAPROOT_ASSET";
  precision: number;
  description: string | null;
  websiteUrl: string | null;
  tapAssetId: string | null;
  groupKey: string | null;
  universe: string | null;
};

/** The supported assets, BTC first. Public information: no permission needed. */
export async function listAssets(): Promise<AssetView[]> {
  const rows = await db.asset.findMany({ orderBy: [{ type: "asc" }, { symbol: "asc" }] });
  return rows.map((a) => ({
    id: a.id,
    symbol: a.symbol,
    name: a.name,
    type: a.type,
    precision: a.precision,
    description: a.description,
    websiteUrl: a.websiteUrl,
    tapAssetId: a.tapAssetId,
    groupKey: a.groupKey,
    universe: a.universe,
  }));
}
