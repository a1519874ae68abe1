-- As Postgres 0008: payload logging's level on org and customer settings, and the stored bodies. SQLite has no
-- partitions: retention deletes by ts (indexed); times are ISO-8601 UTC text, redactions JSON text.
ALTER TABLE org_ai_settings ADD COLUMN payload_logging TEXT NOT NULL DEFAULT 'off' CHECK (payload_logging IN ('off', 'metadata', 'redacted', 'full'));
ALTER TABLE customer_ai_settings ADD COLUMN payload_logging TEXT NULL CHECK (payload_logging IN ('off', 'metadata', 'redacted', 'full'));

CREATE TABLE ai_payloads (
    request_id    TEXT    NOT NULL PRIMARY KEY,
    ts            TEXT    NOT NULL,
    org_id        TEXT    NOT NULL,
    customer_id   TEXT    NULL,
    level         TEXT    NOT NULL,
    request_body  TEXT    NULL,
    response_body TEXT    NULL,
    truncated     INTEGER NOT NULL,
    redactions    TEXT    NULL
);
CREATE INDEX ai_payloads_ts ON ai_payloads (ts);
CREATE INDEX ai_payloads_org_ts ON ai_payloads (org_id, ts);
