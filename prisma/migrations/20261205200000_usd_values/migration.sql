-- Issue 15 §4: USD-priced invoices (the price asked and the rate it was converted at) and the USD
-- value of every transaction at completion (written once, with the status change).
ALTER TABLE "transactions" ADD COLUMN "pricedUsdCents" BIGINT,
  ADD COLUMN "pricedUsdRate" TEXT,
  ADD COLUMN "settledUsdCents" BIGINT,
  ADD COLUMN "settledUsdRate" TEXT;
