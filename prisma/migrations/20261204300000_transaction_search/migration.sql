-- Transactions search and reports (issue 15 §5).
--
-- pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without being
-- superuser. Its GIN operator class serves ILIKE '%term%' on the three free-text columns the
-- dashboard search box looks in (description, metadata, idempotency key); ids and payment hashes
-- are matched exactly through their existing indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "transactions_description_trgm_idx" ON "transactions" USING GIN ("description" gin_trgm_ops);
CREATE INDEX "transactions_metadata_trgm_idx" ON "transactions" USING GIN ("metadata" gin_trgm_ops);
CREATE INDEX "transactions_idempotencyKey_trgm_idx" ON "transactions" USING GIN ("idempotencyKey" gin_trgm_ops);

-- Exact-amount search within an environment.
CREATE INDEX "transactions_environmentId_amount_idx" ON "transactions"("environmentId", "amount");

-- Reports: completed payments of an environment by settlement time (volume per day, balance history).
CREATE INDEX "transactions_environmentId_settledAt_idx" ON "transactions"("environmentId", "settledAt");
