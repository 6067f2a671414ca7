-- 0004: what chorus-ddnsd needs of the DDNS outbox.
--
-- permanent: the last attempt failed in a way that retrying soon will not fix (NOTAUTH from a
-- bad key, NOTZONE, FORMERR): the row stays, with its reason in last_error, and is retried
-- slowly (ddns.permanent-retry). Rows of one name are applied in id order: ddnsd takes only
-- the oldest row of each name, which the index on (fqdn, id) finds.
ALTER TABLE ddns_queue ADD COLUMN permanent boolean NOT NULL DEFAULT false;
CREATE INDEX ddns_queue_fqdn_idx ON ddns_queue (fqdn, id);

UPDATE schema_version SET version = 4, applied_at = now();
