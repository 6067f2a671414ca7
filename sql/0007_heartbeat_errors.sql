-- 0007: each daemon's last error lines ride with its heartbeat (lib/log.c keeps them), so
-- chorus-apid's /v1/health shows them per daemon with their time. A JSON array, oldest
-- first: [{"at": "2026-12-01T12:00:00Z", "count": 1, "message": "reload refused: ..."}].
-- Reload requests and answers need no table: they are NOTIFY payloads on <schema>_reload
-- (lib/reload.h), which every role may send.
ALTER TABLE heartbeats ADD COLUMN errors jsonb NOT NULL DEFAULT '[]'
	CHECK (jsonb_typeof(errors) = 'array');

UPDATE schema_version SET version = 7, applied_at = now();
