-- Per-org settings (CONTRACT §7, §8); an org without a row uses the defaults below.
CREATE TABLE org_ai_settings (
    org_id               text           PRIMARY KEY,
    mode_default         text           NULL CHECK (mode_default IN ('cheap', 'smart', 'auto')),
    client_mode_override boolean        NOT NULL DEFAULT true,
    cache_enabled        boolean        NOT NULL DEFAULT true,
    cache_ttl_seconds    integer        NULL CHECK (cache_ttl_seconds >= 0),
    dedupe_enabled       boolean        NOT NULL DEFAULT true,
    monthly_token_budget bigint         NULL CHECK (monthly_token_budget >= 0),
    monthly_usd_budget   numeric(20,10) NULL CHECK (monthly_usd_budget >= 0),
    hard_budget          boolean        NOT NULL DEFAULT false,
    updated_at           timestamptz    NOT NULL DEFAULT now()
);
