CREATE TABLE org_ai_settings (
    org_id               TEXT    NOT NULL PRIMARY KEY,
    mode_default         TEXT    NULL CHECK (mode_default IN ('cheap', 'smart', 'auto')),
    client_mode_override INTEGER NOT NULL DEFAULT 1,
    cache_enabled        INTEGER NOT NULL DEFAULT 1,
    cache_ttl_seconds    INTEGER NULL CHECK (cache_ttl_seconds >= 0),
    dedupe_enabled       INTEGER NOT NULL DEFAULT 1,
    monthly_token_budget INTEGER NULL CHECK (monthly_token_budget >= 0),
    monthly_usd_budget   TEXT    NULL,
    hard_budget          INTEGER NOT NULL DEFAULT 0,
    updated_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
