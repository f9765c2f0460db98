-- Sending (issue 11): reserved balances, Lightning Addresses, and what a send keeps.

-- Available balance = received - sent - reserved. A send reserves amount + maximum fee when it is
-- created; completion books amount + actual fee into "sent", failure or expiry releases it.
ALTER TABLE "wallets" ADD COLUMN "reserved" BIGINT NOT NULL DEFAULT 0;
-- The name part of the wallet's Lightning Address (name@<APP_URL host>), unique per instance.
ALTER TABLE "wallets" ADD COLUMN "lightningAddress" TEXT;
CREATE UNIQUE INDEX "wallets_lightningAddress_key" ON "wallets"("lightningAddress");
-- The ledger can never go below zero, whatever the code does.
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_available_not_negative" CHECK ("reserved" >= 0 AND "received" - "sent" - "reserved" >= 0);

-- What a pending send holds reserved (amount + fee reserve), zero once it ended.
ALTER TABLE "transactions" ADD COLUMN "reserved" BIGINT NOT NULL DEFAULT 0;
-- The maximum fee a send may pay.
ALTER TABLE "transactions" ADD COLUMN "feeReserve" BIGINT;
-- What was asked to be paid ("bolt11:<invoice>" or "address:<address>:<amount>"): an idempotency
-- key replayed with another request is refused.
ALTER TABLE "transactions" ADD COLUMN "sendRequest" TEXT;
ALTER TABLE "transactions" ADD COLUMN "lightningAddress" TEXT;
-- LUD-09 successAction of a Lightning Address payment (JSON), shown once paid.
ALTER TABLE "transactions" ADD COLUMN "successAction" TEXT;
-- The payee's node key (sends).
ALTER TABLE "transactions" ADD COLUMN "payeePubkey" TEXT;
-- An internal payment: the receive a send paid, and the send that paid a receive.
ALTER TABLE "transactions" ADD COLUMN "counterpartId" TEXT;

-- One live (pending or completed) send per invoice per wallet: paying an invoice twice returns the
-- first send, also when both requests race. (Partial index: not expressible in schema.prisma.)
CREATE UNIQUE INDEX "transactions_one_send_per_invoice" ON "transactions"("walletId", "paymentHash")
  WHERE "direction" = 'SEND' AND "status" IN ('PENDING', 'COMPLETED');

-- Fixed-window counters for rate limits shared by every app instance (LNURL callbacks).
CREATE TABLE "rate_limits" (
  "key" TEXT NOT NULL,
  "windowStart" TIMESTAMP(3) NOT NULL,
  "count" INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key", "windowStart")
);
CREATE INDEX "rate_limits_windowStart_idx" ON "rate_limits"("windowStart");
