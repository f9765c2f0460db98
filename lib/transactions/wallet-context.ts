import "server-only";
import { sql } from "@/lib/db";
import { openNodeKey } from "../environments/node-key";
import type { WalletAsset } from "../wallets/wallet-view";

export type WalletRow = {
  id: string;
  environmentId: string;
  teamId: string;
  environmentType: "SANDBOX" | "LIVE";
  nodeKeyEncrypted: string | null;
  assetId: string;
  symbol: string;
  name: string;
  assetType: "BASE_ASSET" | "TAPROOT_ASSET";
  precision: number;
  description: string | null;
  websiteUrl: string | null;
  tapAssetId: string | null;
  groupKey: string | null;
  universe: string | null;
};

/**
 * What create_receive and create_send need to know about a wallet: its environment and team, the environment's
 * sealed node key and the wallet's asset. None of it ever changes for a wallet id (a wallet never
 * moves, its asset is fixed, a sandbox node key is set when the environment is created), so it is
 * cached for a minute per process and the request path saves a database round trip. Deletion is
 * the one change: the INSERT then fails on its foreign key and the entry is dropped (NOT_FOUND).
 * Who may use the wallet is still decided on every call, against the caller's fresh identity.
 */
const WALLET_CONTEXT_TTL_MS = 60_000;
const WALLET_CONTEXT_MAX = 10_000;
const walletContexts = new Map<string, { row: WalletRow; at: number }>();

export async function walletContext(walletId: string): Promise<WalletRow | undefined> {
  const cached = walletContexts.get(walletId);
  if (cached && Date.now() - cached.at < WALLET_CONTEXT_TTL_MS) return cached.row;
  // Hot path: plain SQL (see lib/db.ts `sql`).
  const [row] = await sql<WalletRow>(
    `SELECT w.id, w."environmentId", e."teamId", e.type::text AS "environmentType", e."nodeKeyEncrypted",
            a.id AS "assetId", a.symbol, a.name, a.type::text AS "assetType", a.precision, a.description,
            a."websiteUrl", a."tapAssetId", a."groupKey", a.universe
     FROM wallets w JOIN environments e ON e.id = w."environmentId" JOIN assets a ON a.id = w."assetId"
     WHERE w.id = $1`,
    [walletId],
    { prepared: true },
  );
  if (!row) {
    walletContexts.delete(walletId);
    return undefined;
  }
  if (walletContexts.size >= WALLET_CONTEXT_MAX) walletContexts.clear();
  walletContexts.set(walletId, { row, at: Date.now() });
  return row;
}

/**
 * Opened node keys, keyed by their sealed value (which names one key of one environment for good,
 * so an entry never goes stale). The process holds APP_ENCRYPTION_KEY, which opens them all, so
 * keeping them open adds no exposure and saves an AES-GCM decryption per invoice.
 */
const OPENED_NODE_KEYS_MAX = 1_000;
const openedNodeKeys = new Map<string, Buffer>();

export function nodeKeyOf(sealed: string): Buffer {
  let key = openedNodeKeys.get(sealed);
  if (!key) {
    key = openNodeKey(sealed);
    if (openedNodeKeys.size >= OPENED_NODE_KEYS_MAX) openedNodeKeys.clear();
    openedNodeKeys.set(sealed, key);
  }
  return key;
}

export function forgetWalletContext(walletId: string): void {
  walletContexts.delete(walletId);
}


/** The wallet's asset, as views carry it. */
export function assetOf(wallet: WalletRow): WalletAsset {
  return {
    id: wallet.assetId,
    symbol: wallet.symbol,
    name: wallet.name,
    type: wallet.assetType,
    precision: wallet.precision,
    description: wallet.description,
    websiteUrl: wallet.websiteUrl,
    tapAssetId: wallet.tapAssetId,
    groupKey: wallet.groupKey,
    universe: wallet.universe,
  };
}
