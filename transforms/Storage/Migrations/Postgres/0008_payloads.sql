-- Opt-in payload logging (CONTRACT §10.7, issue 19): the level on org and customer settings, and the stored bodies.

-- off (the default) | metadata | redacted | full; a customer's NULL = its org's.
ALTER TABLE org_ai_settings
    ADD COLUMN payload_logging text NOT NULL DEFAULT 'off' CHECK (payload_logging IN ('off', 'metadata', 'redacted', 'full'));
ALTER TABLE customer_ai_settings
    ADD COLUMN payload_logging text NULL CHECK (payload_logging IN ('off', 'metadata', 'redacted', 'full'));

-- One row per logged call, keyed by its performance-log row's id and time (the same ts, so a lookup by the row finds
-- its partition). The bodies are text, so SQL can read and search them; lz4 compresses them (TOAST) faster than pglz
-- at a similar ratio. Partitioned by UTC day: retention drops whole days, never a DELETE over the table.
-- level is what was kept (metadata, redacted, full); redactions counts the placeholders by type ({"EMAIL": 2}).
CREATE TABLE ai_payloads (
    request_id    uuid        NOT NULL,
    ts            timestamptz NOT NULL,
    org_id        text        NOT NULL,
    customer_id   text        NULL,
    level         text        NOT NULL,
    request_body  text        COMPRESSION lz4 NULL,
    response_body text        COMPRESSION lz4 NULL,
    truncated     boolean     NOT NULL,
    redactions    jsonb       NULL,
    PRIMARY KEY (request_id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX ai_payloads_org_ts ON ai_payloads (org_id, ts);

-- Creates the daily partitions ai_payloads_pYYYYMMDD for the day of p_from and the p_days - 1 after it; returns how
-- many were created. Serialised by an advisory lock so instances starting together do not collide.
CREATE FUNCTION aigw_ensure_payload_partitions(p_from timestamptz, p_days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    day_start timestamp := date_trunc('day', p_from AT TIME ZONE 'UTC');
    part_name text;
    created   integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('aigw_payload_partitions'));
    FOR n IN 1..p_days LOOP
        part_name := 'ai_payloads_p' || to_char(day_start, 'YYYYMMDD');
        IF NOT EXISTS (
            SELECT 1 FROM pg_inherits inh JOIN pg_class c ON c.oid = inh.inhrelid
            WHERE inh.inhparent = 'ai_payloads'::regclass AND c.relname = part_name) THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF ai_payloads FOR VALUES FROM (%L) TO (%L)',
                part_name, day_start AT TIME ZONE 'UTC', (day_start + interval '1 day') AT TIME ZONE 'UTC');
            created := created + 1;
        END IF;
        day_start := day_start + interval '1 day';
    END LOOP;
    RETURN created;
END
$$;

-- Drops the daily partitions that end at or before p_before (retention); returns how many were dropped.
CREATE FUNCTION aigw_drop_payload_partitions(p_before timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part    record;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('aigw_payload_partitions'));
    FOR part IN
        SELECT c.oid::regclass AS name
        FROM pg_inherits inh JOIN pg_class c ON c.oid = inh.inhrelid
        WHERE inh.inhparent = 'ai_payloads'::regclass
          AND c.relname ~ '^ai_payloads_p[0-9]{8}$'
          AND to_date(right(c.relname, 8), 'YYYYMMDD') + interval '1 day' <= (p_before AT TIME ZONE 'UTC')
    LOOP
        EXECUTE format('DROP TABLE %s', part.name);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;
