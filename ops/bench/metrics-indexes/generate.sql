-- 10 M log rows over the last 92 days (20 orgs, skewed; 10 routes, one of them null; 4 models; hit/miss/bypass/refresh),
-- inserted in time order as the log writer writes them (the BRIN index on ts relies on it), then the daily and monthly
-- rollups built from them. Run on a database migrated by the gateway (see README.md); about 10 minutes on 2 cores.
\timing on
SELECT aigw_ensure_log_partitions(date_trunc('month', now()) - interval '3 months', 5);
INSERT INTO ai_performance_logs (id, ts, org_id, route, endpoint, model_requested, model_used, mode, stream, status_code,
    cache_status, dedupe_role, attempts, prompt_tokens, cached_tokens, completion_tokens, usage_estimated, cost_usd, saved_usd,
    duration_ms, ttft_ms, upstream_ms, request_hash, error)
SELECT gen_random_uuid(), ts,
       'org-' || (floor(power(random(), 2) * 20))::int,
       (ARRAY['chat.reply','search.rank','dominus.analyze','summarize','classify','extract','translate','embed.docs','moderate', NULL])[1 + floor(random() * 10)::int],
       '/v1/chat/completions',
       m, m, NULL, s, 200,
       c, CASE WHEN random() < 0.05 THEN 'follower' END, CASE WHEN c = 'hit' THEN 0 ELSE 1 END,
       (random() * 4000)::bigint, 0, (random() * 1500)::bigint, false,
       CASE WHEN c = 'hit' THEN 0 ELSE round((random() * 0.05)::numeric, 10) END,
       CASE WHEN c = 'hit' THEN round((random() * 0.05)::numeric, 10) ELSE 0 END,
       (random() * 8000)::int, CASE WHEN s THEN (random() * 2000)::int END, CASE WHEN c <> 'hit' THEN (random() * 7000)::int END,
       md5(g::text), NULL
FROM (SELECT g,
             now() - (random() * interval '92 days') AS ts,
             (ARRAY['gpt-4o-mini','gpt-4o','o3-mini','gpt-4.1'])[1 + floor(random() * 4)::int] AS m,
             random() < 0.4 AS s,
             (ARRAY['hit','miss','miss','bypass','refresh'])[1 + floor(random() * 5)::int] AS c
      FROM generate_series(1, 10000000) g) x
ORDER BY ts;
-- A rare route (1 % of calls), where a route index matters most.
UPDATE ai_performance_logs SET route = 'audit.export' WHERE route = 'moderate' AND random() < 0.1;
INSERT INTO ai_cost_daily (day, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
SELECT (ts AT TIME ZONE 'UTC')::date, org_id, coalesce(route, ''), coalesce(model_used, model_requested, ''), count(*),
       count(*) FILTER (WHERE cache_status = 'hit'), sum(prompt_tokens), sum(completion_tokens), sum(coalesce(cost_usd, 0)), sum(coalesce(saved_usd, 0))
FROM ai_performance_logs GROUP BY 1, 2, 3, 4;
INSERT INTO ai_cost_monthly (month, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
SELECT date_trunc('month', day)::date, org_id, route, model, sum(requests), sum(cache_hits), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(saved_usd)
FROM ai_cost_daily GROUP BY 1, 2, 3, 4;
VACUUM ANALYZE;
