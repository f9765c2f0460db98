/** Service views (camelCase, Date) → the Rails GraphQL shapes (snake_case, ISO strings). */
import type { ApiKeyView } from "../api-keys/api-key-view";
import { fullAddress } from "../lnurl/own-host";
import type { EnvironmentView } from "../environments/environment-view";
import type { WalletAsset, WalletView } from "../wallets/wallet-view";
import type { TransactionView } from "../transactions/transaction-view";
import { usdPrice, usdValue } from "../assets/prices";
import { displayAmount } from "../money";
import type { EndpointView } from "../webhooks/endpoints";
import type { WebhookEventView } from "../webhooks/webhook-events";
import type { WalletNodePermissionsView } from "../custody/credentials";
import { AppError } from "../errors";
import type { NodeView } from "../nodes/node-view";

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function gqlEnvironment(env: EnvironmentView) {
  return {
    id: env.id,
    name: env.name,
    type: env.type,
    created_at: env.createdAt.toISOString(),
    updated_at: env.updatedAt.toISOString(),
    wallet_count: env.walletCount,
  };
}

export function gqlApiKey(key: ApiKeyView) {
  return {
    id: key.id,
    name: key.name,
    active: key.active,
    created_at: key.createdAt.toISOString(),
    environment_id: key.environmentId,
    expires_at: iso(key.expiresAt),
    key_prefix: key.keyPrefix,
    key_suffix: key.keySuffix,
    last_used_at: iso(key.lastUsedAt),
    node_id: key.nodeId,
    permissions: key.permissions,
    wallet_id: key.walletId,
  };
}


export function gqlAsset(asset: WalletAsset) {
  return {
    id: asset.id,
    symbol: asset.symbol,
    precision: asset.precision,
    type: asset.type,
    description: asset.description,
    website_url: asset.websiteUrl,
    prices: { id: `prices:${asset.id}`, usd: usdPrice(asset.symbol) },
    taproot_asset_details:
      asset.type === "TAPROOT_ASSET" ? { asset_id: asset.tapAssetId, group_key: asset.groupKey, universe: asset.universe } : null,
  };
}

// The derived fields of lists are getters: computed only when a query selects them (graphql-js
// reads them as properties), and still present in JSON.stringify (the dashboard's raw JSON).

export function gqlAmount(id: string, minor: bigint, asset: WalletAsset) {
  return {
    id,
    get display_amount() {
      return displayAmount(minor, asset.precision);
    },
    full_amount: minor.toString(),
    get value() {
      return { id: `${id}:usd`, usd_value: usdValue(minor, asset.precision, asset.symbol) };
    },
  };
}

export function gqlSimpleWallet(w: WalletView) {
  return { id: w.id, name: w.name, asset: gqlAsset(w.asset), asset_id: w.asset.id, created_at: w.createdAt.toISOString(), is_ready: w.isReady };
}

export function gqlWallet(w: WalletView) {
  return {
    ...gqlSimpleWallet(w),
    balance: { balance: w.balance.toString(), received: w.received.toString(), sent: w.sent.toString(), reserved: w.reserved.toString() },
    lightning_address: fullAddress(w.lightningAddress),
    environment: gqlEnvironment(w.environment),
    environment_id: w.environmentId,
    team_id: w.teamId,
    updated_at: w.updatedAt.toISOString(),
    // Sandbox wallets have no node; a live wallet is served by the node attached to its environment.
    nodes: w.nodes.map(gqlNode),
  };
}

export function gqlSimpleTransaction(t: TransactionView) {
  return {
    id: t.id,
    get amount() {
      return gqlAmount(`${t.id}:amount`, t.amount, t.asset);
    },
    get asset() {
      return gqlAsset(t.asset);
    },
    get created_at() {
      return t.createdAt.toISOString();
    },
    description: t.description,
    direction: t.direction,
    get fee() {
      return t.fee.toString();
    },
    metadata: t.metadata,
    get settled_at() {
      return iso(t.settledAt);
    },
    status: t.status,
    get updated_at() {
      return t.updatedAt.toISOString();
    },
    wallet_id: t.walletId,
  };
}

