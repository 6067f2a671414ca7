-- 0001: the lease store of one Chorus instance (ARCHITECTURE.md, "the schema is the contract").
-- chorus-admin applies this in one transaction with search_path set to the instance's schema;
-- nothing here names a schema. Roles and grants live in roles.sql, re-applied after migrations.
-- Leasequery needs: spec/leasequery.md sections 2, 4 and 7.

-- One row per instance: who we are. chorus-dhcp6d generates its DUID once and inserts it here
-- (INSERT ... ON CONFLICT DO NOTHING, then SELECT), so a restart keeps the same Server Identifier.
CREATE TABLE server_identity (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	instance_name text NOT NULL CHECK (instance_name <> ''),
	server_duid bytea NOT NULL CHECK (octet_length(server_duid) BETWEEN 3 AND 130),
	created_at timestamptz NOT NULL DEFAULT now()
);

-- Single row; every migration sets version to its own number (daemons compare it at connect).
CREATE TABLE schema_version (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	version integer NOT NULL CHECK (version > 0),
	applied_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO schema_version (version) VALUES (1);

-- One row per IA_NA address or IA_PD prefix a client was granted. A row is never shared by two
-- bindings: when an address is given again after release or expiry, chorus-dhcp6d inserts a new
-- row (or reuses the old one for the same client). Rows in released, expired or reclaimed state
-- are history the engine may purge; only the "holding" states (active, declined) own the space.
--
-- States:
--   active    bound to the client until expires_at
--   declined  the client said the address is in use elsewhere (RFC 8415 section 18.3.8): held
--             in quarantine until expires_at, handed to nobody
--   released  the client released it (Release), space free
--   expired   valid lifetime ran out, space free; DNS removal queued in the same transaction
--   reclaimed reclamation is finished (DNS removed, counters updated); the row may be purged
--
-- Relay identifiers: a binding may carry one RELAY_ID and one REMOTE_ID per relay layer
-- (spec/leasequery.md section 7; Kea keeps them per layer). They are stored as arrays on the
-- lease with GIN indexes rather than in child tables: the engine rewrites all relay data of a
-- binding on every Reply, which is one UPDATE of one row instead of a DELETE plus INSERTs in two
-- more tables, and the bulk queries are a single indexed "@>" without a join. relay_ids[1] and
-- remote_ids[1] are the outermost layer's. A REMOTE_ID element is the option's data as on the
-- wire: enterprise-number (4 bytes, network order) followed by the remote-id, so a query matches
-- enterprise and value together as RFC 4649 and Kea do.
CREATE TABLE leases (
	id bigserial PRIMARY KEY,
	lease_type text NOT NULL CHECK (lease_type IN ('na', 'pd')),
	-- The address as a /128, or the delegated prefix with its length; host bits are zero.
	addr inet NOT NULL,
	prefix_len smallint GENERATED ALWAYS AS (masklen(addr)) STORED,
	duid bytea NOT NULL CHECK (octet_length(duid) BETWEEN 1 AND 130),
	iaid bigint NOT NULL CHECK (iaid BETWEEN 0 AND 4294967295),
	subnet_id bigint NOT NULL CHECK (subnet_id BETWEEN 0 AND 4294967295),
	-- A representative global address of the client's link (LQ_CLIENT_LINK, BY_LINK_ADDRESS).
	link_addr inet NOT NULL CHECK (family(link_addr) = 6 AND masklen(link_addr) = 128),
	preferred_lft bigint NOT NULL CHECK (preferred_lft BETWEEN 0 AND 4294967295),
	valid_lft bigint NOT NULL CHECK (valid_lft BETWEEN 0 AND 4294967295),
	-- Time of the last client transaction (CLT_TIME is now() - cltt); 0xffffffff lifetimes
	-- expire at 'infinity'.
	cltt timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	state text NOT NULL DEFAULT 'active'
		CHECK (state IN ('active', 'declined', 'released', 'expired', 'reclaimed')),
	state_at timestamptz NOT NULL DEFAULT now(),
	granted_by text NOT NULL,
	-- Client FQDN option (RFC 4704): the name we use, the client's flags field (N=4, O=2, S=1)
	-- and whether the forward (AAAA) and reverse (PTR) updates are done.
	fqdn text,
	fqdn_flags smallint CHECK (fqdn_flags BETWEEN 0 AND 7),
	ddns_fwd boolean NOT NULL DEFAULT false,
	ddns_rev boolean NOT NULL DEFAULT false,
	-- Client link-layer address (RFC 6939): hardware type and address.
	hwtype integer CHECK (hwtype BETWEEN 0 AND 65535),
	hwaddr bytea CHECK (octet_length(hwaddr) <= 64),
	-- Relay data of the last relayed Reply. relay_src is the IP source of the outermost
	-- Relay-forward (LQ_RELAY_DATA's peer-address); relay_link_addr and relay_peer_addr are the
	-- innermost relay's (the one facing the client), as are interface_id and subscriber_id.
	relay_src inet CHECK (family(relay_src) = 6),
	relay_link_addr inet CHECK (family(relay_link_addr) = 6),
	relay_peer_addr inet CHECK (family(relay_peer_addr) = 6),
	relay_ids bytea[] NOT NULL DEFAULT '{}',
	remote_ids bytea[] NOT NULL DEFAULT '{}',
	interface_id bytea,
	subscriber_id bytea,
	-- The Relay-forward chain as received, with the innermost RELAY_MSG (the client's own
	-- message) removed: the DHCP-relay-message of LQ_RELAY_DATA (RFC 5007 section 4.1.2.4).
	relay_chain bytea,
	-- Options the client sent that a requestor may ask for later (ORO in LQ_QUERY), as option
	-- TLVs, with the configured sensitive options already removed.
	client_opts bytea,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (family(addr) = 6),
	CHECK (network(addr)::inet = addr),
	CHECK ((lease_type = 'na' AND masklen(addr) = 128)
		OR (lease_type = 'pd' AND masklen(addr) BETWEEN 1 AND 128)),
	CHECK (preferred_lft <= valid_lft),
	CHECK (hwaddr IS NULL OR hwtype IS NOT NULL),
	-- No double allocation: two holding leases may not share an address, and a delegated
	-- prefix may not overlap an address or another prefix (equal, nested or containing).
	-- The index behind it also serves QUERY_BY_ADDRESS, "addr >>= $1" (RFC 5007 section 4.4:
	-- the client that leases the address or was delegated a prefix containing it).
	CONSTRAINT leases_no_overlap EXCLUDE USING gist (addr inet_ops WITH &&)
		WHERE (state IN ('active', 'declined'))
);

-- The query shapes these indexes serve (tests/integration/test_schema.sh checks each plan):
--   BY_ADDRESS      WHERE addr >>= $addr AND state = 'active'
--   BY_CLIENTID     WHERE duid = $duid AND state = 'active' [AND subnet_id = $link's subnet]
--   BY_RELAY_ID     WHERE relay_ids @> ARRAY[$relay_duid] AND state = 'active'
--   BY_REMOTE_ID    WHERE remote_ids @> ARRAY[$enterprise || $remote_id] AND state = 'active'
--   BY_LINK_ADDRESS WHERE subnet_id = $id AND state = 'active'  (or link_addr = $addr)
--   expiry scan     WHERE state IN ('active', 'declined') AND expires_at <= now()
--                   ORDER BY expires_at LIMIT n
-- Partial indexes repeat the holding-state predicate; "state = 'active'" implies it.

-- QUERY_BY_CLIENTID, and the engine's lookup of a client's IAs (duid, type, iaid); any state,
-- so a returning client can get its old address back.
CREATE INDEX leases_client_idx ON leases (duid, lease_type, iaid);
-- QUERY_BY_RELAY_ID and QUERY_BY_REMOTE_ID (bulk): "relay_ids @> ARRAY[$1]".
CREATE INDEX leases_relay_ids_idx ON leases USING gin (relay_ids)
	WHERE state IN ('active', 'declined');
CREATE INDEX leases_remote_ids_idx ON leases USING gin (remote_ids)
	WHERE state IN ('active', 'declined');
-- QUERY_BY_LINK_ADDRESS (bulk): by the subnet the link-address maps to, or by link address
-- ("link_addr = $1" or "link_addr <<= $1", which btree serves as a range).
CREATE INDEX leases_subnet_idx ON leases (subnet_id) WHERE state IN ('active', 'declined');
CREATE INDEX leases_link_idx ON leases (link_addr) WHERE state IN ('active', 'declined');
-- Exact address lookups in any state (history for the API, reuse of a released address).
CREATE INDEX leases_addr_idx ON leases (addr);
-- The expiry scan: holding leases whose time is up, oldest first.
CREATE INDEX leases_expiry_idx ON leases (expires_at) WHERE state IN ('active', 'declined');

-- DDNS outbox (RFC 2136 updates with RFC 4701 DHCID). chorus-dhcp6d inserts a row in the same
-- transaction as the lease change; chorus-ddnsd deletes it only after the DNS server
-- acknowledged the update, and otherwise bumps attempts and next_attempt_at. The row carries
-- copies of what the update needs, so it survives the lease row being purged.
CREATE TABLE ddns_queue (
	id bigserial PRIMARY KEY,
	lease_id bigint REFERENCES leases (id) ON DELETE SET NULL,
	action text NOT NULL CHECK (action IN ('add', 'remove')),
	fqdn text NOT NULL CHECK (fqdn <> ''),
	addr inet NOT NULL CHECK (family(addr) = 6),
	duid bytea NOT NULL CHECK (octet_length(duid) BETWEEN 1 AND 130),
	fwd boolean NOT NULL DEFAULT true,
	rev boolean NOT NULL DEFAULT true,
	attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	last_error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (fwd OR rev)
);
-- ddnsd's "what is due": ORDER BY next_attempt_at with next_attempt_at <= now().
CREATE INDEX ddns_queue_due_idx ON ddns_queue (next_attempt_at);
CREATE INDEX ddns_queue_lease_idx ON ddns_queue (lease_id);

-- Wakes chorus-ddnsd: LISTEN chorus_ddns. The payload is the schema name, because instances
-- in one database share the channel; one notification per statement (and PostgreSQL folds
-- equal notifications of one transaction into one).
CREATE FUNCTION ddns_queue_notify() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	PERFORM pg_notify('chorus_ddns', TG_TABLE_SCHEMA);
	RETURN NULL;
END;
$$;
CREATE TRIGGER ddns_queue_notify AFTER INSERT ON ddns_queue
	FOR EACH STATEMENT EXECUTE FUNCTION ddns_queue_notify();

-- Append-only log for the API, audits and redundancy counters (no role may UPDATE or DELETE;
-- the schema owner prunes it).
CREATE TABLE events (
	id bigserial PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	kind text NOT NULL CHECK (kind <> ''),
	addr inet,
	duid bytea,
	detail jsonb
);
CREATE INDEX events_at_idx ON events (at);
CREATE INDEX events_addr_idx ON events (addr);

-- Per-scope counters (a range, a PD pool, a subnet), kept by chorus-dhcp6d for the API and
-- metrics: scope is e.g. 'subnet/1' or 'pool/1/0', counter e.g. 'assigned', 'declined'.
CREATE TABLE stats (
	scope text NOT NULL,
	counter text NOT NULL,
	value bigint NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (scope, counter)
);
