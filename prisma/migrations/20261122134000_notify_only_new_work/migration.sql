-- Wake the workers only when there is new due delivery work: an insert that added rows, or an
-- update that left a delivery PENDING (a retry or a redelivery). Before, every create_receive
-- woke every worker even when no endpoint matched, and so did every finished delivery.
DROP TRIGGER IF EXISTS webhook_deliveries_notify ON "webhook_deliveries";

CREATE OR REPLACE FUNCTION boltrail_notify_new_deliveries() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed WHERE status = 'PENDING') THEN
    PERFORM pg_notify('boltrail_work', TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_deliveries_notify_insert AFTER INSERT ON "webhook_deliveries"
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION boltrail_notify_new_deliveries();

CREATE TRIGGER webhook_deliveries_notify_update AFTER UPDATE ON "webhook_deliveries"
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION boltrail_notify_new_deliveries();
