-- webhook_events."idempotencyKey" (the envelope id, `<event_type>:<tx_id>`) is only ever read
-- with its event row, never looked up, filtered or sorted by: its index had no reader and cost a
-- B-tree insert on every webhook event, create_receive's payment.pending included.
DROP INDEX IF EXISTS "webhook_events_idempotencyKey_idx";
