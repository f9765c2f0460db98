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
  /** Whether the management macaroon may follow payments (offchain:read): live sends paid by the client need it. Null: not checked. */
  managementCanTrack: boolean | null;
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
  managementCanTrack: true,
  createdAt: true,
  updatedAt: true,
} as const;

export const toNodeView = (row: NodeView): NodeView => ({ ...row });

/** A worker checks every followed node about every 30 s: no check for this long means nobody follows it. */
export const NODE_STALE_AFTER_MS = 120_000;

/**
 * How the node page shows the connection: `connected` (its stream is followed), `reconnecting`
 * (the stream dropped; retried with backoff), or `disconnected` (no worker has reached the node
 * for NODE_STALE_AFTER_MS: no worker is running, or none can reach it).
 */
export function connectionStateOf(node: Pick<NodeView, "state" | "statusCheckedAt" | "updatedAt">, now = Date.now()): "connected" | "reconnecting" | "disconnected" {
  const lastSeen = Math.max(node.statusCheckedAt?.getTime() ?? 0, node.updatedAt.getTime());
  if (now - lastSeen > NODE_STALE_AFTER_MS) return "disconnected";
  return node.state === "CONNECTED" ? "connected" : "reconnecting";
}
