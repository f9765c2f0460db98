/**
 * Boltrail's additions to the Rails subset. Additions never break a client (DESIGN.md, top):
 *  - seed 000 selects `id name type created_at` directly on `payment.environment.create`, so its
 *    result also carries the environment's own fields;
 *  - seed 000 selects `precision` (and names `type: BASE_ASSET`) on `taproot_assets.list` items.
 * And two extension mutations for webhooks (documented in the README): send a test event, redeliver.
 */
export const EXTENSIONS_SDL = /* GraphQL */ `
extend type CreatePaymentsEnvironmentResult {
  id: String!
  name: String!
  type: PaymentsEnvironmentType!
  created_at: String!
  updated_at: String!
  wallet_count: Int!
}

extend type AvailableTaprootAsset {
  precision: Float!
  type: BitcoinAssetType!
}

# Boltrail extension: send a webhook.test event to an endpoint.
extend type WebhookEndpointMutations {
  send_test_event(id: String!): WebhookEvent!
}

"""Boltrail extension: webhook event operations."""
type WebhookEventMutations {
  id: String!
  """Queue an event again for one endpoint, or for every active endpoint of its environment: a new run of up to 8 attempts."""
  redeliver(id: String!, endpoint_id: String): WebhookEvent!
}

extend type PaymentMutations {
  webhook_event: WebhookEventMutations!
}

# Sending (README "Sending"): what a send keeps, beyond the Rails fields.
extend type PaymentsTransaction {
  """Proof of payment of a completed send (its SHA-256 is payment_hash); null while pending, and for sandbox sends to other nodes."""
  payment_preimage: String
  """The most a send may pay in routing fees (reserved while it is pending), in the asset's minor units."""
  fee_reserve: String
  """The Lightning Address a send paid."""
  lightning_address: String
  """The LUD-09 success action of a Lightning Address payment."""
  success_action: LnurlSuccessAction
  """An internal payment: the transaction on the other side, in this instance."""
  counterpart_id: String
  """A live send the client pays: pay payment_request on the node (node_permissions gives what that takes); Boltrail follows the payment by its hash."""
  client_pays: Boolean!
  """A USD-priced invoice: the price asked, in US cents (amount is that price converted at usd_rate, rounded up)."""
  amount_usd_cents: String
  """A USD-priced invoice: the USD per whole asset unit its price was converted at when it was created."""
  usd_rate: String
  """The USD value of amount when the transaction completed, in US cents (null until then)."""
  settled_usd_cents: String
  """The USD per whole asset unit the transaction was valued at when it completed."""
  settled_usd_rate: String
}

# USD-priced invoices (README "Amounts"), as SatsRail's amount_cents.
extend input CreateReceiveTransactionInput {
  """Price the invoice in US cents instead of amount (give amount: "" then): converted to the wallet's asset at today's rate, rounded up so the merchant never receives less; the rate is recorded (usd_rate)."""
  amount_usd_cents: Int
}

"""LUD-09: shown to the payer once paid. tag message: message; tag url: description and url."""
type LnurlSuccessAction {
  tag: String!
  message: String
  description: String
  url: String
}

extend type PaymentsWalletBalance {
  """Held by pending sends (amount + fee reserve); balance is what is available."""
  reserved: String!
}

extend type PaymentsWallet {
  """The wallet's Lightning Address (name@host), when it has one."""
  lightning_address: String
}

extend input SendByAddress {
  """LUD-12 comment for the payee, when its address accepts one."""
  comment: String
}

# Sending from a live wallet (README "Attaching a node"): the server-held custody mode.
extend type NodeMutations {
  """Store a macaroon with offchain:write (and offchain:read) for the team's node, checked on the node first, so that create_send on the LIVE environment pays through the node; macaroon null or empty removes it. Master session only; the macaroon is stored encrypted and never returned."""
  set_send_macaroon(node_id: String!, macaroon: String): DeployedNode!
}

extend type WalletMutations {
  """Give a BTC wallet the Lightning Address name@<this host>, or remove it (name null or empty)."""
  set_lightning_address(id: String!, name: String): PaymentsWallet!
}
`;