export function gqlTransaction(t: TransactionView) {
  // Stablecoins: the settled share of the sats paid (amount_sats × settle_amount ÷ amount).
  const settleSats =
    t.settleAmount === null ? null : t.asset.type === "BASE_ASSET" ? t.settleAmount : t.amountSats === null || t.amount === BigInt(0) ? null : (t.amountSats * t.settleAmount) / t.amount;
  return {
    ...gqlSimpleTransaction(t),
    amount_sats: (t.asset.type === "BASE_ASSET" ? t.amount : t.amountSats)?.toString() ?? null,
    error: t.error,
    events: t.events.map((e) => ({ id: e.id, event_type: e.eventType, message: e.message, details: e.details, created_at: e.createdAt.toISOString() })),
    exchange_rate: t.exchangeRate,
    expires_at: iso(t.expiresAt),
    idempotency_key: t.idempotencyKey,
    node_id: t.nodeId,
    payment_hash: t.paymentHash,
    payment_request: t.paymentRequest,
    settle_amount: t.settleAmount === null ? null : gqlAmount(`${t.id}:settle_amount`, t.settleAmount, t.asset),
    settle_amount_sats: settleSats?.toString() ?? null,
    payment_preimage: t.paymentPreimage,
    fee_reserve: t.feeReserve?.toString() ?? null,
    lightning_address: t.lightningAddress,
    success_action: t.successAction ? JSON.parse(t.successAction) : null,
    counterpart_id: t.counterpartId,
    client_pays: t.clientPays ?? false,
    amount_usd_cents: t.pricedUsdCents?.toString() ?? null,
    usd_rate: t.pricedUsdRate,
    settled_usd_cents: t.settledUsdCents?.toString() ?? null,
    settled_usd_rate: t.settledUsdRate,
  };
}

export function gqlEndpoint(e: EndpointView) {
  return {
    id: e.id,
    url: e.url,
    event_filters: e.eventFilters,
    active: e.active,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    environment_id: e.environmentId,
  };
}

export function gqlSimpleWebhookEvent(e: Omit<WebhookEventView, "deliveries">) {
  return { id: e.id, event_type: e.eventType, wallet_id: e.walletId, transaction_id: e.transactionId, created_at: e.createdAt.toISOString() };
}

export function gqlWebhookEvent(e: WebhookEventView) {
  return {
    ...gqlSimpleWebhookEvent(e),
    environment_id: e.environmentId,
    idempotency_key: e.idempotencyKey,
    payload: e.payload,
    deliveries: e.deliveries.map((d) => ({
      id: d.id,
      webhook_endpoint_id: d.endpointId,
      status: d.status,
      attempt_number: d.attemptCount,
      http_status: d.lastHttpStatus,
      error_message: d.lastError,
      created_at: d.createdAt.toISOString(),
      updated_at: d.updatedAt.toISOString(),
    })),
  };
}

const notAvailable = (what: string): never => {
  throw new AppError("NOT_IMPLEMENTED", `${what} is not available in Boltrail`);
};

/**
 * LND's network → DeployedNodeNetwork, which only has MAINNET, MUTINYNET and TESTNET: signet maps
 * to MUTINYNET (Mutinynet is a signet), regtest to TESTNET (a test network either way).
 */
const NODE_NETWORK: Record<string, "MAINNET" | "MUTINYNET" | "TESTNET"> = { mainnet: "MAINNET", testnet: "TESTNET", signet: "MUTINYNET", regtest: "TESTNET" };

/** PaymentsWallet.node_permissions: what a client proving the team password needs to pay on the wallet's node. */
export function gqlNodePermissions(p: WalletNodePermissionsView) {
  return {
    id: `node_permissions:${p.walletId}`,
    encrypted_symmetric_key: p.encryptedSymmetricKey,
    nodes: p.nodes.map((n) => ({
      id: n.id,
      node_id: n.nodeId,
      macaroon_id: n.macaroonId,
      network: NODE_NETWORK[n.network] ?? "TESTNET",
      encrypted_macaroon: n.encryptedMacaroon,
      tls_cert: n.tlsCert,
      sockets: { id: `sockets:${n.nodeId}`, litd: null, lnd: { id: `sockets:${n.nodeId}:lnd`, grpc: n.grpc, rest: n.restUrl } },
    })),
  };
}

/** An attached node as the reference's DeployedNode: a team's own LND (THIRD_PARTY), never its credentials. */
export function gqlNode(n: NodeView) {
  return {
    id: n.id,
    alias: n.alias,
    pubkey: n.pubkey,
    network: NODE_NETWORK[n.network] ?? "TESTNET",
    // The reference's states describe managed nodes; an attached node is ACTIVE (its connection state is on the dashboard).
    state: "ACTIVE",
    created_at: n.createdAt.toISOString(),
    funds_available_at: n.createdAt.toISOString(),
    deactivation_initiated: null,
    deleted_at: null,
    backup: null,
    // Macaroons are never returned.
    credentials: { id: `credentials:${n.id}`, list: [] },
    is_automated: false,
    node_type: "THIRD_PARTY",
    partners: { id: `partners:${n.id}`, list: [] },
    get password() {
      return notAvailable("A node password");
    },
    sockets: { id: `sockets:${n.id}`, litd: null, lnd: { id: `sockets:${n.id}:lnd`, grpc: n.grpc, rest: n.restUrl } },
    taproot_assets_enabled: false,
    type: "PAYMENTS",
    get withdrawal_target() {
      return notAvailable("A node withdrawal target");
    },
  };
}
