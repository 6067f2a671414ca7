-- 0005: every lease change becomes a row of events, for chorus-apid's event stream
-- (GET /v1/events) and audits, written by the statement that makes the change.
--
-- Statement-level triggers with transition tables: one INSERT ... SELECT per statement,
-- however many leases the engine's commit group carries, and one NOTIFY chorus_events
-- (payload: the schema, as for chorus_ddns) when it wrote a row. Kinds: granted (a new
-- holding row, or a row made active again), renewed (active stays active and the update
-- is not only ddnsd's DNS done flags: CLTT has whole seconds, so a renewal within the
-- second of the grant keeps it),
-- released, declined, expired (the new state), deleted (released by chorus-apid, which
-- names its token in the transaction's setting chorus.actor). reclaimed and other
-- updates (ddnsd's DNS done flags) make no event. The engine's sessions turn hash joins
-- off; the update trigger joins the statement's old and new rows by id, so it turns them
-- on for itself (a nested loop over two unindexed sets would cost n^2 per commit group).
CREATE FUNCTION lease_events_insert() RETURNS trigger
	LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
	n bigint;
BEGIN
	INSERT INTO events (kind, addr, duid, detail)
	SELECT 'granted', l.addr, l.duid, jsonb_build_object('type', l.lease_type, 'iaid', l.iaid,
		'subnet_id', l.subnet_id, 'valid_lifetime', l.valid_lft, 'hostname', l.fqdn,
		'granted_by', l.granted_by)
	FROM new_leases l WHERE l.state = 'active';
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM pg_notify('chorus_events', TG_TABLE_SCHEMA);
	END IF;
	RETURN NULL;
END;
$$;

CREATE FUNCTION lease_events_update() RETURNS trigger
	LANGUAGE plpgsql SET search_path FROM CURRENT SET enable_hashjoin = on AS $$
DECLARE
	n bigint;
	actor text := nullif(current_setting('chorus.actor', true), '');
BEGIN
	INSERT INTO events (kind, addr, duid, detail)
	SELECT k.kind, l.addr, l.duid, jsonb_strip_nulls(jsonb_build_object('type', l.lease_type,
		'iaid', l.iaid, 'subnet_id', l.subnet_id, 'valid_lifetime', l.valid_lft,
		'hostname', l.fqdn, 'by', CASE WHEN k.kind = 'deleted' THEN actor END))
	FROM new_leases l JOIN old_leases o ON o.id = l.id
	CROSS JOIN LATERAL (SELECT CASE
		WHEN l.state = o.state THEN
			CASE WHEN l.state = 'active' AND (l.cltt IS DISTINCT FROM o.cltt
				OR l.fqdn IS DISTINCT FROM o.fqdn OR (l.ddns_fwd, l.ddns_rev)
				IS NOT DISTINCT FROM (o.ddns_fwd, o.ddns_rev)) THEN 'renewed' END
		WHEN l.state = 'released' AND actor IS NOT NULL THEN 'deleted'
		WHEN l.state = 'active' THEN 'granted'
		WHEN l.state IN ('released', 'declined', 'expired') THEN l.state
		END AS kind) k
	WHERE k.kind IS NOT NULL
	ORDER BY l.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM pg_notify('chorus_events', TG_TABLE_SCHEMA);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER lease_events_insert AFTER INSERT ON leases
	REFERENCING NEW TABLE AS new_leases
	FOR EACH STATEMENT EXECUTE FUNCTION lease_events_insert();
CREATE TRIGGER lease_events_update AFTER UPDATE ON leases
	REFERENCING OLD TABLE AS old_leases NEW TABLE AS new_leases
	FOR EACH STATEMENT EXECUTE FUNCTION lease_events_update();

UPDATE schema_version SET version = 5, applied_at = now();
