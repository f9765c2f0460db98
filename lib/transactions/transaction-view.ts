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
  /** Live sends: the client pays on the node (Rails' custody, issue 14); Boltrail follows the payment. Absent in list rows. */
  clientPays?: boolean;
  /** Sends: the maximum fee, and what the pending send holds reserved (0 once it ended). */
  feeReserve: bigint | null;
  reserved: bigint;
  /** Sends: the proof of payment once completed (null while pending, or when the payee's node is not this instance's). Receives: always null here. */
  paymentPreimage: string | null;
  payeePubkey: string | null;
  lightningAddress: string | null;
  /** LUD-09 successAction of a Lightning Address payment, as JSON. */
  successAction: string | null;
  /** Internal payments: the transaction on the other side (this instance). */
  counterpartId: string | null;
  /** A USD-priced invoice: the price asked in US cents and the USD per whole asset unit it was converted at. */
  pricedUsdCents: bigint | null;
  pricedUsdRate: string | null;
  /** The USD value of `amount` when it completed, in US cents, and the USD per whole asset unit then. */
  settledUsdCents: bigint | null;
  settledUsdRate: string | null;
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
  clientPays: true,
  feeReserve: true,
  reserved: true,
  paymentPreimage: true,
  payeePubkey: true,
  lightningAddress: true,
  successAction: true,
  counterpartId: true,
  pricedUsdCents: true,
  pricedUsdRate: true,
  settledUsdCents: true,
  settledUsdRate: true,
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
  const { environment, events, asset, paymentPreimage, ...rest } = row;
  return {
    ...rest,
    // A receive's preimage is the secret its payer reveals by paying: never shown.
    paymentPreimage: rest.direction === "SEND" && rest.status === "COMPLETED" ? paymentPreimage : null,
    environmentType: environment.type,
    asset: toWalletAsset(asset),
    events: events ?? [],
  };
}
