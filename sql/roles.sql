-- Roles and grants of one instance's schema, for the latest schema version. Not a migration:
-- chorus-admin runs it after every db-init and db-upgrade (and alone with db-roles), with
-- search_path set to the schema. It is idempotent: it creates the missing roles and re-grants.
--
-- The roles are cluster-wide, named after the schema, and NOLOGIN. The operator grants them to
-- login users, one per process, e.g. for schema chorus_s1:
--   CREATE ROLE dhcp6d_s1 LOGIN PASSWORD '...' IN ROLE chorus_s1_dhcp;
--   <schema>_dhcp  chorus-dhcp6d: leases, DDNS outbox, events, counters, its DUID
--   <schema>_lq    chorus-leasequeryd, chorus-lq: reads leases (may run on a hot standby);
--                  writes only its heartbeat and counters, which a standby refuses
--   <schema>_ddns  chorus-ddnsd: works the outbox, reads leases, records DNS done flags
--   <schema>_api   chorus-apid: reads everything, deletes or changes leases on request
--                  (queuing their DNS removal), records what it did in events
-- Identifiers are built with format('%I'), from the schema name chorus-admin validated.
DO $roles$
DECLARE
	s text := current_schema();
	r text;
BEGIN
	IF s IS NULL THEN
		RAISE EXCEPTION 'roles.sql: search_path names no existing schema';
	END IF;
	FOREACH r IN ARRAY ARRAY['dhcp', 'lq', 'ddns', 'api'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = s || '_' || r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', s || '_' || r);
			RAISE NOTICE 'created role %', s || '_' || r;
		END IF;
		EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, s || '_' || r);
		EXECUTE format('GRANT SELECT ON schema_version, server_identity TO %I', s || '_' || r);
		-- Every daemon keeps its own liveness row and its own counters (scope per daemon).
		EXECUTE format('GRANT SELECT, INSERT, UPDATE ON heartbeats, stats TO %I', s || '_' || r);
	END LOOP;

	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON leases, stats TO %I', s || '_dhcp');
	EXECUTE format('GRANT SELECT, INSERT ON ddns_queue, events, server_identity TO %I',
		s || '_dhcp');
	EXECUTE format('GRANT USAGE ON SEQUENCE leases_id_seq, ddns_queue_id_seq, events_id_seq TO %I',
		s || '_dhcp');

	EXECUTE format('GRANT SELECT ON leases TO %I', s || '_lq');
	-- reservations made through the API: the engine reads them, the API keeps them
	EXECUTE format('GRANT SELECT ON reservations TO %I', s || '_dhcp');
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON reservations TO %I', s || '_api');

	-- INSERT: a removal of its own when a lease ended while its name was being added
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ddns_queue TO %I', s || '_ddns');
	EXECUTE format('GRANT USAGE ON SEQUENCE ddns_queue_id_seq TO %I', s || '_ddns');
	EXECUTE format('GRANT SELECT, UPDATE (ddns_fwd, ddns_rev) ON leases TO %I', s || '_ddns');
	EXECUTE format('GRANT SELECT, INSERT ON events TO %I', s || '_ddns');
	EXECUTE format('GRANT USAGE ON SEQUENCE events_id_seq TO %I', s || '_ddns');

	EXECUTE format('GRANT SELECT ON leases, ddns_queue, events, stats TO %I', s || '_api');
	EXECUTE format('GRANT UPDATE, DELETE ON leases TO %I', s || '_api');
	EXECUTE format('GRANT INSERT ON ddns_queue, events TO %I', s || '_api');
	EXECUTE format('GRANT USAGE ON SEQUENCE ddns_queue_id_seq, events_id_seq TO %I', s || '_api');
END
$roles$;
