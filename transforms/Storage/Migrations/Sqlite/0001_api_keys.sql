CREATE TABLE api_keys (
    key_hash   TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT NULL
);
CREATE INDEX api_keys_org_id ON api_keys (org_id);
