-- Tenant walls (CONTRACT §10.9), as Postgres 0009: the owner of each object created through the gateway.
CREATE TABLE object_owners (
    object_id   TEXT NOT NULL PRIMARY KEY,
    org_id      TEXT NOT NULL,
    customer_id TEXT NULL,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
