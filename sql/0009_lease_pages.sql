-- 0009: the admin API's lease pages (GET /v1/leases) are keyset pages in (addr, id) order.
-- The index on addr gains id: a page after a cursor is then one range of the index, read in
-- order, where an index on addr alone left PostgreSQL an incremental sort of whole rows per
-- page. It stays the one index on addr (lookups of an address use it as before), so the
-- engine's inserts keep the same number of index writes. Built without CONCURRENTLY (a
-- migration runs in a transaction): writes to leases wait while it builds.
DROP INDEX leases_addr_idx;
CREATE INDEX leases_addr_idx ON leases (addr, id);

UPDATE schema_version SET version = 9, applied_at = now();
