/** Service views (camelCase, Date) → the Rails GraphQL shapes (snake_case, ISO strings). */
import type { ApiKeyView } from "../api-keys/api-key-view";
import type { EnvironmentView } from "../environments/environment-view";

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
