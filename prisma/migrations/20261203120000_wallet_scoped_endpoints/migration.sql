-- Issue 12 (findings 3 and 14): wallet-scoped keys stay in their wallet, and a sandbox a key
-- creates joins that key's scope (DESIGN.md §4).

-- A webhook endpoint created by a wallet-scoped key is bound to that wallet: it receives only
-- that wallet's events, and only that key (or the team's dashboard) sees it. NULL = the whole
-- environment. Deleting the wallet deletes its endpoints (never widens them to every wallet).
ALTER TABLE "webhook_endpoints" ADD COLUMN "walletId" TEXT;
CREATE INDEX "webhook_endpoints_walletId_idx" ON "webhook_endpoints"("walletId");
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_walletId_fkey" FOREIGN KEY ("walletId") REFERENCES "wallets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A key scoped to a wallet that is deleted goes with it: SET NULL would have turned it into a key
-- of the whole environment.
ALTER TABLE "service_api_keys" DROP CONSTRAINT "service_api_keys_walletId_fkey";
ALTER TABLE "service_api_keys" ADD CONSTRAINT "service_api_keys_walletId_fkey" FOREIGN KEY ("walletId") REFERENCES "wallets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The key that created a (sandbox) environment: that environment is in the key's scope.
ALTER TABLE "environments" ADD COLUMN "createdByKeyId" TEXT;
CREATE INDEX "environments_createdByKeyId_idx" ON "environments"("createdByKeyId");
ALTER TABLE "environments" ADD CONSTRAINT "environments_createdByKeyId_fkey" FOREIGN KEY ("createdByKeyId") REFERENCES "service_api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Whatever statement fans an event out (lib/webhooks/events.ts, the batched receive and send
-- writes, a redelivery), a wallet-bound endpoint never gets a delivery of another wallet's event:
-- such a row is skipped, not inserted. Environment-wide endpoints (the usual case) cost one
-- primary-key lookup.
CREATE OR REPLACE FUNCTION boltrail_delivery_wallet_scope() RETURNS trigger AS $$
DECLARE
  bound text;
BEGIN
  SELECT ep."walletId" INTO bound FROM webhook_endpoints ep WHERE ep.id = NEW."endpointId";
  IF bound IS NULL THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT 1 FROM webhook_events ev WHERE ev.id = NEW."eventId" AND ev."walletId" = bound) THEN
    RETURN NEW;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_deliveries_wallet_scope BEFORE INSERT ON "webhook_deliveries"
  FOR EACH ROW EXECUTE FUNCTION boltrail_delivery_wallet_scope();
