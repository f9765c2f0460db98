import type { EnvironmentView } from "../environments/environment-view";
import { NODE_VIEW_SELECT, type NodeView } from "../nodes/node-view";

export type WalletAsset = {
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

/** The asset columns every view carries (drops anything else the row has). */
export function toWalletAsset(asset: WalletAsset): WalletAsset {
  return {
    id: asset.id,
    symbol: asset.symbol,
    name: asset.name,
    type: asset.type,
    precision: asset.precision,
    description: asset.description,
    websiteUrl: asset.websiteUrl,
    tapAssetId: asset.tapAssetId,
    groupKey: asset.groupKey,
    universe: asset.universe,
  };
}

export type WalletView = {
  id: string;
  name: string;
  environmentId: string;
  teamId: string;
  asset: WalletAsset;
  received: bigint;
  sent: bigint;
  /** Held by pending sends (amount + fee reserve). */
  reserved: bigint;
  /** Available: received − sent − reserved. */
  balance: bigint;
  /** The name part of its Lightning Address, when one is set. */
  lightningAddress: string | null;
  isReady: boolean;
  /** Live: the node attached to the wallet's environment (none in sandbox). */
  nodes: NodeView[];
  createdAt: Date;
  updatedAt: Date;
  environment: EnvironmentView;
};

export const WALLET_SELECT = {
  id: true,
  name: true,
  environmentId: true,
  received: true,
  sent: true,
  reserved: true,
  lightningAddress: true,
  createdAt: true,
  updatedAt: true,
  asset: true,
  environment: {
    select: {
      id: true,
      name: true,
      type: true,
      teamId: true,
      createdAt: true,
      updatedAt: true,
      _count: { select: { wallets: true } },
      nodes: { select: NODE_VIEW_SELECT },
    },
  },
} as const;

type Row = {
  id: string;
  name: string;
  environmentId: string;
  received: bigint;
  sent: bigint;
  reserved: bigint;
  lightningAddress: string | null;
  createdAt: Date;
  updatedAt: Date;
  asset: WalletAsset & { createdAt?: Date };
  environment: {
    id: string;
    name: string;
    type: "SANDBOX" | "LIVE";
    teamId: string;
    createdAt: Date;
    updatedAt: Date;
    _count: { wallets: number };
    nodes?: NodeView[];
  };
};

export function toWalletView(row: Row): WalletView {
  const { environment: env, asset } = row;
  return {
    id: row.id,
    name: row.name,
    environmentId: row.environmentId,
    teamId: env.teamId,
    asset: toWalletAsset(asset),
    received: row.received,
    sent: row.sent,
    reserved: row.reserved,
    balance: row.received - row.sent - row.reserved,
    lightningAddress: row.lightningAddress,
    // Sandbox wallets can always receive. Live: BTC wallets when the environment's node is
    // connected, synced and can receive (inbound liquidity; unknown when its macaroon may not
    // read channel balances, which does not block); stablecoins need Taproot Asset channels
    // (litd), not supported on live yet.
    isReady: env.type === "SANDBOX" || (asset.type === "BASE_ASSET" && (env.nodes ?? []).some(nodeCanReceive)),
    nodes: env.type === "LIVE" ? (env.nodes ?? []) : [],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    environment: { id: env.id, name: env.name, type: env.type, createdAt: env.createdAt, updatedAt: env.updatedAt, walletCount: env._count.wallets },
  };
}

/** A live node that can take payments now: connected, not known to be out of sync, and not known to have no inbound liquidity. */
export function nodeCanReceive(node: NodeView): boolean {
  return node.state === "CONNECTED" && node.syncedToChain !== false && (node.inboundSat === null || node.inboundSat > BigInt(0));
}
