-- The performance and cost log in the embedded store. Times are ISO-8601 UTC text of one fixed width
-- (yyyy-MM-ddTHH:mm:ss.fffffffZ, so they sort as text); money is exact decimal text, never REAL.
CREATE TABLE ai_performance_logs (
    id                TEXT    NOT NULL PRIMARY KEY,
    ts                TEXT    NOT NULL,
    org_id            TEXT    NOT NULL,
    route             TEXT    NULL,
    endpoint          TEXT    NOT NULL,
    model_requested   TEXT    NULL,
    model_used        TEXT    NULL,
    mode              TEXT    NULL,
    stream            INTEGER NOT NULL,
    status_code       INTEGER NOT NULL,
    cache_status      TEXT    NOT NULL,
    dedupe_role       TEXT    NULL,
    attempts          INTEGER NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    cached_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    usage_estimated   INTEGER NOT NULL,
    cost_usd          TEXT    NULL,
    saved_usd         TEXT    NULL,
    duration_ms       INTEGER NOT NULL,
    ttft_ms           INTEGER NULL,
    upstream_ms       INTEGER NULL,
    request_hash      TEXT    NOT NULL,
    error             TEXT    NULL
);
CREATE INDEX ai_performance_logs_ts ON ai_performance_logs (ts);
CREATE INDEX ai_performance_logs_org_ts ON ai_performance_logs (org_id, ts);

CREATE TABLE model_prices (
    model               TEXT NOT NULL,
    input_per_1m        TEXT NOT NULL,
    cached_input_per_1m TEXT NOT NULL,
    output_per_1m       TEXT NOT NULL,
    effective_from      TEXT NOT NULL,
    PRIMARY KEY (model, effective_from)
);

CREATE TABLE ai_cost_daily (
    day               TEXT    NOT NULL,
    org_id            TEXT    NOT NULL,
    route             TEXT    NOT NULL,
    model             TEXT    NOT NULL,
    requests          INTEGER NOT NULL,
    cache_hits        INTEGER NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_usd          TEXT    NOT NULL,
    saved_usd         TEXT    NOT NULL,
    PRIMARY KEY (day, org_id, route, model)
);
CREATE INDEX ai_cost_daily_org_day ON ai_cost_daily (org_id, day);
