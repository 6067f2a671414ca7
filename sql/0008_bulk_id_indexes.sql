-- 0008: bulk leasequery by relay-id and by remote-id (RFC 5460) as index range scans.
--
-- chorus-leasequeryd streams a bulk answer in keyset pages in DUID order (a client's bindings
-- together, each page from the DUID the last one ended at). The GIN indexes of 0002 find the
-- rows holding an id but in no order, so a page either sorted every match after its DUID or,
-- as leasequeryd did, walked leases_client_idx and tested every row of the table. These
-- btree indexes read the rows of one id in DUID order, starting where the last page ended:
--   leases_relay_id_idx        (relay_ids[1], duid): the first (outermost) RELAY_ID
--   leases_relay_ids_more_idx  (duid) of the rows with more than one RELAY_ID (more than one
--                              relay layer added one): a page tests these for the id at any
--                              other place
-- and the same two for remote_ids. A page is the merge of the two, each stopping at the page
-- size:
--   (... WHERE relay_ids[1] = $id AND relay_ids <> '{}' AND state IN ('active', 'declined')
--        AND duid > $after ORDER BY relay_ids[1], duid LIMIT n)
--   UNION ALL
--   (... WHERE cardinality(relay_ids) > 1 AND state IN ('active', 'declined') AND duid > $after
--        AND relay_ids[1] IS DISTINCT FROM $id AND relay_ids @> ARRAY[$id] ORDER BY duid LIMIT n)
--   ORDER BY duid LIMIT n
-- Nothing reads the GIN indexes any more (they serve bitmap scans only, which leasequeryd's
-- plans leave out), so they go: a grant through a relay writes btree entries instead of GIN
-- ones, and a renewal that keeps its relay data still rewrites no index (HOT).
DROP INDEX leases_relay_ids_idx;
DROP INDEX leases_remote_ids_idx;
CREATE INDEX leases_relay_id_idx ON leases ((relay_ids[1]), duid)
	WHERE state IN ('active', 'declined') AND relay_ids <> '{}';
CREATE INDEX leases_relay_ids_more_idx ON leases (duid)
	WHERE state IN ('active', 'declined') AND cardinality(relay_ids) > 1;
CREATE INDEX leases_remote_id_idx ON leases ((remote_ids[1]), duid)
	WHERE state IN ('active', 'declined') AND remote_ids <> '{}';
CREATE INDEX leases_remote_ids_more_idx ON leases (duid)
	WHERE state IN ('active', 'declined') AND cardinality(remote_ids) > 1;

UPDATE schema_version SET version = 8, applied_at = now();
