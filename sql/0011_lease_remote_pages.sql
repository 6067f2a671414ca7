-- 0011: the admin API's lease pages filtered by remote-id (GET /v1/leases?remote-id=...) as
-- index ranges in (addr, id) order, as 0010 made them for relay-id.
--
-- The API read the address order and tested every row for the id: one that no row holds
-- read the whole table. These are 0010's three indexes for remote_ids; a page is the merge of
-- their three ranges (BY_ID in api/api_store.c), and an id no row holds is three index
-- lookups that find nothing:
--   leases_remote1_addr_idx  ((remote_ids[1]), addr, id): the id is the first one
--   leases_remote2_addr_idx  ((remote_ids[2]), addr, id) of the rows with two or more: the
--                            second one (and not the first)
--   leases_remote3_addr_idx  (addr, id) of the rows with more than two, tested for it further
--                            in (and not at the first two places)
-- Like 0010's, they cover every state. What they cost the engine: a row with a remote id
-- written anew (a grant, or an update that is not HOT) writes one more index entry (two
-- when two relay layers added one); the second and third hold only the rows with more than
-- one, so where one relay adds the id they stay empty and cost an insert the test of their
-- predicate. A renewal that keeps its relay data is still a HOT update (remote_ids, addr and
-- id are indexed already). Built without CONCURRENTLY (a migration runs in a transaction):
-- writes to leases wait while they build.
CREATE INDEX leases_remote1_addr_idx ON leases ((remote_ids[1]), addr, id)
	WHERE remote_ids <> '{}';
CREATE INDEX leases_remote2_addr_idx ON leases ((remote_ids[2]), addr, id)
	WHERE cardinality(remote_ids) > 1;
CREATE INDEX leases_remote3_addr_idx ON leases (addr, id)
	WHERE cardinality(remote_ids) > 2;

UPDATE schema_version SET version = 11, applied_at = now();
