/**
 * Boltrail's additions to the Rails subset. Additions never break a client (DESIGN.md, top):
 *  - seed 000 selects `id name type created_at` directly on `payment.environment.create`, so its
 *    result also carries the environment's own fields;
 *  - seed 000 selects `precision` (and names `type: BASE_ASSET`) on `taproot_assets.list` items.
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
`;
