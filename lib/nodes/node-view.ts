/** A Lightning node as services return it: never its credentials. */
export type NodeView = {
  id: string;
  teamId: string;
  environmentId: string;
  pubkey: string;
  alias: string | null;
  /** LND's network name: mainnet, testnet, signet, regtest. */
  network: string;
  restUrl: string;
  grpc: string;
  state: "CONNECTED" | "RECONNECTING";
  lastError: string | null;
  /** The node's own report at the last check (null: not checked yet). */
  syncedToChain: boolean | null;
  blockHeight: number | null;
  /** Sats the node can receive / send over its channels; null when its macaroon may not read them. */
  inboundSat: bigint | null;
  outboundSat: bigint | null;
  statusCheckedAt: Date | null;
  lastSettledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export const NODE_VIEW_SELECT = {
  id: true,
  teamId: true,
  environmentId: true,
  pubkey: true,
  alias: true,
  network: true,
  restUrl: true,
  grpc: true,
  state: true,
  lastError: true,
  syncedToChain: true,
  blockHeight: true,
  inboundSat: true,
  outboundSat: true,
  statusCheckedAt: true,
  lastSettledAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export const toNodeView = (row: NodeView): NodeView => ({ ...row });
