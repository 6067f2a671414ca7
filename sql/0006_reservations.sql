-- 0006: host reservations made through chorus-apid (DUID -> addresses, prefixes, hostname),
-- next to the ones in the config file, which win for their DUID and stay read-only. The
-- running engine applies a change at once: every statement that changes the table sends
-- NOTIFY <schema>_dhcp 'reservations', and chorus-dhcp6d reloads the table.
CREATE TABLE reservations (
	duid bytea PRIMARY KEY CHECK (octet_length(duid) BETWEEN 1 AND 130),
	subnet_id bigint NOT NULL CHECK (subnet_id BETWEEN 1 AND 4294967295),
	addresses inet[] NOT NULL DEFAULT '{}' CHECK (cardinality(addresses) <= 8),
	prefixes inet[] NOT NULL DEFAULT '{}' CHECK (cardinality(prefixes) <= 8),
	hostname text CHECK (hostname <> '' AND length(hostname) <= 253),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (cardinality(addresses) + cardinality(prefixes) > 0 OR hostname IS NOT NULL)
);

CREATE FUNCTION reservations_notify() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	PERFORM pg_notify(TG_TABLE_SCHEMA || '_dhcp', 'reservations');
	RETURN NULL;
END;
$$;
CREATE TRIGGER reservations_notify AFTER INSERT OR UPDATE OR DELETE ON reservations
	FOR EACH STATEMENT EXECUTE FUNCTION reservations_notify();

UPDATE schema_version SET version = 6, applied_at = now();
