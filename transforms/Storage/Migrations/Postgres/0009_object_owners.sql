-- Tenant walls (CONTRACT §10.9): the owner of each object created through the gateway on the shared upstream account
-- (stored responses, stored chat completions), so that another org that names it gets 404 before anything goes upstream.
CREATE TABLE object_owners (
    object_id   text        PRIMARY KEY,
    org_id      text        NOT NULL,
    customer_id text        NULL,
    kind        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
