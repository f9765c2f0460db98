import { toWalletAsset, type WalletAsset } from "../wallets/wallet-view";

export type TransactionEventView = { id: string; eventType: string; message: string | null; details: string | null; createdAt: Date };

export type TransactionView = {
  id: string;
  walletId: string;
  environmentId: string;
  environmentType: "SANDBOX" | "LIVE";
  direction: "RECEIVE" | "SEND";
  status: "PENDING" | "COMPLETED" | "FAILED" | "EXPIRED";
  amount: bigint;
  amountSats: bigint | null;
  exchangeRate: string | null;
  fee: bigint;
  settleAmount: bigint | null;
  description: string | null;
  metadata: string | null;
  idempotencyKey: string;
  paymentRequest: string | null;
  paymentHash: string | null;
  error: string | null;
  nodeId: string | null;
  expiresAt: Date | null;
  settledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  asset: WalletAsset;
  events: TransactionEventView[];
};

export const TRANSACTION_SELECT = {
  id: true,
  walletId: true,
  environmentId: true,
  direction: true,
  status: true,
  amount: true,
  amountSats: true,
  exchangeRate: true,
  fee: true,
  settleAmount: true,
  description: true,
  metadata: true,
  idempotencyKey: true,
  paymentRequest: true,
  paymentHash: true,
  error: true,
  nodeId: true,
  expiresAt: true,
  settledAt: true,
  createdAt: true,
  updatedAt: true,
  asset: true,
  environment: { select: { type: true } },
} as const;

type Row = Omit<TransactionView, "asset" | "events" | "environmentType"> & {
  asset: WalletAsset;
  environment: { type: "SANDBOX" | "LIVE" };
  events?: TransactionEventView[];
};

export function toTransactionView(row: Row): TransactionView {
  const { environment, events, asset, ...rest } = row;
  return {
    ...rest,
    environmentType: environment.type,
    asset: toWalletAsset(asset),
    events: events ?? [],
  };
}
