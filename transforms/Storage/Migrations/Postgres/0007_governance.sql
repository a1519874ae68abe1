-- Governance (CONTRACT §10.2–§10.5): keys carry a policy, orgs and customers carry limits, customers are a scope of
-- their org (own settings, rows and rollups), and every admin change is audited.

-- A key's policy (§10.3). Its id is the first 12 hex characters of key_hash. models: exact names and * globs, empty =
-- all; upstream_key_env names an environment variable holding the key's own upstream credential (never its value).
ALTER TABLE api_keys
    ADD COLUMN models             text[]         NOT NULL DEFAULT '{}',
    ADD COLUMN expires_at         timestamptz    NULL,
    ADD COLUMN monthly_usd_budget numeric(20,10) NULL CHECK (monthly_usd_budget >= 0),
    ADD COLUMN rpm_limit          integer        NULL CHECK (rpm_limit > 0),
    ADD COLUMN tpm_limit          bigint         NULL CHECK (tpm_limit > 0),
    ADD COLUMN max_concurrent     integer        NULL CHECK (max_concurrent > 0),
    ADD COLUMN may_name_customers boolean        NOT NULL DEFAULT false,
    ADD COLUMN upstream_key_env   text           NULL,
    ADD COLUMN labels             jsonb          NOT NULL DEFAULT '{}';

-- An org's limits, and whether a Passthrough key of it may name customers (§10.2, §10.4).
ALTER TABLE org_ai_settings
    ADD COLUMN customers_allowed boolean NOT NULL DEFAULT false,
    ADD COLUMN rpm_limit         integer NULL CHECK (rpm_limit > 0),
    ADD COLUMN tpm_limit         bigint  NULL CHECK (tpm_limit > 0),
    ADD COLUMN max_concurrent    integer NULL CHECK (max_concurrent > 0);

-- A customer's settings: the org's columns, each NULL = the org's value (§10.2).
CREATE TABLE customer_ai_settings (
    org_id               text           NOT NULL,
    customer_id          text           NOT NULL,
    mode_default         text           NULL CHECK (mode_default IN ('cheap', 'smart', 'auto')),
    client_mode_override boolean        NULL,
    cache_enabled        boolean        NULL,
    cache_ttl_seconds    integer        NULL CHECK (cache_ttl_seconds >= 0),
    dedupe_enabled       boolean        NULL,
    monthly_token_budget bigint         NULL CHECK (monthly_token_budget >= 0),
    monthly_usd_budget   numeric(20,10) NULL CHECK (monthly_usd_budget >= 0),
    hard_budget          boolean        NULL,
    rpm_limit            integer        NULL CHECK (rpm_limit > 0),
    tpm_limit            bigint         NULL CHECK (tpm_limit > 0),
    max_concurrent       integer        NULL CHECK (max_concurrent > 0),
    updated_at           timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, customer_id)
);

-- Who called: the customer named (NULL when none) and the virtual key's id (NULL in Passthrough mode).
ALTER TABLE ai_performance_logs
    ADD COLUMN customer_id text NULL,
    ADD COLUMN key_id      text NULL;
-- A key's month is read from the log when its budget count must be rebuilt (Redis lost it, or a new month).
CREATE INDEX ai_performance_logs_key_ts ON ai_performance_logs (key_id, ts) WHERE key_id IS NOT NULL;

-- The rollups gain the customer ('' when none), part of their keys.
ALTER TABLE ai_cost_daily ADD COLUMN customer_id text NOT NULL DEFAULT '';
ALTER TABLE ai_cost_daily DROP CONSTRAINT ai_cost_daily_pkey;
ALTER TABLE ai_cost_daily ADD PRIMARY KEY (day, org_id, customer_id, route, model);
ALTER TABLE ai_cost_monthly ADD COLUMN customer_id text NOT NULL DEFAULT '';
ALTER TABLE ai_cost_monthly DROP CONSTRAINT ai_cost_monthly_pkey;
ALTER TABLE ai_cost_monthly ADD PRIMARY KEY (month, org_id, customer_id, route, model);

-- Every admin change, in-flight cancel and payload read (§10.5); append-only, never a secret in it.
CREATE TABLE admin_audit_log (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts        timestamptz NOT NULL DEFAULT now(),
    actor     text        NOT NULL,
    action    text        NOT NULL,
    target    text        NOT NULL,
    before    jsonb       NULL,
    after     jsonb       NULL,
    source_ip text        NULL
);
CREATE INDEX admin_audit_log_ts ON admin_audit_log (ts);
CREATE INDEX admin_audit_log_target_ts ON admin_audit_log (target, ts);
