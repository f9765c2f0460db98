export type EnvironmentView = {
  id: string;
  name: string;
  type: "SANDBOX" | "LIVE";
  createdAt: Date;
  updatedAt: Date;
  walletCount: number;
};

export const ENVIRONMENT_SELECT = {
  id: true,
  name: true,
  type: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { wallets: true } },
} as const;

export function toEnvironmentView(row: {
  id: string;
  name: string;
  type: "SANDBOX" | "LIVE";
  createdAt: Date;
  updatedAt: Date;
  _count: { wallets: number };
}): EnvironmentView {
  const { _count, ...rest } = row;
  return { ...rest, walletCount: _count.wallets };
}
