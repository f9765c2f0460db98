import type { Permission } from "../auth/actor";

export type ApiKeyView = {
  id: string;
  name: string;
  environmentId: string;
  keyPrefix: string;
  keySuffix: string;
  permissions: Permission[];
  walletId: string | null;
  nodeId: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  /** Neither revoked nor expired. */
  active: boolean;
};

export const API_KEY_SELECT = {
  id: true,
  name: true,
  environmentId: true,
  keyPrefix: true,
  keySuffix: true,
  permissions: true,
  walletId: true,
  nodeId: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  createdAt: true,
} as const;

type Row = Omit<ApiKeyView, "active" | "permissions"> & { permissions: unknown };

export function toApiKeyView(row: Row, now = Date.now()): ApiKeyView {
  return {
    ...row,
    permissions: row.permissions as Permission[],
    active: !row.revokedAt && (!row.expiresAt || row.expiresAt.getTime() > now),
  };
}
