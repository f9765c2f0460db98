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
`;
