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
  createdAt: true,
  updatedAt: true,
} as const;

export const toNodeView = (row: NodeView): NodeView => ({ ...row });
