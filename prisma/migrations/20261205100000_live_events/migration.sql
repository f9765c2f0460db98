-- Payments you can see happen (issue 15 §3): a feed of payment changes for the dashboard's live
-- stream (lib/events). A trigger on "transactions" writes one row per new transaction and per
-- status change, in the same database transaction as that change, and announces its id with
-- NOTIFY boltrail_live. So a change that rolls back is never announced, one that commits always
-- is (NOTIFY is delivered at commit), and every app instance listening hears it.
--
-- Balances move only with these changes: a receive books its amount when it completes, a send
-- reserves its amount when it is created and books or releases it when it ends, in the same
-- database transaction as the status change (lib/transactions/lifecycle.ts). So a listener that
-- reads on the notification sees the new balance too.
--
-- Rows are a short replay buffer (a reconnecting browser asks for the events after its
-- Last-Event-ID), not a history: rows older than an hour are pruned by the trigger itself, on
-- every 256th event, so the table stays small whether or not anyone is watching.
CREATE TABLE "live_events" (
    "id" BIGSERIAL NOT NULL,
    "teamId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "walletId" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "TransactionStatus" NOT NULL,
    "direction" "TransactionDirection" NOT NULL,
    "amount" BIGINT NOT NULL,
    "assetId" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_events_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "live_events_teamId_id_idx" ON "live_events"("teamId", "id");
CREATE INDEX "live_events_createdAt_idx" ON "live_events"("createdAt");

CREATE OR REPLACE FUNCTION boltrail_live_event() RETURNS trigger AS $$
DECLARE
  event_id bigint;
  -- DateTime columns hold UTC (timestamp without time zone), whatever the session's time zone.
  utc_now timestamp(3) := (now() AT TIME ZONE 'UTC');
BEGIN
  INSERT INTO "live_events" ("teamId", "environmentId", "walletId", "transactionId", "kind", "status", "direction", "amount", "assetId", "description", "createdAt")
  SELECT e."teamId", NEW."environmentId", NEW."walletId", NEW."id",
         CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'status' END,
         NEW."status", NEW."direction", NEW."amount", NEW."assetId", left(NEW."description", 200), utc_now
  FROM "environments" e
  WHERE e."id" = NEW."environmentId"
  RETURNING "id" INTO event_id;
  IF event_id IS NOT NULL THEN
    PERFORM pg_notify('boltrail_live', event_id::text);
    IF event_id % 256 = 0 THEN
      DELETE FROM "live_events" WHERE "createdAt" < utc_now - interval '1 hour';
    END IF;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER transactions_live_insert AFTER INSERT ON "transactions"
  FOR EACH ROW EXECUTE FUNCTION boltrail_live_event();

CREATE TRIGGER transactions_live_status AFTER UPDATE OF "status" ON "transactions"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION boltrail_live_event();
