-- Jobs are due later (sandbox settlement after a delay), so waking every worker on each insert
-- only cost CPU on the request path; workers find due jobs by polling. Webhook deliveries keep
-- their NOTIFY, which is what makes delivery prompt.
DROP TRIGGER IF EXISTS jobs_notify ON "jobs";
