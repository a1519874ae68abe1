-- Governance (CONTRACT §10.2–§10.5), as Postgres 0007: key policy, org and customer limits, customers as a scope of
-- their org, the audit log. Lists and labels are JSON text; money is exact decimal text; times ISO-8601 UTC text.
ALTER TABLE api_keys ADD COLUMN models TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_keys ADD COLUMN expires_at TEXT NULL;
ALTER TABLE api_keys ADD COLUMN monthly_usd_budget TEXT NULL;
ALTER TABLE api_keys ADD COLUMN rpm_limit INTEGER NULL CHECK (rpm_limit > 0);
ALTER TABLE api_keys ADD COLUMN tpm_limit INTEGER NULL CHECK (tpm_limit > 0);
ALTER TABLE api_keys ADD COLUMN max_concurrent INTEGER NULL CHECK (max_concurrent > 0);
ALTER TABLE api_keys ADD COLUMN may_name_customers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN upstream_key_env TEXT NULL;
ALTER TABLE api_keys ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';

ALTER TABLE org_ai_settings ADD COLUMN customers_allowed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE org_ai_settings ADD COLUMN rpm_limit INTEGER NULL CHECK (rpm_limit > 0);
ALTER TABLE org_ai_settings ADD COLUMN tpm_limit INTEGER NULL CHECK (tpm_limit > 0);
ALTER TABLE org_ai_settings ADD COLUMN max_concurrent INTEGER NULL CHECK (max_concurrent > 0);

CREATE TABLE customer_ai_settings (
    org_id               TEXT    NOT NULL,
    customer_id          TEXT    NOT NULL,
    mode_default         TEXT    NULL CHECK (mode_default IN ('cheap', 'smart', 'auto')),
    client_mode_override INTEGER NULL,
    cache_enabled        INTEGER NULL,
    cache_ttl_seconds    INTEGER NULL CHECK (cache_ttl_seconds >= 0),
    dedupe_enabled       INTEGER NULL,
    monthly_token_budget INTEGER NULL CHECK (monthly_token_budget >= 0),
    monthly_usd_budget   TEXT    NULL,
    hard_budget          INTEGER NULL,
    rpm_limit            INTEGER NULL CHECK (rpm_limit > 0),
    tpm_limit            INTEGER NULL CHECK (tpm_limit > 0),
    max_concurrent       INTEGER NULL CHECK (max_concurrent > 0),
    updated_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (org_id, customer_id)
);

ALTER TABLE ai_performance_logs ADD COLUMN customer_id TEXT NULL;
ALTER TABLE ai_performance_logs ADD COLUMN key_id TEXT NULL;
CREATE INDEX ai_performance_logs_key_ts ON ai_performance_logs (key_id, ts) WHERE key_id IS NOT NULL;

-- SQLite cannot change a primary key: the daily rollup is rebuilt with the customer in its key.
CREATE TABLE ai_cost_daily_v2 (
    day               TEXT    NOT NULL,
    org_id            TEXT    NOT NULL,
    customer_id       TEXT    NOT NULL DEFAULT '',
    route             TEXT    NOT NULL,
    model             TEXT    NOT NULL,
    requests          INTEGER NOT NULL,
    cache_hits        INTEGER NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_usd          TEXT    NOT NULL,
    saved_usd         TEXT    NOT NULL,
    PRIMARY KEY (day, org_id, customer_id, route, model)
);
INSERT INTO ai_cost_daily_v2 (day, org_id, customer_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
SELECT day, org_id, '', route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd FROM ai_cost_daily;
DROP TABLE ai_cost_daily;
ALTER TABLE ai_cost_daily_v2 RENAME TO ai_cost_daily;
CREATE INDEX ai_cost_daily_org_day ON ai_cost_daily (org_id, day);

CREATE TABLE admin_audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ts        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    before    TEXT    NULL,
    after     TEXT    NULL,
    source_ip TEXT    NULL
);
CREATE INDEX admin_audit_log_ts ON admin_audit_log (ts);
CREATE INDEX admin_audit_log_target_ts ON admin_audit_log (target, ts);
