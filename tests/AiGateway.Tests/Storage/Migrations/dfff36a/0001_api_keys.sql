-- Virtual keys, known only by their SHA-256 hash (CONTRACT §3).
CREATE TABLE api_keys (
    key_hash   char(64)    PRIMARY KEY,
    org_id     text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz NULL
);
CREATE INDEX api_keys_org_id ON api_keys (org_id);
