-- Finance queries read a range of days of ai_cost_daily and sum its counters (README's "last month by org and route").
-- With every column in one index ordered by day, they are index-only scans of that range: 128k rollup rows of a
-- month are summed in a third of the time a scan of the table takes (issue 6, ops/bench/costlog). The price is that
-- a rollup upsert updates this index too (no HOT update), a few thousand rows per batch of 20,000 log rows.
CREATE INDEX ai_cost_daily_day_finance ON ai_cost_daily (day)
    INCLUDE (org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd);
