-- 0010: the admin API's lease pages filtered by relay-id (GET /v1/leases?relay-id=...) as
-- index ranges in (addr, id) order, the order of every lease page (0009).
--
-- A RELAY_ID may sit at any place of a row's relay_ids (one per relay layer that added one).
-- The API read the address order and tested every row for it: an id that few rows hold read
-- the whole table (2.1 s at a million rows for one no row holds). These indexes read only the
-- rows holding it, from where the last page ended; a page is the merge of three ranges:
--   leases_relay1_addr_idx  ((relay_ids[1]), addr, id): the id is the first one
--   leases_relay2_addr_idx  ((relay_ids[2]), addr, id) of the rows with two or more: the
--                           second one (and not the first)
--   leases_relay3_addr_idx  (addr, id) of the rows with more than two, tested for it further
--                           in (and not at the first two places)
-- Unlike 0008's (DUID order, holding leases only), these cover every state, as the API's
-- filters do. What they cost the engine: a row with relay ids written anew (a grant, or an
-- update that is not HOT, such as a change of state) writes one more index entry (two behind
-- two relays); a renewal that keeps its relay data is still a HOT update and rewrites no
-- index (relay_ids, addr and id are indexed already, so these make no HOT update a cold one). Built without CONCURRENTLY (a migration runs in a
-- transaction): writes to leases wait while they build.
CREATE INDEX leases_relay1_addr_idx ON leases ((relay_ids[1]), addr, id)
	WHERE relay_ids <> '{}';
CREATE INDEX leases_relay2_addr_idx ON leases ((relay_ids[2]), addr, id)
	WHERE cardinality(relay_ids) > 1;
CREATE INDEX leases_relay3_addr_idx ON leases (addr, id)
	WHERE cardinality(relay_ids) > 2;

UPDATE schema_version SET version = 10, applied_at = now();
