-- The performance and cost log (CONTRACT §7, issue 6). Money is numeric(20,10), never floating point.

-- One row per call on an understood endpoint, partitioned by calendar month (UTC) of ts.
-- The primary key makes writes idempotent: a batch written twice (a replayed spill file) adds nothing.
CREATE TABLE ai_performance_logs (
    id                uuid           NOT NULL,
    ts                timestamptz    NOT NULL,
    org_id            text           NOT NULL,
    route             text           NULL,
    endpoint          text           NOT NULL,
    model_requested   text           NULL,
    model_used        text           NULL,
    mode              text           NULL,
    stream            boolean        NOT NULL,
    status_code       integer        NOT NULL,
    cache_status      text           NOT NULL,
    dedupe_role       text           NULL,
    attempts          integer        NOT NULL,
    prompt_tokens     bigint         NOT NULL,
    cached_tokens     bigint         NOT NULL,
    completion_tokens bigint         NOT NULL,
    usage_estimated   boolean        NOT NULL,
    cost_usd          numeric(20,10) NULL,
    saved_usd         numeric(20,10) NULL,
    duration_ms       integer        NOT NULL,
    ttft_ms           integer        NULL,
    upstream_ms       integer        NULL,
    request_hash      text           NOT NULL,
    error             text           NULL,
    PRIMARY KEY (id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX ai_performance_logs_org_ts ON ai_performance_logs (org_id, ts);
CREATE INDEX ai_performance_logs_ts ON ai_performance_logs USING brin (ts);

-- Creates the monthly partitions ai_performance_logs_pYYYYMM for the month of p_from and the p_months - 1 after it;
-- returns how many were created. Serialised by an advisory lock so instances starting together do not collide.
CREATE FUNCTION aigw_ensure_log_partitions(p_from timestamptz, p_months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    month_start timestamp := date_trunc('month', p_from AT TIME ZONE 'UTC');
    part_name   text;
    created     integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('aigw_log_partitions'));
    FOR n IN 1..p_months LOOP
        part_name := 'ai_performance_logs_p' || to_char(month_start, 'YYYYMM');
        IF NOT EXISTS (
            SELECT 1 FROM pg_inherits inh JOIN pg_class c ON c.oid = inh.inhrelid
            WHERE inh.inhparent = 'ai_performance_logs'::regclass AND c.relname = part_name) THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF ai_performance_logs FOR VALUES FROM (%L) TO (%L)',
                part_name, month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
            created := created + 1;
        END IF;
        month_start := month_start + interval '1 month';
    END LOOP;
    RETURN created;
END
$$;

-- Drops the monthly partitions that end at or before p_before (retention); returns how many were dropped.
CREATE FUNCTION aigw_drop_log_partitions(p_before timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part    record;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('aigw_log_partitions'));
    FOR part IN
        SELECT c.oid::regclass AS name
        FROM pg_inherits inh JOIN pg_class c ON c.oid = inh.inhrelid
        WHERE inh.inhparent = 'ai_performance_logs'::regclass
          AND c.relname ~ '^ai_performance_logs_p[0-9]{6}$'
          AND to_date(right(c.relname, 6), 'YYYYMM') + interval '1 month' <= (p_before AT TIME ZONE 'UTC')
    LOOP
        EXECUTE format('DROP TABLE %s', part.name);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;

-- Price table: the price of a model from effective_from until its next row. Dated snapshots without rows of
-- their own use their base model's rows (resolved by the gateway, not here).
CREATE TABLE model_prices (
    model               text           NOT NULL,
    input_per_1m        numeric(20,10) NOT NULL,
    cached_input_per_1m numeric(20,10) NOT NULL,
    output_per_1m       numeric(20,10) NOT NULL,
    effective_from      timestamptz    NOT NULL,
    PRIMARY KEY (model, effective_from)
);

-- The daily rollup, kept current with the log in the same transaction as each batch. day is the UTC date of ts;
-- route is '' for calls without x-aigw-route and model is model_used (else model_requested, else '').
CREATE TABLE ai_cost_daily (
    day               date           NOT NULL,
    org_id            text           NOT NULL,
    route             text           NOT NULL,
    model             text           NOT NULL,
    requests          bigint         NOT NULL,
    cache_hits        bigint         NOT NULL,
    prompt_tokens     bigint         NOT NULL,
    completion_tokens bigint         NOT NULL,
    cost_usd          numeric(20,10) NOT NULL,
    saved_usd         numeric(20,10) NOT NULL,
    PRIMARY KEY (day, org_id, route, model)
);
CREATE INDEX ai_cost_daily_org_day ON ai_cost_daily (org_id, day);
