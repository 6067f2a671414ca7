-- 0003: each daemon of the instance says it is alive (chorus-apid's health ages these rows).
--
-- One row per daemon, upserted with its counters (the engine every 10 s). beat_at is the
-- database's clock, so a reader compares it with now() and needs no clock of its own. detail
-- carries what the daemon wants health to see (commit latency, backlog, last error), as JSON.
-- Counters stay in stats, one scope per daemon: 'dhcp6', 'leasequery', 'ddns', 'api'.
CREATE TABLE heartbeats (
	daemon text PRIMARY KEY CHECK (daemon IN ('dhcp6d', 'leasequeryd', 'ddnsd', 'apid')),
	pid integer NOT NULL CHECK (pid > 0),
	hostname text NOT NULL DEFAULT '',
	version text NOT NULL DEFAULT '',
	started_at timestamptz NOT NULL,
	beat_at timestamptz NOT NULL DEFAULT now(),
	detail jsonb NOT NULL DEFAULT '{}'
);

UPDATE schema_version SET version = 3, applied_at = now();
