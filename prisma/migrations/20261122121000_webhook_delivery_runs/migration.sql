-- A redelivery starts a new run of up to 8 attempts.
ALTER TABLE "webhook_deliveries" ADD COLUMN "attemptBase" INTEGER NOT NULL DEFAULT 0;

-- Wake the delivery workers (LISTEN boltrail_work) as soon as work is queued; they also poll.
CREATE OR REPLACE FUNCTION boltrail_notify_work() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('boltrail_work', TG_TABLE_NAME);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_deliveries_notify AFTER INSERT OR UPDATE OF "nextAttemptAt" ON "webhook_deliveries"
  FOR EACH STATEMENT EXECUTE FUNCTION boltrail_notify_work();

CREATE TRIGGER jobs_notify AFTER INSERT ON "jobs"
  FOR EACH STATEMENT EXECUTE FUNCTION boltrail_notify_work();
