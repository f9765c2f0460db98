-- What an attached node last said about itself (sync, block height, channel liquidity), refreshed
-- by the worker that follows its invoices, and when it last settled an invoice: shown on the node
-- page and deciding is_ready of live BTC wallets (connected, synced, inbound liquidity).
ALTER TABLE "nodes" ADD COLUMN "syncedToChain" BOOLEAN;
ALTER TABLE "nodes" ADD COLUMN "blockHeight" INTEGER;
ALTER TABLE "nodes" ADD COLUMN "inboundSat" BIGINT;
ALTER TABLE "nodes" ADD COLUMN "outboundSat" BIGINT;
ALTER TABLE "nodes" ADD COLUMN "statusCheckedAt" TIMESTAMP(3);
ALTER TABLE "nodes" ADD COLUMN "lastSettledAt" TIMESTAMP(3);
